using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Bridge.Server.Hosting;
using Bridge.Server.Ingress;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Tests.Hosting;

/// <summary>
/// The real bridge host, composed like Program.cs, on 127.0.0.1 with a free port and in-memory
/// configuration overrides, plus an <see cref="HttpClient"/> pointed at its ingress.
/// </summary>
internal sealed class BridgeTestServer : IAsyncDisposable
{
    private BridgeTestServer(WebApplication app, LogCollector logs)
    {
        App = app;
        Logs = logs;
        Address = app.Services.GetRequiredService<BridgeEndpoints>().Ingress;
        Client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
    }

    private bool _ownsSpool;

    public WebApplication App { get; }

    public Uri Address { get; }

    public HttpClient Client { get; }

    public LogCollector Logs { get; }

    public IServiceProvider Services => App.Services;

    /// <summary>Builds and starts the host; <paramref name="settings"/> win over the test defaults.</summary>
    public static async Task<BridgeTestServer> StartAsync(IReadOnlyDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure = null)
    {
        var app = Build(settings, configure, out var logs);
        await app.StartAsync();
        return new BridgeTestServer(app, logs) { _ownsSpool = !settings.ContainsKey("Spool:Directory") };
    }

    /// <summary>Builds the host without starting it.</summary>
    public static WebApplication Build(IReadOnlyDictionary<string, string?> settings, Action<WebApplicationBuilder>? configure, out LogCollector logs)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Ingress:Port"] = "0",
            ["Ingress:BindAddress"] = "127.0.0.1",
            ["Grpc:Port"] = "0",
            ["Grpc:BindAddress"] = "127.0.0.1",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Bridge.Server.Hosting"] = "Information",
            ["Logging:LogLevel:Bridge.Server.Auth"] = "Information",
            ["Hosting:ShutdownTimeout"] = "00:00:05",

            // Tests read the captured log; the console copy would only bury the test runner's output.
            ["Logging:Console:LogLevel:Default"] = "None",

            // Tests that share one external librdkafka cluster get the embedded cluster's prompt fetches.
            ["Kafka:Consumer:fetch.wait.max.ms"] = "10",

            // Each host its own spool: one directory serves one bridge at a time.
            ["Spool:Directory"] = Directory.CreateTempSubdirectory("bridge-spool-").FullName,
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var captured = new LogCollector();
        logs = captured;
        return BridgeHost.Build([], builder =>
        {
            builder.Configuration.AddInMemoryCollection(values);
            builder.Logging.AddProvider(captured);
            configure?.Invoke(builder);
        });
    }

    public static StringContent Json(string json, string contentType = "application/json") =>
        new(json, Encoding.UTF8, MediaTypeHeaderValue.Parse(contentType));

    public Task<HttpResponseMessage> PostJsonAsync(string path, string json, string contentType = "application/json") =>
        Client.PostAsync(path, Json(json, contentType));

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>Reads a problem response and checks it is RFC 9457 problem JSON with <paramref name="status"/>.</summary>
    public static async Task<JsonElement> ReadProblemAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var document = JsonDocument.Parse(body);
        var problem = document.RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        return problem;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        var spool = App.Services.GetRequiredService<Bridge.Server.Spool.SpoolStore>().Directory;
        await App.StopAsync();
        await App.DisposeAsync();
        if (_ownsSpool)
        {
            Directory.Delete(spool, recursive: true);
        }
    }
}
