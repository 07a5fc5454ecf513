using System.Net;
using System.Text.Json;
using Bridge.Server.Tests.Hosting;
using Bridge.Server.Tests.Ingress;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Xunit.Abstractions;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Server.Tests.Kafka;

/// <summary>
/// The bridge as deployed (Bridge.Server.dll in a process of its own) with a Kafka address that goes nowhere: it
/// must start within seconds, serve, keep retrying without crashing or flooding its log, and stop cleanly.
/// </summary>
public sealed class KafkaStartupProcessTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Process_NobodyListensAtBootstrapServersSpoolDisabled_ServesNotReadyKeepsRetryingAndStopsCleanly()
    {
        var servers = $"127.0.0.1:{TcpForwarder.FreePort()}";
        using var bridge = await StartBridgeAsync(servers, spool: null);
        try
        {
            using var http = new HttpClient { BaseAddress = bridge.Ingress, Timeout = TimeSpan.FromSeconds(10) };
            var live = await http.GetAsync("/healthz");
            await OutputAsync(bridge.Process, l => l.Contains($"KafkaConnection[1007] Kafka at {servers} is not reachable: ", StringComparison.Ordinal));
            var ready = await http.GetAsync("/readyz");
            var readyProblem = await BridgeTestServer.ReadProblemAsync(ready, 503);
            var refused = await http.PostAsync("/v1/flagger/events", BridgeTestServer.Json(FlaggerPayloads.Event()));
            var refusedProblem = await BridgeTestServer.ReadProblemAsync(refused, 503);
            var health = await HealthAsync(bridge.Grpc);

            // Past several more attempts (at Debug, so on the console here) the process is still there.
            await Wait.UntilAsync(
                () => bridge.Process.Output.Count(l => l.Contains("KafkaConnection[1009]", StringComparison.Ordinal)) >= 5, "five more attempts", StartTimeout);

            Assert.False(bridge.Process.HasExited);
            bridge.Process.Signal(15);
            var exitCode = await bridge.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));

            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
            Assert.Contains($"Kafka at {servers} is not reachable: ", readyProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains("Connection refused", readyProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Contains($"Kafka at {servers} is not reachable: ", refusedProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            Assert.Equal(ServingStatus.NotServing, health);
            Assert.Equal(0, exitCode);
            AssertQuietLog(bridge.Process, expectedWarnings: ["KafkaConnection[1007]", "AuthStartup[1450]"]);
        }
        catch
        {
            output.WriteLine(bridge.Process.Transcript);
            throw;
        }
    }

    [Fact]
    public async Task Process_UnresolvableBootstrapHost_StartsSpoolsAndStopsCleanly()
    {
        const string Servers = "kafka.bridge-test.invalid:9092";
        var spool = Directory.CreateTempSubdirectory("bridge-spool-unresolvable-").FullName;
        try
        {
            using var bridge = await StartBridgeAsync(Servers, spool);
            try
            {
                using var http = new HttpClient { BaseAddress = bridge.Ingress, Timeout = TimeSpan.FromSeconds(10) };
                var live = await http.GetAsync("/healthz");
                var ready = await http.GetAsync("/readyz");
                var posted = await http.PostAsync("/v1/flagger/events", BridgeTestServer.Json(FlaggerPayloads.Event()));
                var body = await posted.Content.ReadAsStringAsync();
                var state = await OutputAsync(bridge.Process, l => l.Contains($"KafkaConnection[1007] Kafka at {Servers} is not reachable: ", StringComparison.Ordinal));
                var health = await HealthAsync(bridge.Grpc);
                bridge.Process.Signal(15);
                var exitCode = await bridge.Process.WaitForExitAsync(TimeSpan.FromSeconds(20));

                Assert.Equal(HttpStatusCode.OK, live.StatusCode);
                Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
                Assert.True(posted.StatusCode == HttpStatusCode.Accepted, $"Expected 202, got {(int)posted.StatusCode}: {body}");
                using (var json = JsonDocument.Parse(body))
                {
                    Assert.True(json.RootElement.GetProperty("spooled").GetBoolean());
                }

                Assert.Contains("Failed to resolve", state, StringComparison.Ordinal);
                Assert.Equal(ServingStatus.NotServing, health);
                Assert.Equal(0, exitCode);
                Assert.Contains(bridge.Process.Output, l => l.Contains("Spool closed with 1 event(s) still to forward", StringComparison.Ordinal));
                AssertQuietLog(bridge.Process, expectedWarnings: ["KafkaConnection[1007]", "AuthStartup[1450]", "SpoolForwarder[1606]"]);
            }
            catch
            {
                output.WriteLine(bridge.Process.Transcript);
                throw;
            }
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    /// <summary>Starts Bridge.Server.dll and waits until it serves; fails when that takes longer than a few seconds.</summary>
    private static async Task<Bridge> StartBridgeAsync(string servers, string? spool)
    {
        var binaries = AppContext.BaseDirectory;
        var ingress = TcpForwarder.FreePort();
        var grpc = TcpForwarder.FreePort();
        var process = new ScriptProcess("dotnet",
        [
            Path.Combine(binaries, "Bridge.Server.dll"),
            "--contentRoot", binaries,
            $"--Kafka:BootstrapServers={servers}",
            "--Kafka:ConnectTimeout=00:00:01",
            "--Kafka:RetryBackoff=00:00:00.200",
            "--Kafka:MaxRetryBackoff=00:00:00.400",
            $"--Ingress:Port={ingress}",
            "--Ingress:BindAddress=127.0.0.1",
            $"--Grpc:Port={grpc}",
            "--Grpc:BindAddress=127.0.0.1",
            "--Subscriptions:HealthCheckInterval=00:00:01",
            "--Hosting:ShutdownTimeout=00:00:05",
            "--Logging:LogLevel:Bridge.Server.Kafka.KafkaConnection=Debug",
            spool is null ? "--Spool:Enabled=false" : $"--Spool:Directory={spool}",
        ]);
        try
        {
            // Before, the bridge served nothing until its Kafka check gave up after 30 s, and then died.
            await process.WaitForLineAsync(l => l.Contains("Ingress listening on", StringComparison.Ordinal), StartTimeout);
        }
        catch
        {
            process.Dispose();
            throw;
        }

        return new Bridge(process, new Uri($"http://127.0.0.1:{ingress}"), new Uri($"http://127.0.0.1:{grpc}"));
    }

    /// <summary>The first output line matching <paramref name="predicate"/>, once there is one (whether it came before or after the call).</summary>
    private static async Task<string> OutputAsync(ScriptProcess process, Func<string, bool> predicate)
    {
        await Wait.UntilAsync(() => process.Output.Any(predicate) || process.HasExited, "the bridge logs the line", StartTimeout);
        return process.Output.FirstOrDefault(predicate) ?? throw new InvalidOperationException("The bridge exited before logging the line.");
    }

    private static async Task<ServingStatus> HealthAsync(Uri address)
    {
        using var channel = GrpcChannel.ForAddress(address);
        var health = new Health.HealthClient(channel);
        return (await health.CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(10))).Status;
    }

    /// <summary>No stack trace, nothing at error level, and warnings only from the expected sources.</summary>
    private static void AssertQuietLog(ScriptProcess process, string[] expectedWarnings)
    {
        var lines = process.Output;
        Assert.DoesNotContain(lines, l => l.Contains("Unhandled exception", StringComparison.Ordinal) || l.TrimStart().StartsWith("at ", StringComparison.Ordinal));
        Assert.DoesNotContain(lines, l => l.Contains(" fail: ", StringComparison.Ordinal) || l.Contains(" crit: ", StringComparison.Ordinal));
        var warnings = lines.Where(l => l.Contains(" warn: ", StringComparison.Ordinal)).ToList();
        Assert.All(warnings, l => Assert.Contains(expectedWarnings, w => l.Contains(w, StringComparison.Ordinal)));
        Assert.Single(warnings, l => l.Contains("KafkaConnection[1007]", StringComparison.Ordinal));
    }

    private sealed record Bridge(ScriptProcess Process, Uri Ingress, Uri Grpc) : IDisposable
    {
        public void Dispose() => Process.Dispose();
    }
}
