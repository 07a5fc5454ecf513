using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bridge.Server.Tests.Hosting;
using Bridge.Server.Tests.Ingress;
using Xunit.Abstractions;

namespace Bridge.Server.Tests.Spool;

/// <summary>
/// The spool's promise end to end, with every part a real process: Kafka (librdkafka's cluster, hosted by
/// Bridge.KafkaHost) in one, the bridge (Bridge.Server.dll, as deployed) in another, and Flagger-like senders
/// that post each canary's events one after another and never retry. All brokers go down for the outage; in
/// the middle of it the bridge is killed with SIGKILL and started again on the same spool; then the brokers
/// come back. Every event answered 202 must then be on Kafka, each canary's in the order sent.
/// </summary>
public sealed class SpoolOutageProofTests(ITestOutputHelper output)
{
    private const string Topic = "flagger-events";
    private const int Canaries = 6;
    private static readonly TimeSpan SendInterval = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public Task KafkaDownFor60s_BridgeKilledMidOutage_EveryAnsweredEventOnKafkaInPerCanaryOrder() =>
        RunOutageAsync(TimeSpan.FromSeconds(60));

    private async Task RunOutageAsync(TimeSpan outage)
    {
        var binaries = AppContext.BaseDirectory;
        var spool = Directory.CreateTempSubdirectory("bridge-spool-proof-").FullName;
        using var kafka = new ScriptProcess("dotnet", [Path.Combine(binaries, "Bridge.KafkaHost.dll"), "--brokers", "3", "--topic", Topic, "--partitions", "6"]);
        ScriptProcess? bridge = null;
        try
        {
            var bootstrap = (await kafka.WaitForLineAsync(l => l.StartsWith("BOOTSTRAP ", StringComparison.Ordinal), StartTimeout))["BOOTSTRAP ".Length..];
            var port = FreePort();
            bridge = await StartBridgeAsync(binaries, bootstrap, port, spool);
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
            var canaries = Enumerable.Range(1, Canaries).Select(i => new Sender($"canary-{i}")).ToArray();
            using var stop = new CancellationTokenSource();
            var sending = canaries.Select(c => c.RunAsync(http, stop.Token)).ToArray();

            await Wait.UntilAsync(() => canaries.All(c => c.AcceptedCount >= 5), "every canary has events acknowledged by Kafka", StartTimeout);
            await CommandAsync(kafka, "down");
            var outageClock = Stopwatch.StartNew();
            await Wait.UntilAsync(() => canaries.All(c => c.SpooledCount >= 3), "every canary has spooled events", TimeSpan.FromSeconds(30));
            await Wait.UntilAsync(() => outageClock.Elapsed >= outage / 2, "the middle of the outage", outage);

            var spooledBeforeKill = canaries.Sum(c => c.SpooledCount);
            bridge.Kill();
            var acceptedBeforeRestart = canaries.Sum(c => c.AcceptedCount);
            output.WriteLine($"{outageClock.Elapsed}: bridge killed with SIGKILL; {spooledBeforeKill} events answered 202 from the spool so far");
            bridge.Dispose();
            bridge = await StartBridgeAsync(binaries, bootstrap, port, spool);
            output.WriteLine($"{outageClock.Elapsed}: bridge started again on the same spool, Kafka still down");
            await Wait.UntilAsync(() => canaries.Sum(c => c.AcceptedCount) > acceptedBeforeRestart, "the restarted bridge accepts events", StartTimeout);

            await Wait.UntilAsync(() => outageClock.Elapsed >= outage, "the end of the outage", outage);
            await CommandAsync(kafka, "up");
            output.WriteLine($"{outageClock.Elapsed}: brokers up");
            var acceptedAtRecovery = canaries.Select(c => c.AcceptedCount).ToArray();
            await Wait.UntilAsync(() => canaries.Select((c, i) => c.AcceptedCount - acceptedAtRecovery[i]).All(n => n >= 5), "events accepted after the outage", StartTimeout);
            await stop.CancelAsync();
            await Task.WhenAll(sending);

            await Wait.UntilAsync(() => SpoolEventsAsync(http).GetAwaiter().GetResult() == 0, "the spool drained to Kafka", TimeSpan.FromSeconds(60));
            var expected = canaries.SelectMany(c => c.Accepted).ToHashSet(StringComparer.Ordinal);
            var onKafka = await SpoolIngressTests.ReadIdsByKeyAsync(bootstrap, Topic, seen => expected.IsSubsetOf(seen), TimeSpan.FromSeconds(60));
            foreach (var canary in canaries)
            {
                output.WriteLine($"{canary.Name}: {canary.AcceptedCount} answered 202 ({canary.SpooledCount} from the spool), {canary.FailedCount} not answered 202 (never retried); {onKafka.GetValueOrDefault($"test/{canary.Name}", []).Count} records on Kafka");
            }

            foreach (var canary in canaries)
            {
                SpoolIngressTests.AssertInOrder(canary.Accepted, onKafka.GetValueOrDefault($"test/{canary.Name}", []), canary.Name);
            }

            Assert.True(spooledBeforeKill > 0, "The killed bridge had answered events from the spool.");
            Assert.True(canaries.Sum(c => c.FailedCount) > 0, "Requests during the restart found no bridge; they are never retried and not counted.");
        }
        catch
        {
            output.WriteLine("Kafka host:\n" + kafka.Transcript);
            if (bridge is not null)
            {
                output.WriteLine("Bridge:\n" + bridge.Transcript);
            }

            throw;
        }
        finally
        {
            bridge?.Dispose();
            Directory.Delete(spool, recursive: true);
        }
    }

    private static async Task<ScriptProcess> StartBridgeAsync(string binaries, string bootstrap, int port, string spool)
    {
        var bridge = new ScriptProcess("dotnet",
        [
            Path.Combine(binaries, "Bridge.Server.dll"),
            "--contentRoot", binaries,
            $"--Kafka:BootstrapServers={bootstrap}",
            $"--Kafka:Topic={Topic}",
            $"--Ingress:Port={port}",
            "--Ingress:BindAddress=127.0.0.1",
            "--Grpc:Port=0",
            "--Grpc:BindAddress=127.0.0.1",
            $"--Spool:Directory={spool}",
        ]);
        await bridge.WaitForLineAsync(l => l.Contains("Ingress listening on", StringComparison.Ordinal), StartTimeout);
        return bridge;
    }

    private static async Task CommandAsync(ScriptProcess kafka, string command)
    {
        kafka.WriteLine(command);
        await kafka.WaitForLineAsync(l => l.StartsWith("OK " + command, StringComparison.Ordinal), TimeSpan.FromSeconds(10));
    }

    private static async Task<int> SpoolEventsAsync(HttpClient http)
    {
        var metrics = await http.GetStringAsync("/metrics");
        // OpenTelemetry's exporter writes an unlabelled series as "name{} value".
        var line = metrics.Split('\n').Single(l => l.StartsWith("bridge_spool_events ", StringComparison.Ordinal) || l.StartsWith("bridge_spool_events{} ", StringComparison.Ordinal));
        return int.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..], CultureInfo.InvariantCulture);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>One canary's events, the way Flagger's event webhook sends them: one after another, each once, 10 s timeout.</summary>
    private sealed class Sender(string name)
    {
        private readonly List<string> _accepted = [];
        private int _spooled;
        private int _failed;

        public string Name { get; } = name;

        public IReadOnlyList<string> Accepted
        {
            get
            {
                lock (_accepted)
                {
                    return [.. _accepted];
                }
            }
        }

        public int AcceptedCount
        {
            get
            {
                lock (_accepted)
                {
                    return _accepted.Count;
                }
            }
        }

        public int SpooledCount => Volatile.Read(ref _spooled);

        public int FailedCount => Volatile.Read(ref _failed);

        public async Task RunAsync(HttpClient http, CancellationToken stop)
        {
            for (var step = 1; !stop.IsCancellationRequested; step++)
            {
                var payload = FlaggerPayloads.Event(name: Name, message: $"Advance {Name}.test canary weight {step}", timestamp: 1736500000000 + step);
                try
                {
                    using var response = await http.PostAsync("/v1/flagger/events", BridgeTestServer.Json(payload), CancellationToken.None);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(CancellationToken.None));
                        lock (_accepted)
                        {
                            _accepted.Add(body.RootElement.GetProperty("ids")[0].GetString()!);
                        }

                        if (body.RootElement.TryGetProperty("spooled", out var spooled) && spooled.GetBoolean())
                        {
                            Interlocked.Increment(ref _spooled);
                        }
                    }
                    else
                    {
                        Interlocked.Increment(ref _failed);
                    }
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    // No bridge, or no answer within Flagger's timeout: Flagger logs it and moves on.
                    Interlocked.Increment(ref _failed);
                }

                try
                {
                    // Pacing of the steady load, not a wait for a condition.
                    await Task.Delay(SendInterval, stop);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }
    }
}
