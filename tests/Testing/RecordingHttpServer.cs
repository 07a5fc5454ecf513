using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridge.Testing;

/// <summary>One request the <see cref="RecordingHttpServer"/> received, with its body as bytes.</summary>
public sealed class RecordedRequest
{
    public required string Method { get; init; }

    /// <summary>Path and query string, e.g. <c>/robot/send?access_token=t&amp;timestamp=1</c>.</summary>
    public required string PathAndQuery { get; init; }

    public required string Path { get; init; }

    public required IReadOnlyDictionary<string, string> Query { get; init; }

    /// <summary>Headers (names case-insensitive; repeated headers joined with <c>, </c>).</summary>
    public required IReadOnlyDictionary<string, string> Headers { get; init; }

    public required byte[] Body { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }

    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>The body parsed as JSON (throws when it is not valid JSON: a test of a JSON sink wants that).</summary>
    public JsonElement Json
    {
        get
        {
            using JsonDocument document = JsonDocument.Parse(Body);
            return document.RootElement.Clone();
        }
    }

    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
}

/// <summary>A scripted answer of the <see cref="RecordingHttpServer"/>.</summary>
public sealed record ScriptedResponse(int Status, string Body = "", string ContentType = "application/json", IReadOnlyDictionary<string, string>? Headers = null)
{
    public static ScriptedResponse Ok(string body = "") => new(200, body);
}

/// <summary>
/// A real HTTP/1.1 server on a loopback port that records every request and answers from a script: the stand-in
/// for chat providers, webhook targets and Alertmanager in tests. By default it answers 200 with an empty body;
/// <see cref="Enqueue"/> scripts the next answers in order and <see cref="Responder"/> decides per request.
/// </summary>
public sealed class RecordingHttpServer : IAsyncDisposable
{
    private readonly WebApplication app;
    private readonly ConcurrentQueue<RecordedRequest> requests = new();
    private readonly ConcurrentQueue<ScriptedResponse> script = new();

    private RecordingHttpServer(WebApplication app)
    {
        this.app = app;
    }

    /// <summary>The server's base address, e.g. <c>http://127.0.0.1:41234</c> (no trailing slash).</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Decides the answer to a request when no scripted answer is queued; null answers 200 with an empty body.</summary>
    public Func<RecordedRequest, ScriptedResponse>? Responder { get; set; }

    /// <summary>Everything received so far, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> Requests => requests.ToArray();

    /// <summary>An absolute URL on this server.</summary>
    public Uri Url(string pathAndQuery) => new(BaseAddress, pathAndQuery);

    public static async Task<RecordingHttpServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.WebHost.ConfigureKestrel(o => o.Limits.MaxRequestBodySize = 16 * 1024 * 1024);
        WebApplication app = builder.Build();
        var server = new RecordingHttpServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <summary>Queues answers given to the next requests, in order, before <see cref="Responder"/> is asked.</summary>
    public void Enqueue(params ScriptedResponse[] responses)
    {
        foreach (ScriptedResponse response in responses)
        {
            script.Enqueue(response);
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> requests arrived and returns them.</summary>
    public async Task<IReadOnlyList<RecordedRequest>> WaitForRequestsAsync(int count, TimeSpan? timeout = null)
    {
        await Wait.UntilAsync(() => requests.Count >= count, $"{count} request(s) reached the recording server (got {requests.Count})", timeout);
        return Requests;
    }

    public async ValueTask DisposeAsync()
    {
        await app.StopAsync();
        await app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        using var body = new MemoryStream();
        await context.Request.Body.CopyToAsync(body, context.RequestAborted);
        var recorded = new RecordedRequest
        {
            Method = context.Request.Method,
            Path = context.Request.Path.Value ?? "/",
            PathAndQuery = (context.Request.PathBase + context.Request.Path).Value + context.Request.QueryString.Value,
            Query = context.Request.Query.ToDictionary(q => q.Key, q => q.Value.ToString(), StringComparer.Ordinal),
            Headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase),
            Body = body.ToArray(),
            ReceivedAt = DateTimeOffset.UtcNow,
        };
        ScriptedResponse answer = script.TryDequeue(out ScriptedResponse? next)
            ? next
            : Responder?.Invoke(recorded) ?? ScriptedResponse.Ok();
        // Recorded before answering, so a test that saw the answer also sees the request.
        requests.Enqueue(recorded);
        context.Response.StatusCode = answer.Status;
        foreach ((string name, string value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }
        if (answer.Body.Length > 0)
        {
            context.Response.ContentType = answer.ContentType;
            await context.Response.WriteAsync(answer.Body, context.RequestAborted);
        }
    }
}
