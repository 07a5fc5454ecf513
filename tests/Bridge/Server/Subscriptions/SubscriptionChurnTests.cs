using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bridge.Client.V1;
using Bridge.Server.Tests.GrpcApi;
using Bridge.Server.Tests.Interop;
using Grpc.Net.Client;

namespace Bridge.Server.Tests.Subscriptions;

/// <summary>
/// Streams of one subscription opened and killed every few seconds (cancelled calls, disposed channels, some before
/// their first assignment, and Python grpcio subscriber processes killed with SIGKILL) while events keep arriving: the bridge stays up, every event is processed, and each
/// membership change delivers again at most about max_in_flight events per stream.
/// </summary>
public sealed class SubscriptionChurnTests
{
    private const int MaxInFlight = 10;
    private const string Subscription = "churned";

    /// <summary>How long the churn lasts; <c>BRIDGE_CHURN_SECONDS</c> makes it longer (minutes) outside CI.</summary>
    private static TimeSpan Duration =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("BRIDGE_CHURN_SECONDS"), out var seconds) && seconds > 0 ? seconds : 40);

    [Fact]
    public async Task Churn_StreamsOpenedAndKilled_ProcessAliveEveryEventProcessedRedeliveriesBounded()
    {
        var stubs = await PythonStubsAsync();
        await using var host = await GrpcBridgeHost.StartAsync();
        var received = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var published = new ConcurrentBag<string>();
        using var stop = new CancellationTokenSource();

        var stable = await host.SubscribeAsync(Subscription, maxInFlight: MaxInFlight);
        var stableLoop = ProcessAsync(stable, received, CancellationToken.None);
        var publishing = PublishAsync(host, published, stop.Token);
        var churning = ChurnAsync(host, stubs, received, stop.Token);

        await Task.Delay(Duration);
        await stop.CancelAsync();
        await publishing;
        var (churns, processKills, processDeliveries) = await churning;

        var expected = published.ToHashSet(StringComparer.Ordinal);
        await Wait.UntilAsync(() => expected.All(received.ContainsKey),
            $"every one of the {expected.Count} published events was processed ({expected.Count(received.ContainsKey)} so far)", TimeSpan.FromSeconds(60));

        // The process survived: it still accepts and delivers.
        await host.PublishAllAsync(GrpcBridgeHost.Event("after-churn", "prod", "after"));
        await Wait.UntilAsync(() => received.ContainsKey("after-churn"), "an event published after the churn was processed");

        var redelivered = received.Values.Sum(count => count - 1);
        var membershipChanges = 2 * churns;
        Assert.True(churns >= 5, $"Only {churns} streams were churned.");
        Assert.True(processKills >= 2 && processDeliveries > 0,
            $"{processKills} subscriber processes were killed, with {processDeliveries} deliveries between them; the churn should include working ones.");
        Assert.True(redelivered <= membershipChanges * 2 * MaxInFlight,
            $"{redelivered} redeliveries over {membershipChanges} membership changes; at most {2 * MaxInFlight} per change expected (max in flight {MaxInFlight}, two streams).");
        await stable.DisposeAsync();
        await stableLoop;
        Directory.Delete(stubs, recursive: true);
    }

    /// <summary>Generates the Python stubs the subscriber processes import (as the interop tests do); fails without Python gRPC.</summary>
    private static async Task<string> PythonStubsAsync()
    {
        Assert.True(File.Exists(BridgeInteropFixture.Python),
            $"The churn test runs subscriber processes with {BridgeInteropFixture.Python} (apt-get install -y python3-grpcio python3-grpc-tools).");
        var directory = Directory.CreateTempSubdirectory("bridge-churn-").FullName;
        var gen = await ProcessRunner.RunAsync("/bin/sh", [Path.Combine(BridgeInteropFixture.ClientDirectory, "gen.sh"), directory], TimeSpan.FromSeconds(60),
            new Dictionary<string, string> { ["PROTOS"] = BridgeInteropFixture.ProtoDirectory, ["PYTHON"] = BridgeInteropFixture.Python });
        Assert.True(gen.ExitCode == 0, "Generating the Python stubs failed (apt-get install -y python3-grpcio python3-grpc-tools): " + gen.Output);
        return directory;
    }

    private static async Task PublishAsync(GrpcBridgeHost host, ConcurrentBag<string> published, CancellationToken cancellationToken)
    {
        var next = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            var batch = Enumerable.Range(next, 5).Select(i => GrpcBridgeHost.Event($"e{i:D6}", "prod", $"c{i % 16}")).ToArray();
            next += batch.Length;
            await host.PublishAllAsync(batch);
            foreach (var e in batch)
            {
                published.Add(e.Id);
            }

            try
            {
                await Task.Delay(100, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Opens a stream of the subscription every 1-3 s, lets it work a while (or not at all), and kills it; every fourth
    /// is a Python subscriber process (bridge_peer.py, acking each delivery) killed with SIGKILL.
    /// </summary>
    private static async Task<(int Churns, int ProcessKills, int ProcessDeliveries)> ChurnAsync(
        GrpcBridgeHost host, string stubs, ConcurrentDictionary<string, int> received, CancellationToken cancellationToken)
    {
        var random = new Random(7);
        var churns = 0;
        var processKills = 0;
        var processDeliveries = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            churns++;
            if (churns % 4 == 2)
            {
                processDeliveries += await RunProcessAsync(host, stubs, TimeSpan.FromMilliseconds(random.Next(2000, 4000)), received);
                processKills++;
                await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 1500)), CancellationToken.None);
                continue;
            }

            var channel = GrpcChannel.ForAddress(host.GrpcAddress);
            var client = new EventBridge.EventBridgeClient(channel);
            var open = new OpenSubscription { Subscription = Subscription, Start = new StartPosition { Earliest = true }, MaxInFlight = MaxInFlight };
            var subscriber = await TestSubscriber.OpenAsync(client, new SubscribeRequest { Open = open });
            using var life = new CancellationTokenSource();
            var loop = ProcessAsync(subscriber, received, life.Token);

            // Every third stream dies right after its open, while its consumer is joining the group.
            var lifetime = churns % 3 == 0 ? TimeSpan.FromMilliseconds(random.Next(0, 300)) : TimeSpan.FromMilliseconds(random.Next(1000, 3000));
            await Task.Delay(lifetime, CancellationToken.None);
            await life.CancelAsync();
            await loop;
            if (churns % 2 == 0)
            {
                // Abruptly: the channel goes away without a half-close or a cancelled call.
                channel.Dispose();
                await subscriber.DisposeAsync();
            }
            else
            {
                await subscriber.DisposeAsync();
                channel.Dispose();
            }

            await Task.Delay(TimeSpan.FromMilliseconds(random.Next(500, 1500)), CancellationToken.None);
        }

        return (churns, processKills, processDeliveries);
    }

    /// <summary>
    /// Runs a Python subscriber process for <paramref name="lifetime"/> (its start-up included), kills it with SIGKILL,
    /// and counts the deliveries it printed (it acks each after printing it); returns how many.
    /// </summary>
    private static async Task<int> RunProcessAsync(GrpcBridgeHost host, string stubs, TimeSpan lifetime, ConcurrentDictionary<string, int> received)
    {
        var open = new JsonObject
        {
            ["subscription"] = Subscription,
            ["start"] = new JsonObject { ["earliest"] = true },
            ["maxInFlight"] = MaxInFlight,
        }.ToJsonString();
        using var peer = new ScriptProcess(BridgeInteropFixture.Python,
        [
            Path.Combine(BridgeInteropFixture.ScriptDirectory, "bridge_peer.py"), stubs, BridgeInteropFixture.ClientDirectory, "subscribe",
            "--address", $"{host.GrpcAddress.Host}:{host.GrpcAddress.Port}", "--open", open, "--ack", "all", "--time-limit", "600",
        ]);
        await Task.Delay(lifetime, CancellationToken.None);
        Assert.False(peer.HasExited, $"The subscriber process ended before it was killed.\n{peer.Transcript}");
        peer.Kill();

        // Its exit status is the signal's; what matters is every line it printed before.
        await peer.WaitForExitAsync(TimeSpan.FromSeconds(10));
        var deliveries = 0;
        foreach (var line in peer.Output.Where(l => l.StartsWith("DELIVERY ", StringComparison.Ordinal)))
        {
            using var delivery = JsonDocument.Parse(line["DELIVERY ".Length..]);
            received.AddOrUpdate(delivery.RootElement.GetProperty("id").GetString()!, 1, (_, count) => count + 1);
            deliveries++;
        }

        return deliveries;
    }

    /// <summary>Counts and acks every delivery at once until cancelled or the stream ends.</summary>
    private static Task ProcessAsync(TestSubscriber subscriber, ConcurrentDictionary<string, int> received, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            SubscribeResponse? delivery;
            try
            {
                delivery = await subscriber.PollAsync(TimeSpan.FromMilliseconds(100));
            }
            catch (Exception)
            {
                return;
            }

            if (delivery is null)
            {
                continue;
            }

            received.AddOrUpdate(delivery.Event.Id, 1, (_, count) => count + 1);
            try
            {
                await subscriber.AckAsync(delivery.AckId);
            }
            catch (Exception)
            {
                return;
            }
        }
    }, CancellationToken.None);
}
