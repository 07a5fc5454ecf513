using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Bridge.Notifier.Tests.EndToEnd;

/// <summary>
/// The bridge (Bridge.Server.dll, embedded Kafka) and the notifier (Bridge.Notifier.dll) as deployed, each a process of
/// its own, with a webhook sink on a recording server: Flagger payloads posted to the bridge arrive as notifications.
/// </summary>
public sealed class NotifierProcessTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "notifier-e2e-" + Guid.NewGuid().ToString("N"));

    // The bridge requires a token, so the notifier's subscription and its delivery.failed publishes must carry it.
    private readonly string _token = "e2e-" + Guid.NewGuid().ToString("N");
    private readonly List<ScriptProcess> _processes = [];
    private RecordingHttpServer _sink = null!;
    private Uri _ingress = null!;
    private Uri _grpc = null!;
    private Uri _notifierAddress = null!;
    private string _yaml = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_directory);
        _sink = await RecordingHttpServer.StartAsync();
        int ingress = FreePort();
        int grpc = FreePort();
        string binaries = AppContext.BaseDirectory;
        var bridge = Start("bridge", [
            Path.Combine(binaries, "Bridge.Server.dll"),
            "--contentRoot", binaries,
            $"--Ingress:Port={ingress}",
            "--Ingress:BindAddress=127.0.0.1",
            $"--Grpc:Port={grpc}",
            "--Grpc:BindAddress=127.0.0.1",
            "--Hosting:ShutdownTimeout=00:00:05",
            "--Spool:Enabled=false",
            "--Auth:Tokens:0:Name=e2e",
            $"--Auth:Tokens:0:Token={_token}",
        ]);
        await bridge.WaitForLineAsync(l => l.Contains("Ingress listening on", StringComparison.Ordinal), StartTimeout);
        (_ingress, _grpc) = (new Uri($"http://127.0.0.1:{ingress}"), new Uri($"http://127.0.0.1:{grpc}"));
        _yaml = $$$"""
            cluster: e2e
            sinks:
              hook:
                type: webhook
                url: {{{_sink.Url("/notify")}}}
            routes:
              - name: all
                match: { types: [app.flagger.canary.] }
                sinks: [hook]
                body: '{"canary": "{{ canary }}", "text": "{{ message }}", "cluster": "{{ cluster }}"}'
            """;
        await File.WriteAllTextAsync(Path.Combine(_directory, "notifier.yaml"), _yaml);
        await File.WriteAllTextAsync(Path.Combine(_directory, "token"), _token + "\n");
    }

    [Fact]
    public async Task Notifier_FlaggerEventsPostedToBridge_ArriveInOrderPerCanary()
    {
        ScriptProcess notifier = await StartNotifierAsync();
        var answered = new ConcurrentQueue<(string Canary, string Text)>();
        _sink.Responder = r => Answer(r, answered, fail: false);

        for (int weight = 10; weight <= 50; weight += 10)
        {
            await PostAsync("podinfo", weight);
            await PostAsync("frontend", weight);
        }

        await Wait.UntilAsync(() => answered.Count >= 10, "ten notifications", TimeSpan.FromSeconds(20));
        foreach (string canary in new[] { "podinfo", "frontend" })
        {
            Assert.Equal(
                Enumerable.Range(1, 5).Select(i => $"Advance {canary}.test canary weight {i * 10}"),
                answered.Where(a => a.Canary == canary).Select(a => a.Text));
        }
        Assert.All(_sink.Requests, r => Assert.Equal("e2e", r.Json.GetProperty("cluster").GetString()));

        using var http = new HttpClient { BaseAddress = _notifierAddress };
        string metrics = await http.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("notifier_notifications_sent_total{", metrics, StringComparison.Ordinal);
        Assert.Contains("route=\"all\"", metrics, StringComparison.Ordinal);

        // A valid change is used without reopening the stream; an invalid one keeps the last good and is reported, still ready.
        await File.WriteAllTextAsync(Path.Combine(_directory, "notifier.yaml"), _yaml.Replace("\"text\":", "\"version\": \"v2\", \"text\":", StringComparison.Ordinal));
        await Wait.UntilAsync(() => notifier.Output.Count(l => l.Contains("ConfigurationStore[9000]", StringComparison.Ordinal)) >= 2, "the reload", TimeSpan.FromSeconds(10));
        await PostAsync("podinfo", 60);
        await Wait.UntilAsync(() => answered.Count >= 11, "the notification after the reload", TimeSpan.FromSeconds(20));
        Assert.Equal("v2", _sink.Requests[^1].Json.GetProperty("version").GetString());
        await File.WriteAllTextAsync(Path.Combine(_directory, "notifier.yaml"), _yaml.Replace("sinks: [hook]", "sinks: [nowhere]", StringComparison.Ordinal));
        await Wait.UntilAsync(() => notifier.Output.Any(l => l.Contains("ConfigurationStore[9002]", StringComparison.Ordinal)), "the rejected reload", TimeSpan.FromSeconds(10));
        using HttpResponseMessage ready = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
        string readiness = await ready.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("'nowhere' is not a configured sink", readiness, StringComparison.Ordinal);
        Assert.Single(notifier.Output, l => l.Contains("Subscriber[312]", StringComparison.Ordinal));
        Assert.False(notifier.HasExited);
        // The rejected reload is the only error.
        Assert.DoesNotContain(notifier.Output, l => (l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal))
            && !l.Contains("ConfigurationStore[9002]", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Notifier_KilledWhileSinkFails_RedeliversWhatWasNotAcked()
    {
        ScriptProcess first = await StartNotifierAsync();
        var answered = new ConcurrentQueue<(string Canary, string Text)>();
        bool failing = true;
        _sink.Responder = r => Answer(r, answered, fail: Volatile.Read(ref failing));

        for (int weight = 10; weight <= 30; weight += 10)
        {
            await PostAsync("podinfo", weight);
        }
        // The first event is being retried against a failing sink (held, not acked) when the notifier dies.
        await _sink.WaitForRequestsAsync(2, TimeSpan.FromSeconds(20));
        first.Kill();
        Assert.Empty(answered);

        Volatile.Write(ref failing, false);
        await StartNotifierAsync();

        await Wait.UntilAsync(() => answered.Count >= 3, "the three notifications after the restart", TimeSpan.FromSeconds(30));
        Assert.Equal(
            ["Advance podinfo.test canary weight 10", "Advance podinfo.test canary weight 20", "Advance podinfo.test canary weight 30"],
            answered.Select(a => a.Text).Distinct());
    }

    [Fact]
    public async Task Notifier_SinkRefuses_DeliveryFailedPublishedThroughTheBridge()
    {
        await File.WriteAllTextAsync(Path.Combine(_directory, "notifier.yaml"), $$"""
            sinks:
              hook: { type: webhook, url: "{{_sink.Url("/notify")}}" }
              failures: { type: webhook, url: "{{_sink.Url("/failures")}}" }
            routes:
              - name: all
                match: { types: [app.flagger.canary.] }
                sinks: [hook]
              - name: failures
                match: { types: [app.flagger.bridge.delivery.] }
                sinks: [failures]
            """);
        _sink.Responder = r => r.Path == "/notify" ? new ScriptedResponse(400, "{\"error\":\"no such channel\"}") : ScriptedResponse.Ok();
        await StartNotifierAsync();

        await PostAsync("broken", 10);

        // The failure event went out through gRPC Publish, into Kafka, and back to the notifier's subscription.
        await Wait.UntilAsync(() => _sink.Requests.Any(r => r.Path == "/failures"), "the delivery.failed notification", TimeSpan.FromSeconds(20));
        var failure = _sink.Requests.First(r => r.Path == "/failures").Json;
        Assert.Equal("app.flagger.bridge.delivery.failed", failure.GetProperty("type").GetString());
        Assert.Equal("/notifier", failure.GetProperty("source").GetString());
        Assert.Equal("broken", failure.GetProperty("canary").GetString());
        Assert.Equal("test", failure.GetProperty("namespace").GetString());
        var data = failure.GetProperty("data");
        Assert.Equal("hook", data.GetProperty("sink").GetString());
        Assert.Equal("all", data.GetProperty("route").GetString());
        Assert.Equal(400, data.GetProperty("lastStatus").GetInt32());
        Assert.Contains("no such channel", data.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("app.flagger.canary.weight.advanced", data.GetProperty("type").GetString());
        Assert.Single(_sink.Requests, r => r.Path == "/notify");
    }

    public async Task DisposeAsync()
    {
        foreach (ScriptProcess process in Enumerable.Reverse(_processes))
        {
            if (!process.HasExited)
            {
                process.Signal(15);
                await process.WaitForExitAsync(TimeSpan.FromSeconds(15)).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            output.WriteLine(process.Transcript);
            process.Dispose();
        }
        await _sink.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private async Task<ScriptProcess> StartNotifierAsync()
    {
        string binaries = AppContext.BaseDirectory;
        _notifierAddress = new Uri($"http://127.0.0.1:{FreePort()}");
        var notifier = Start("notifier", [
            Path.Combine(binaries, "Bridge.Notifier.dll"),
            "--contentRoot", _directory,
            $"--Urls={_notifierAddress}",
            "--Notifier:ReloadInterval=00:00:00.200",
            $"--Subscriber:Address={_grpc}",
            $"--Subscriber:TokenFile={Path.Combine(_directory, "token")}",
            "--Subscriber:Start=earliest",
            "--Subscriber:InitialBackoff=00:00:00.100",
            $"--Notifier:ConfigFile={Path.Combine(_directory, "notifier.yaml")}",
            "--Notifier:Delivery:RetryDelay=00:00:00.100",
            "--Notifier:Delivery:MaxRetryDelay=00:00:00.200",
            "--Notifier:Delivery:MaxRetries=100",
            "--Notifier:Delivery:TotalTimeout=00:01:00",
            "--Notifier:Delivery:BreakerMinimumThroughput=1000",
        ]);
        await notifier.WaitForLineAsync(l => l.Contains("Subscriber notifier connected", StringComparison.Ordinal) || l.Contains("Subscriber[312]", StringComparison.Ordinal), StartTimeout);
        return notifier;
    }

    private ScriptProcess Start(string name, string[] arguments)
    {
        var process = new ScriptProcess("dotnet", arguments, new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["Logging__Console__FormatterName"] = "simple" });
        _processes.Add(process);
        output.WriteLine($"started {name}");
        return process;
    }

    private async Task PostAsync(string canary, int weight)
    {
        var payload = new JsonObject
        {
            ["name"] = canary,
            ["namespace"] = "test",
            ["phase"] = "Progressing",
            ["checksum"] = "85d557f47b",
            ["metadata"] = new JsonObject
            {
                ["eventMessage"] = $"Advance {canary}.test canary weight {weight}",
                ["eventType"] = "Normal",
                ["timestamp"] = (1736500000000 + weight).ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        };
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", _token);
        using HttpResponseMessage response = await http.PostAsync(new Uri(_ingress, "/v1/flagger/events"), new StringContent(payload.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    private static ScriptedResponse Answer(RecordedRequest request, ConcurrentQueue<(string, string)> answered, bool fail)
    {
        if (fail)
        {
            return new ScriptedResponse(503);
        }
        var json = request.Json;
        answered.Enqueue((json.GetProperty("canary").GetString()!, json.GetProperty("text").GetString()!));
        return ScriptedResponse.Ok();
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
