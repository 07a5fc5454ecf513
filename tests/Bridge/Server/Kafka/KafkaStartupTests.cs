using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Bridge.Server.Kafka;
using Bridge.Server.Spool;
using Bridge.Server.Tests.GrpcApi;
using Bridge.Server.Tests.Hosting;
using Bridge.Server.Tests.Ingress;
using Bridge.Server.Tests.Spool;
using Grpc.Health.V1;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Server.Tests.Kafka;

/// <summary>
/// The whole bridge host started with a bootstrap address nobody listens on: it starts at once and serves, and
/// once a Kafka cluster appears at that address it connects, forwards what it spooled and reports healthy.
/// </summary>
public sealed class KafkaStartupTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Start_NobodyListensAtBootstrapServers_ServesAtOnceSpoolsThenConnectsAndForwardsOnceKafkaAppears()
    {
        var port = TcpForwarder.FreePort();
        var servers = $"127.0.0.1:{port}";
        var clock = Stopwatch.StartNew();
        await using var host = await GrpcBridgeHost.StartAsync(Settings(servers));
        var startup = clock.Elapsed;
        var connection = host.Services.GetRequiredService<KafkaConnection>();
        var health = new Health.HealthClient(host.Channel);

        var live = await host.Server.Client.GetAsync("/healthz");
        var ready = await host.Server.Client.GetAsync("/readyz");
        var posted = await PostEventAsync(host.Server, "early");
        await Wait.UntilAsync(() => connection.State == KafkaConnectionState.Unreachable, "Kafka is reported unreachable");
        await Wait.UntilAsync(() => host.Server.Logs.Has(1009), "another attempt");
        var whileDown = await health.CheckAsync(new HealthCheckRequest());
        var readyWhileDown = await host.Server.Client.GetAsync("/readyz");

        await using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic(connection.Topic, GrpcBridgeHost.Partitions, 1);
        using var forwarder = new TcpForwarder(port, cluster.BootstrapServers);
        await Wait.UntilAsync(() => connection.State == KafkaConnectionState.Connected, "the bridge connected to Kafka", Timeout);
        var store = host.Services.GetRequiredService<SpoolStore>();
        await Wait.UntilAsync(() => store.Count == 0, "the spool forwarded its event to Kafka", Timeout);
        await HealthEndpointsTests.Eventually(
            async () => (await health.CheckAsync(new HealthCheckRequest())).Status == ServingStatus.Serving, Timeout);
        var onKafka = await SpoolIngressTests.ReadIdsByKeyAsync(cluster.BootstrapServers, connection.Topic, 1, Timeout);

        Assert.True(startup < TimeSpan.FromSeconds(5), $"The host took {startup} to start.");
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.True(posted.Spooled, "The event was spooled while Kafka was unreachable.");
        Assert.Equal(ServingStatus.NotServing, whileDown.Status);
        Assert.Equal(HttpStatusCode.OK, readyWhileDown.StatusCode);
        Assert.Equal([posted.Id], onKafka["test/early"]);
        var logs = host.Server.Logs;
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1354 && e.Message.StartsWith($"gRPC health is now NotServing (Kafka at {servers} ", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1354 && e.Message == "gRPC health is now Serving");
        Assert.Equal([1001, 1007, 1006], StateLines(logs));
        Assert.Equal(
            $"Kafka at {servers} is reachable; topic {connection.Topic} has {GrpcBridgeHost.Partitions} partitions",
            Assert.Single(logs.Entries, e => e.EventId.Id == 1006).Message);
        AssertNoRetrySpam(logs);
    }

    [Fact]
    public async Task Start_SpoolDisabledAndKafkaUnreachable_NotReadyAnd503NamingKafkaThenAcceptsOnceKafkaAppears()
    {
        var port = TcpForwarder.FreePort();
        var servers = $"127.0.0.1:{port}";
        var settings = Settings(servers);
        settings["Spool:Enabled"] = "false";
        await using var host = await GrpcBridgeHost.StartAsync(settings);
        var connection = host.Services.GetRequiredService<KafkaConnection>();
        await connection.FirstAttempt.WaitAsync(Timeout);
        await Wait.UntilAsync(() => host.Server.Logs.Has(1009), "another attempt");

        var live = await host.Server.Client.GetAsync("/healthz");
        var ready = await host.Server.Client.GetAsync("/readyz");
        var readyProblem = await BridgeTestServer.ReadProblemAsync(ready, 503);
        var refused = await host.Server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(name: "refused"));
        var refusedProblem = await BridgeTestServer.ReadProblemAsync(refused, 503);

        await using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic(connection.Topic, GrpcBridgeHost.Partitions, 1);
        using var forwarder = new TcpForwarder(port, cluster.BootstrapServers);
        await Wait.UntilAsync(() => connection.State == KafkaConnectionState.Connected, "the bridge connected to Kafka", Timeout);
        var readyAfter = await host.Server.Client.GetAsync("/readyz");
        var accepted = await PostEventAsync(host.Server, "accepted");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.StartsWith($"Kafka at {servers} is not reachable: ", readyProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains($"Kafka at {servers} is not reachable: ", refusedProblem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, readyAfter.StatusCode);
        Assert.False(accepted.Spooled, "With Kafka connected the event is acknowledged by Kafka.");
        Assert.Equal([1001, 1007, 1006], StateLines(host.Server.Logs));
        AssertNoRetrySpam(host.Server.Logs);
    }

    private static Dictionary<string, string?> Settings(string servers) => new(StringComparer.OrdinalIgnoreCase)
    {
        ["Kafka:BootstrapServers"] = servers,
        ["Kafka:ReplicationFactor"] = "1",
        ["Kafka:ConnectTimeout"] = "00:00:00.500",
        ["Kafka:RetryBackoff"] = "00:00:00.100",
        ["Kafka:MaxRetryBackoff"] = "00:00:00.500",
        ["Kafka:CheckInterval"] = "00:00:00.500",
        ["Spool:RetryBackoff"] = "00:00:00.100",
        ["Spool:MaxRetryBackoff"] = "00:00:00.500",
        ["Ingress:ReadinessTimeout"] = "00:00:01",

        // Every line of the Kafka layer, librdkafka's included, to check at which level each was logged.
        ["Logging:LogLevel:Bridge.Server.Kafka"] = "Debug",
    };

    private static async Task<(string Id, bool Spooled)> PostEventAsync(BridgeTestServer server, string canary)
    {
        var response = await server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(name: canary));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202 for {canary}, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var spooled = json.RootElement.TryGetProperty("spooled", out var flag) && flag.GetBoolean();
        return (json.RootElement.GetProperty("ids")[0].GetString()!, spooled);
    }

    /// <summary>The event ids of the connection's state lines (using Kafka, connected, unreachable, topic unavailable), in order.</summary>
    private static int[] StateLines(LogCollector logs) =>
        logs.Entries.Select(e => e.EventId.Id).Where(id => id is 1001 or 1006 or 1007 or 1008).ToArray();

    /// <summary>Nothing at Error or above; librdkafka's retries were there, at Debug only.</summary>
    private static void AssertNoRetrySpam(LogCollector logs)
    {
        Assert.True(logs.Errors.Count == 0, "Logged at Error: " + string.Join("\n", logs.Errors.Select(e => $"{e.Category}[{e.EventId.Id}] {e.Message}")));
        Assert.Contains(logs.Entries, e => e.EventId.Id == 1013 && e.Message.Contains("Connection refused", StringComparison.Ordinal));
        var loud = logs.Entries.Where(e => e.EventId.Id is 1011 or 1013 or 1015 && e.Level > LogLevel.Debug).ToList();
        Assert.True(loud.Count == 0, "librdkafka lines above Debug: " + string.Join("\n", loud.Select(e => $"{e.Level} {e.Message}")));
        Assert.Equal(1, logs.Entries.Count(e => e.EventId.Id == 1007));
        Assert.True(logs.Entries.Any(e => e.EventId.Id == 1009), "Retries while unreachable are logged at Debug.");
        var warnings = logs.Entries.Where(e => e.Category.StartsWith("Bridge.Server.Kafka", StringComparison.Ordinal) && e.Level >= LogLevel.Warning && e.EventId.Id != 1007).ToList();
        Assert.True(warnings.Count == 0, "Kafka layer warnings besides the state line: " + string.Join("\n", warnings.Select(e => $"{e.EventId.Id} {e.Message}")));
    }
}
