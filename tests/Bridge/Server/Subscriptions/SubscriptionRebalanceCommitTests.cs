using System.Collections.Concurrent;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

/// <summary>
/// Commits stay off the consume thread and out of rebalances. A second stream joins a shared subscription while the
/// first holds a full window of deliveries and every Kafka round trip is slow; the acks of that window and of the
/// deliveries that follow arrive while the group rebalances. A consume thread that committed synchronously would
/// sit in each commit for a round trip instead of serving the rebalance, and its commits of the old generation
/// would be refused with ILLEGAL_GENERATION, which makes librdkafka drop the partitions and rejoin: the next
/// rebalance, and records delivered again for every acked record not committed. Here the group settles once,
/// nothing is refused or lost, and what is delivered again is at most the window that was in flight.
/// </summary>
/// <remarks>
/// A regression guard rather than a reproduction: librdkafka's embedded cluster slows every request alike (joins and
/// heartbeats too), and a consume thread that commits synchronously every CommitInterval and on revocation passes
/// this test as well (no commit refused, the rebalance as slow). It pins what the background commits must keep:
/// no commit of a past generation, no lost partitions, redeliveries within max_in_flight.
/// </remarks>
public sealed class SubscriptionRebalanceCommitTests
{
    private const int MaxInFlight = 10;
    private const int EventCount = 200;
    private const string Subscription = "shared";
    private static readonly TimeSpan RoundTrip = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task SecondStreamJoins_FirstHoldsAWindowAndKafkaIsSlow_NoStaleCommitsRedeliveriesWithinTheWindow()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var events = Enumerable.Range(0, EventCount).Select(i => GrpcBridgeHost.Event($"e{i:D3}", "prod", $"c{i % 16}")).ToArray();
        await host.PublishAllAsync(events);
        var received = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);

        await using var first = await host.SubscribeAsync(Subscription, maxInFlight: MaxInFlight);
        await host.WaitForAssignmentAsync(Subscription);
        var window = await first.TakeAsync(MaxInFlight, DeliveryTimeout);
        foreach (var delivery in window)
        {
            received.AddOrUpdate(delivery.Event.Id, 1, (_, count) => count + 1);
        }

        var logsBefore = host.Server.Logs.Entries.Count;
        host.Kafka.EmbeddedCluster!.SetBrokerRtt(1, RoundTrip);

        using var stop = new CancellationTokenSource();
        await using var second = await host.SubscribeAsync(Subscription, maxInFlight: MaxInFlight);
        var secondLoop = ProcessAsync(second, received, stop.Token);

        // The window's acks, and every delivery after them, reach the first stream while the group rebalances.
        await first.AckAsync(window);
        var firstLoop = ProcessAsync(first, received, stop.Token);

        var registry = host.Services.GetRequiredService<SubscriptionRegistry>();
        await Wait.UntilAsync(
            () => registry.Streams(Subscription) is { Count: 2 } streams && streams.All(s => s.Partitions.Count == GrpcBridgeHost.Partitions / 2),
            "the rebalance gave each stream half the partitions", TimeSpan.FromSeconds(20));
        var ids = events.Select(e => e.Id).ToArray();
        await Wait.UntilAsync(() => ids.All(received.ContainsKey),
            $"every one of the {EventCount} events was processed ({ids.Count(received.ContainsKey)} so far)", TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(firstLoop, secondLoop);

        var logs = host.Server.Logs.Entries.Skip(logsBefore).ToArray();
        var trail = string.Join('\n', logs.Where(e => e.EventId.Id is >= 1302 and <= 1308).Select(e => $"{e.EventId.Id} {e.Message}"));
        Assert.False(logs.Any(e => e.EventId.Id == 1306 && e.Message.Contains("generation", StringComparison.OrdinalIgnoreCase)),
            $"A commit of a past generation was refused:\n{trail}");
        Assert.False(logs.Any(e => e.EventId.Id == 1304), $"A stream lost its partitions (a refused commit or a missed rebalance):\n{trail}");
        var redelivered = received.Values.Sum(count => count - 1);
        Assert.True(redelivered <= MaxInFlight, $"{redelivered} records delivered again; at most the {MaxInFlight} in flight expected:\n{trail}");
    }

    /// <summary>Counts and acks every delivery at once until cancelled or the stream ends.</summary>
    private static Task ProcessAsync(TestSubscriber subscriber, ConcurrentDictionary<string, int> received, CancellationToken cancellationToken) => Task.Run(async () =>
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var delivery = await subscriber.PollAsync(TimeSpan.FromMilliseconds(100));
            if (delivery is null)
            {
                continue;
            }

            received.AddOrUpdate(delivery.Event.Id, 1, (_, count) => count + 1);
            await subscriber.AckAsync(delivery.AckId);
        }
    }, CancellationToken.None);
}
