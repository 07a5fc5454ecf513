using System.Globalization;
using System.Text;
using System.Text.Json;
using Bridge.Audit.Configuration;
using Bridge.Audit.Live;
using Bridge.Audit.Rollouts;
using Bridge.Audit.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Audit.Api;

/// <summary>The read-only JSON API under <c>/api/v1</c> (docs/audit.md, "API").</summary>
internal static class ApiEndpoints
{
    public const string Prefix = "/api/v1";
    private const string CallerKey = "audit.caller";
    private static readonly string[] Statuses =
        [RolloutStatus.Progressing, RolloutStatus.Waiting, RolloutStatus.Promoted, RolloutStatus.Failed, RolloutStatus.RolledBack, RolloutStatus.Superseded];

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder routes)
    {
        var api = routes.MapGroup(Prefix);
        api.AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            var (caller, error) = http.RequestServices.GetRequiredService<AuditAuthenticator>().Authenticate(http.Request);
            if (caller is null)
            {
                AuditLog.Refused(http.RequestServices.GetRequiredService<ILogger<AuditAuthenticator>>(), http.Request.Path, error!);
                http.Response.Headers.WWWAuthenticate = "Bearer";
                return Problem(StatusCodes.Status401Unauthorized, "Unauthorized", error!);
            }

            http.Items[CallerKey] = caller;
            return await next(context);
        });

        api.MapGet("/events", Events);
        api.MapGet("/canaries", Canaries);
        api.MapGet("/rollouts", Rollouts);
        api.MapGet("/rollouts/{id}", RolloutById);
        api.MapGet("/dora", DoraFigures);
        api.MapGet("/verify", Verify);
        api.MapGet("/export", Export);
        api.MapGet("/stream", Stream);
        return routes;
    }

    internal static IResult Problem(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);

    private static AuditCaller Caller(HttpContext http) => (AuditCaller)http.Items[CallerKey]!;

    /// <summary>The namespaces the query may read, or a 403 when it asks for one the token does not cover.</summary>
    private static (IReadOnlyCollection<string>? Allowed, IResult? Refusal) Scope(HttpContext http, string? ns)
    {
        var caller = Caller(http);
        if (ns is not null && !caller.MayRead(ns))
        {
            return (null, Problem(StatusCodes.Status403Forbidden, "Forbidden", $"Token '{caller.Name}' may not read namespace '{ns}'."));
        }

        return (caller.Namespaces, null);
    }

    private static EventQuery? ReadEventQuery(HttpContext http, QueryParameters q, out IResult? refusal)
    {
        var ns = q.Text("namespace");
        var severity = q.Text("severity");
        int? rank = null;
        if (severity is not null)
        {
            if (SeverityRanks.TryParse(severity, out var r))
            {
                rank = r;
            }
            else
            {
                q.Fail($"Query parameter 'severity' must be info, warn or error (the least severe to include), got '{severity}'.");
            }
        }

        var query = new EventQuery
        {
            Namespace = ns,
            Canary = q.Text("canary"),
            TypePrefix = q.Text("type"),
            MinSeverity = rank,
            From = q.Time("from"),
            To = q.Time("to"),
        };
        if (q.Error is null && query is { From: { } from, To: { } to } && to <= from)
        {
            q.Fail($"Query parameter 'to' ({to:O}) must be later than 'from' ({from:O}).");
        }

        if (q.Error is not null)
        {
            refusal = Problem(StatusCodes.Status400BadRequest, "Bad request", q.Error);
            return null;
        }

        var (allowed, forbidden) = Scope(http, ns);
        refusal = forbidden;
        return forbidden is null ? query with { AllowedNamespaces = allowed } : null;
    }

    private static async Task<IResult> Events(HttpContext http, AuditStore store, CancellationToken cancellationToken)
    {
        var q = new QueryParameters(http.Request);
        var order = q.OneOf("order", "asc", "desc") ?? "asc";
        var limit = q.Int("limit", 1, 1000, 100);
        var cursor = q.CursorOf("events-" + order);
        var query = ReadEventQuery(http, q, out var refusal);
        if (query is null)
        {
            return refusal!;
        }

        var page = await store.QueryEventsAsync(query with { AfterSeq = cursor, Descending = order == "desc", Limit = limit }, cancellationToken);
        var next = page.Count == limit ? Cursor.Encode("events-" + order, page[^1].Seq) : null;
        return Results.Json(new Page<EventView>(page.Select(e => EventView.From(e, withEvent: true)).ToList(), next), AuditJson.Options);
    }

    private static async Task<IResult> Canaries(HttpContext http, AuditStore store, CancellationToken cancellationToken)
    {
        var canaries = await store.GetCanariesAsync(Caller(http).Namespaces, cancellationToken);
        return Results.Json(new Page<CanaryState>(canaries, null), AuditJson.Options);
    }

    private static async Task<IResult> Rollouts(HttpContext http, AuditStore store, CancellationToken cancellationToken)
    {
        var q = new QueryParameters(http.Request);
        var ns = q.Text("namespace");
        var canary = q.Text("canary");
        var status = q.OneOf("status", Statuses);
        var limit = q.Int("limit", 1, 500, 50);
        var cursor = q.CursorOf("rollouts");
        if (q.Error is not null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad request", q.Error);
        }

        var (allowed, refusal) = Scope(http, ns);
        if (refusal is not null)
        {
            return refusal;
        }

        var page = await store.QueryRolloutsAsync(
            new RolloutQuery { Namespace = ns, Canary = canary, Status = status, AllowedNamespaces = allowed, BeforeFirstSeq = cursor, Limit = limit },
            cancellationToken);
        var next = page.Count == limit ? Cursor.Encode("rollouts", page[^1].FirstSeq) : null;
        return Results.Json(new Page<RolloutSummary>(page.Select(RolloutSummary.From).ToList(), next), AuditJson.Options);
    }

    private static async Task<IResult> RolloutById(HttpContext http, string id, AuditStore store, CancellationToken cancellationToken)
    {
        var rollout = id.Length <= 64 ? await store.GetRolloutAsync(id, cancellationToken) : null;

        // A rollout of a namespace the token does not cover is answered like one that does not exist.
        if (rollout is null || !Caller(http).MayRead(rollout.Namespace))
        {
            return Problem(StatusCodes.Status404NotFound, "Not found", $"There is no rollout '{id}'.");
        }

        return Results.Json(rollout, AuditJson.Options);
    }

    private static async Task<IResult> DoraFigures(HttpContext http, AuditStore store, TimeProvider time, CancellationToken cancellationToken)
    {
        var q = new QueryParameters(http.Request);
        var ns = q.Text("namespace");
        var canary = q.Text("canary");
        var to = q.Time("to") ?? time.GetUtcNow();
        var from = q.Time("from") ?? to.AddDays(-30);
        if (q.Error is null && to <= from)
        {
            q.Fail($"Query parameter 'to' ({to:O}) must be later than 'from' ({from:O}).");
        }

        if (q.Error is not null)
        {
            return Problem(StatusCodes.Status400BadRequest, "Bad request", q.Error);
        }

        var (allowed, refusal) = Scope(http, ns);
        if (refusal is not null)
        {
            return refusal;
        }

        var outcomes = await store.GetOutcomesAsync(ns, canary, allowed, cancellationToken);
        var total = Dora.Compute(outcomes, from, to, ns, canary);
        var perCanary = outcomes
            .GroupBy(o => (o.Namespace, o.Canary))
            .OrderBy(g => g.Key.Namespace, StringComparer.Ordinal).ThenBy(g => g.Key.Canary, StringComparer.Ordinal)
            .Select(g => Dora.Compute(g.ToList(), from, to, g.Key.Namespace, g.Key.Canary))
            .ToList();
        return Results.Json(new DoraReport(total, perCanary), AuditJson.Options);
    }

    private static async Task<IResult> Verify(HttpContext http, AuditStore store, CancellationToken cancellationToken)
    {
        var caller = Caller(http);
        if (!caller.SeesEverything)
        {
            return Problem(StatusCodes.Status403Forbidden, "Forbidden",
                $"Token '{caller.Name}' is limited to namespaces; verify reads the whole chain and needs a token without a namespace limit.");
        }

        return Results.Json(await store.VerifyAsync(cancellationToken), AuditJson.Options);
    }

    private static async Task Export(HttpContext http, AuditStore store, CancellationToken cancellationToken)
    {
        var q = new QueryParameters(http.Request);
        var format = q.OneOf("format", "jsonl", "csv") ?? "jsonl";
        var query = ReadEventQuery(http, q, out var refusal);
        if (query is null)
        {
            await refusal!.ExecuteAsync(http);
            return;
        }

        var csv = format == "csv";
        http.Response.ContentType = csv ? "text/csv; charset=utf-8" : "application/x-ndjson";
        http.Response.Headers.ContentDisposition = $"attachment; filename=\"audit-events.{format}\"";
        var body = http.Response.Body;
        var written = 0;
        if (csv)
        {
            await WriteAsync(body, CsvWriter.Line(CsvColumns), cancellationToken);
        }

        await foreach (var row in store.StreamEventsAsync(query, cancellationToken))
        {
            var line = csv
                ? CsvWriter.Line(
                [
                    row.Seq.ToString(CultureInfo.InvariantCulture), row.Time.ToString("O", CultureInfo.InvariantCulture),
                    row.RecordedAt.ToString("O", CultureInfo.InvariantCulture), row.Source, row.Id, row.Type, row.Namespace, row.Canary, row.Severity,
                    row.Phase, row.Checksum, row.RolloutId, row.Message, Convert.ToHexStringLower(row.Hash),
                ])
                : JsonSerializer.Serialize(EventView.From(row, withEvent: true), AuditJson.Options) + "\n";
            await WriteAsync(body, line, cancellationToken);
            if (++written % 500 == 0)
            {
                await body.FlushAsync(cancellationToken);
            }
        }

        await body.FlushAsync(cancellationToken);
    }

    internal static readonly string[] CsvColumns =
        ["seq", "time", "recorded_at", "source", "id", "type", "namespace", "canary", "severity", "phase", "checksum", "rollout_id", "message", "hash"];

    private static ValueTask WriteAsync(Stream body, string text, CancellationToken cancellationToken) =>
        body.WriteAsync(Encoding.UTF8.GetBytes(text), cancellationToken);

    private static async Task Stream(HttpContext http, LiveFeed feed, IOptions<AuditHttpOptions> options, CancellationToken cancellationToken)
    {
        var q = new QueryParameters(http.Request);
        var ns = q.Text("namespace");
        var canary = q.Text("canary");
        if (q.Error is not null)
        {
            await Problem(StatusCodes.Status400BadRequest, "Bad request", q.Error).ExecuteAsync(http);
            return;
        }

        var (_, refusal) = Scope(http, ns);
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(http);
            return;
        }

        var caller = Caller(http);
        using var listener = feed.Listen();
        http.Response.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-cache";
        http.Response.Headers["X-Accel-Buffering"] = "no";
        var body = http.Response.Body;

        // The first bytes tell the client (and proxies) the stream is open before any event comes.
        await WriteAsync(body, ": audit stream open\n\n", cancellationToken);
        await body.FlushAsync(cancellationToken);
        var heartbeat = options.Value.StreamHeartbeat;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                using var beat = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                beat.CancelAfter(heartbeat);
                bool ready;
                try
                {
                    ready = await listener.Reader.WaitToReadAsync(beat.Token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    await WriteAsync(body, ": heartbeat\n\n", cancellationToken);
                    await body.FlushAsync(cancellationToken);
                    continue;
                }

                if (!ready)
                {
                    return;
                }

                while (listener.Reader.TryRead(out var message))
                {
                    if (caller.MayRead(message.Namespace) && (ns is null || message.Namespace == ns) && (canary is null || message.Canary == canary))
                    {
                        await WriteAsync(body, $"event: {message.Event}\ndata: {message.Json}\n\n", cancellationToken);
                    }
                }

                await body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (InvalidOperationException)
        {
            // The client fell too far behind (LiveFeed.Capacity): ending the response makes it reconnect and reload.
        }
    }
}
