using Bridge.Notifier.Configuration;
using Microsoft.Extensions.Options;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Notifier.Actions;

/// <summary>What an action sink does with a run that a previous process started but never finished.</summary>
internal enum InterruptedPolicy
{
    /// <summary>Run it again with the same idempotency key (targets that honour the key, and Jira's checks, absorb the repeat).</summary>
    Retry,

    /// <summary>Do not run it again; publish <c>action.failed</c> saying so.</summary>
    Skip,
}

/// <summary>One run of one action for one event: the event, its idempotency key, and the target the action names.</summary>
internal sealed class ActionRun(SinkMessage message, string sinkName, string action, string idempotencyKey)
{
    public SinkMessage Message { get; } = message;

    public Notification Notification => Message.Notification;

    public string SinkName { get; } = sinkName;

    /// <summary>The action's name in events and logs, e.g. <c>jira.comment</c>, <c>github.repository_dispatch</c>.</summary>
    public string Action { get; } = action;

    /// <summary>Sent to targets that accept one; the same for every delivery of the rollout's outcome.</summary>
    public string IdempotencyKey { get; } = idempotencyKey;

    /// <summary>What the action works on (a repository, an issue); set by the action as soon as it knows.</summary>
    public string Target { get; set; } = string.Empty;
}

/// <summary>
/// A sink that runs post-rollout automation: only for the outcomes it is configured for, at most once per rollout
/// (guarded by the <see cref="ActionLedger"/>), and with its result published as a CloudEvent.
/// </summary>
/// <remarks>
/// Keys common to every action sink: <c>on</c> (outcomes: <c>promoted</c>, <c>failed</c>, <c>rolledback</c>; default
/// <c>promoted</c>), <c>ledger</c> (<c>file</c>, the default, needs the notifier's data directory; <c>memory</c> forgets
/// on restart), <c>ledgerRetention</c> (default 30d) and <c>interrupted</c> (<c>retry</c>, the default, or <c>skip</c>).
/// </remarks>
internal abstract class RolloutActionSink : ISink
{
    /// <summary>The JSON options of request bodies sent to targets.</summary>
    protected static readonly JsonSerializerOptions BodyJson = new()
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly Dictionary<string, RolloutOutcome> OutcomeNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["promoted"] = RolloutOutcome.Promoted,
        ["failed"] = RolloutOutcome.Failed,
        ["rolledback"] = RolloutOutcome.RolledBack,
    };

    private readonly IReadOnlySet<RolloutOutcome> on;
    private readonly InterruptedPolicy interrupted;
    private readonly IBridgePublisher? publisher;
    private readonly TimeProvider clock;
    private readonly string resultSource;

    protected RolloutActionSink(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Definition = definition;
        Logger = definition.Services.GetService<ILoggerFactory>()?.CreateLogger(GetType()) ?? NullLogger.Instance;
        clock = definition.TimeProvider;
        // Results carry the notifier's own source, like its delivery.failed events.
        resultSource = definition.Services.GetService<IOptions<NotifierOptions>>()?.Value.Source ?? NotifierOptions.DefaultSource;
        on = ReadOutcomes(definition);
        interrupted = definition.GetString("interrupted")?.ToLowerInvariant() switch
        {
            null or "retry" => InterruptedPolicy.Retry,
            "skip" => InterruptedPolicy.Skip,
            string other => throw definition.Error("interrupted", $"'{other}' is not retry or skip"),
        };
        Ledger = OpenLedger(definition);
        publisher = definition.Services.GetService<IBridgePublisher>();
        if (publisher is null)
        {
            ActionLog.NoPublisher(Logger, definition.Name);
        }
    }

    public string Name => Definition.Name;

    public string Kind => Definition.Kind;

    public TextEscaping Escaping => TextEscaping.None;

    /// <summary>The outcomes this sink acts on.</summary>
    public IReadOnlySet<RolloutOutcome> On => on;

    internal ActionLedger Ledger { get; }

    protected SinkDefinition Definition { get; }

    protected ILogger Logger { get; }

    /// <summary>The operations one delivery runs, in order; each is guarded by the ledger on its own.</summary>
    protected abstract IReadOnlyList<string> Operations { get; }

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Notification n = message.Notification;
        if (!on.Contains(n.Outcome))
        {
            ActionLog.OutcomeNotSelected(Logger, Name, n.Id, n.Outcome);
            return;
        }
        string key = IdempotencyKeyOf(n);
        foreach (string operation in Operations)
        {
            await RunOnceAsync(new ActionRun(message, Name, $"{Kind}.{operation}", key), operation, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The key of the rollout's outcome for this sink: the same for every delivery of any event that ends the same
    /// rollout the same way. Without a checksum a rollout cannot be told from the canary's next one, so the event's
    /// own identity is used instead.
    /// </summary>
    public string IdempotencyKeyOf(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        string identity = notification.Checksum.Length > 0
            ? $"rollout\n{Name}\n{notification.RolloutKey}\n{ActionTemplate.OutcomeName(notification.Outcome)}"
            : $"event\n{Name}\n{notification.Source}\n{notification.Id}";
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(identity));
        return "flagger-" + Convert.ToHexStringLower(hash, 0, 16);
    }

    /// <summary>Runs one operation against the target; throws <see cref="SinkException"/> or <see cref="ActionInputException"/> on failure.</summary>
    protected abstract Task<ActionResult> RunAsync(string operation, ActionRun run, CancellationToken cancellationToken);

    /// <summary>Sends a request and throws <see cref="SinkException"/> unless the answer is a success.</summary>
    protected async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        HttpResponseMessage response = await Definition.Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        try
        {
            await SinkException.EnsureSuccessAsync(response, Name, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            response.Dispose();
            throw;
        }
        return response;
    }

    /// <summary>A request with a JSON body (serialized with <see cref="BodyJson"/>) and the given authorization.</summary>
    protected static HttpRequestMessage JsonRequest(HttpMethod method, Uri uri, object? body, AuthenticationHeaderValue? authorization)
    {
        var request = new HttpRequestMessage(method, uri);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, body.GetType(), BodyJson));
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        }
        request.Headers.Authorization = authorization;
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return request;
    }

    /// <summary>A URL under a configured base URL (which may have a path, with or without a trailing slash).</summary>
    protected static Uri Combine(Uri baseUrl, string relative)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        string text = baseUrl.AbsoluteUri;
        return new Uri((text.EndsWith('/') ? text : text + "/") + relative.TrimStart('/'));
    }

    private async Task RunOnceAsync(ActionRun run, string operation, CancellationToken cancellationToken)
    {
        string ledgerKey = $"{run.IdempotencyKey}/{operation}";
        using IDisposable held = await Ledger.LockAsync(ledgerKey, cancellationToken).ConfigureAwait(false);
        LedgerEntry? entry = Ledger.Get(ledgerKey);
        switch (entry?.State)
        {
            case ActionState.Succeeded or ActionState.Abandoned:
                ActionLog.AlreadyDone(Logger, run.Action, Name, run.Notification.Title, run.IdempotencyKey, entry.State, entry.At);
                return;
            case ActionState.Started when interrupted == InterruptedPolicy.Skip:
                ActionLog.InterruptedSkip(Logger, run.Action, Name, run.IdempotencyKey, entry.At);
                Ledger.Record(ledgerKey, ActionState.Abandoned, "interrupted; not run again");
                await PublishAsync(run, null, $"interrupted after it started at {entry.At:O}; not run again (interrupted: skip)", cancellationToken).ConfigureAwait(false);
                return;
            case ActionState.Started:
                ActionLog.InterruptedRetry(Logger, run.Action, Name, run.IdempotencyKey, entry.At);
                break;
        }

        Ledger.Record(ledgerKey, ActionState.Started);
        ActionResult result;
        try
        {
            result = await RunAsync(operation, run, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Left as Started: the call may have reached the target, which is exactly what an interruption is.
            throw;
        }
        catch (Exception e)
        {
            string error = e.Message;
            Ledger.Record(ledgerKey, ActionState.Failed, error);
            ActionLog.Failed(Logger, run.Action, Name, run.Notification.Title, run.Target, error);
            await PublishAsync(run, e is SinkException { StatusCode: { } status } ? new ActionResult((int)status) : null, error, cancellationToken).ConfigureAwait(false);
            throw e switch
            {
                SinkException sink => sink,
                ActionInputException => new SinkException($"Sink '{Name}': {run.Action} cannot run: {error}", innerException: e),
                _ => new SinkException($"Sink '{Name}': {run.Action} failed: {error}", transient: e is HttpRequestException or TimeoutException or TaskCanceledException, innerException: e),
            };
        }
        string summary = result.ToString();
        Ledger.Record(ledgerKey, ActionState.Succeeded, summary);
        ActionLog.Succeeded(Logger, run.Action, Name, run.Notification.Title, run.Target, summary);
        await PublishAsync(run, result, null, cancellationToken).ConfigureAwait(false);
    }

    private async Task PublishAsync(ActionRun run, ActionResult? result, string? error, CancellationToken cancellationToken)
    {
        if (publisher is null)
        {
            return;
        }
        var cloudEvent = ActionResultEvent.Create(resultSource, run, result, error, clock.GetUtcNow());
        try
        {
            await publisher.PublishAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The action's own outcome stands (and is in the ledger and the log); a lost report must not undo it.
            ActionLog.ResultNotPublished(Logger, e, cloudEvent.Type!, Name, run.Notification.Title);
        }
    }

    private static HashSet<RolloutOutcome> ReadOutcomes(SinkDefinition definition)
    {
        IReadOnlyList<string> names = definition.GetList("on");
        if (names.Count == 0)
        {
            return [RolloutOutcome.Promoted];
        }
        var outcomes = new HashSet<RolloutOutcome>();
        foreach (string name in names)
        {
            outcomes.Add(OutcomeNames.TryGetValue(name.Trim(), out RolloutOutcome outcome)
                ? outcome
                : throw definition.Error("on", $"'{name}' is not an outcome; use promoted, failed or rolledback"));
        }
        return outcomes;
    }

    private static ActionLedger OpenLedger(SinkDefinition definition)
    {
        TimeSpan retention = Durations.Get(definition, "ledgerRetention", TimeSpan.FromDays(30), TimeSpan.FromHours(1), TimeSpan.FromDays(3650));
        switch (definition.GetString("ledger")?.ToLowerInvariant())
        {
            case "memory":
                return ActionLedger.InMemory(retention, definition.TimeProvider);
            case null or "file":
                if (definition.DataDirectory is null)
                {
                    throw definition.Error("ledger", "a durable ledger needs the notifier's data directory (Notifier:DataDirectory) so actions run at most once across restarts; set it, or set ledger: memory to accept repeats after a restart");
                }
                string path = Path.Combine(definition.DataDirectory, "actions", FileNameOf(definition.Name) + ".ledger");
                ActionLedgers ledgers = definition.Services.GetService<ActionLedgers>()
                    ?? throw new InvalidOperationException("AddRolloutActions() registers the action ledgers; it was not called");
                try
                {
                    return ledgers.Open(path, retention, definition.TimeProvider);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    throw definition.Error("ledger", $"cannot open the ledger file '{path}': {e.Message}");
                }
            case string other:
                throw definition.Error("ledger", $"'{other}' is not file or memory");
        }
    }

    /// <summary>A sink name made safe as a file name.</summary>
    internal static string FileNameOf(string name) =>
        string.Concat(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
}
