using System.Text;
using Bridge.Client.V1;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.GrpcApi;
using Bridge.Server.Tests.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

/// <summary>
/// A stream whose consumer paused its partitions (the client is slower than the topic) keeps delivering after its
/// assignment changes: partitions lost in a broker outage, lost to a commit answered ILLEGAL_GENERATION, revoked by a
/// rebalance while it catches up.
/// </summary>
public sealed class SubscriptionPauseTests
{
    private const int EventCount = 40;
    private const int MaxInFlight = 2;
    private const short OffsetCommitApi = 8;
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task PausedStream_BrokerOutageLongerThanSessionTimeout_DeliversEverythingAfterwards()
    {
        await using var host = await StartAsync();
        var expected = await PublishAsync(host);
        await using var subscriber = await host.SubscribeAsync("outage", maxInFlight: MaxInFlight);
        var received = await PauseAsync(host, subscriber, "outage");

        var cluster = host.Kafka.EmbeddedCluster!;
        cluster.SetBrokerDown(1);
        await Wait.UntilAsync(() => host.Server.Logs.Has(1304), "the stream's consumer lost its partitions", TimeSpan.FromSeconds(30));
        cluster.SetBrokerUp(1);

        await CatchUpAsync(subscriber, received, expected);
    }

    [Fact]
    public async Task PausedStream_CommitAnsweredIllegalGeneration_DeliversEverythingAfterwards()
    {
        await using var host = await StartAsync();
        var expected = await PublishAsync(host);
        await using var subscriber = await host.SubscribeAsync("fenced", maxInFlight: MaxInFlight);
        var received = await PauseAsync(host, subscriber, "fenced");

        // The ack makes a commit due; the broker answers it as if the group had moved on to a new generation.
        host.Kafka.EmbeddedCluster!.PushRequestErrors(OffsetCommitApi, ErrorCode.IllegalGeneration, ErrorCode.IllegalGeneration, ErrorCode.IllegalGeneration);
        await subscriber.AckAsync(received[0].AckId);
        received.Add(await subscriber.NextAsync(DeliveryTimeout));
        await Wait.UntilAsync(() => host.Server.Logs.Has(1304) || host.Server.Logs.Has(1303), "the fenced consumer gave up its partitions", TimeSpan.FromSeconds(30));

        await CatchUpAsync(subscriber, received, expected);
    }

    [Fact]
    public async Task PausedStream_RebalanceTakesEveryPartitionOfItsBufferedRecords_KeepsDeliveringItsOtherPartitions()
    {
        const string name = "catching-up";
        await using var host = await StartAsync();
        await using var subscriber = await host.SubscribeAsync(name, maxInFlight: MaxInFlight);
        await host.WaitForAssignmentAsync(name, streams: 1);
        var registry = host.Services.GetRequiredService<SubscriptionRegistry>();
        var session = registry.Streams(name).Single();

        // Which partitions a second stream takes from a first that holds them all: the sticky assignor moves the
        // same ones each time the first holds all of them again (checked below, so a different choice fails loudly).
        var rehearsal = await host.SubscribeAsync(name, maxInFlight: 1);
        await WaitForSplitAsync(registry, name);
        var kept = session.Partitions.ToArray();
        var moving = Enumerable.Range(0, GrpcBridgeHost.Partitions).Except(kept).ToArray();
        await rehearsal.DisposeAsync();
        await host.WaitForAssignmentAsync(name, streams: 1);

        // Only the partitions that will move have records while the stream fills its window and read-ahead buffer and
        // pauses; its own partitions get theirs once it is paused, so it holds them paused with nothing buffered.
        await PublishOnAsync(host, moving, "moving", 12);
        var received = await PauseAsync(host, subscriber, name);
        var remaining = await PublishOnAsync(host, kept, "kept", 8);

        // The rebalance drops every buffered record and makes the deliveries in flight stale; the stream must resume
        // the partitions it keeps, or it stays open delivering nothing.
        await using var second = await host.SubscribeAsync(name, maxInFlight: 1);
        await WaitForSplitAsync(registry, name);
        Assert.True(session.Partitions.SequenceEqual(kept),
            $"The rebalance should have left the paused stream partitions {string.Join(",", kept)}, it holds {string.Join(",", session.Partitions)}.");

        await CatchUpAsync(subscriber, received, remaining);
    }

    private static Task<GrpcBridgeHost> StartAsync() =>
        GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Subscriptions:ReadAheadRecords"] = "4" });

    private static async Task<HashSet<string>> PublishAsync(GrpcBridgeHost host)
    {
        var events = Enumerable.Range(0, EventCount).Select(i => GrpcBridgeHost.Event($"e{i:D2}", "prod", $"c{i % 8}")).ToArray();
        var accepted = await host.PublishAllAsync(events);
        Assert.True(accepted.Select(a => a.Partition).Distinct().Count() > 1, "The events should span several partitions.");
        return events.Select(e => e.Id).ToHashSet();
    }

    /// <summary>Waits until two streams hold half the partitions each (the cooperative rebalance's second round is over).</summary>
    private static Task WaitForSplitAsync(SubscriptionRegistry registry, string name) =>
        Wait.UntilAsync(
            () => registry.Streams(name) is { Count: 2 } streams && streams.All(s => s.Partitions.Count == GrpcBridgeHost.Partitions / 2),
            "two streams hold half the partitions each", TimeSpan.FromSeconds(30));

    /// <summary>Publishes <paramref name="count"/> events keyed to land on <paramref name="partitions"/> in turn; returns their ids.</summary>
    private static async Task<HashSet<string>> PublishOnAsync(GrpcBridgeHost host, int[] partitions, string prefix, int count)
    {
        var events = Enumerable.Range(0, count)
            .Select(i => GrpcBridgeHost.Event($"{prefix}{i:D2}", "prod", CanaryOn(partitions[i % partitions.Length])))
            .ToArray();
        var accepted = await host.PublishAllAsync(events);
        Assert.All(accepted, a => Assert.Contains(a.Partition, partitions));
        return events.Select(e => e.Id).ToHashSet();
    }

    /// <summary>A canary of namespace prod whose key (<c>prod/canary</c>) the producer's murmur2 partitioner puts on <paramref name="partition"/>.</summary>
    private static string CanaryOn(int partition) =>
        Enumerable.Range(0, 1000).Select(n => $"c{n}")
            .First(canary => Murmur2.Partition(Encoding.UTF8.GetBytes($"prod/{canary}"), GrpcBridgeHost.Partitions) == partition);

    /// <summary>Takes a full window without acking and waits until the stream's consumer paused its partitions.</summary>
    private static async Task<List<SubscribeResponse>> PauseAsync(GrpcBridgeHost host, TestSubscriber subscriber, string subscription)
    {
        var received = await subscriber.TakeAsync(MaxInFlight, DeliveryTimeout);
        var session = host.Services.GetRequiredService<SubscriptionRegistry>().Streams(subscription).Single();
        await Wait.UntilAsync(() => session.IsPaused, "the consumer paused its partitions while the client does not ack", TimeSpan.FromSeconds(15));
        return received;
    }

    private static async Task AckAllAsync(TestSubscriber subscriber, List<SubscribeResponse> received)
    {
        // Acking an id twice is harmless (the bridge ignores it), so every delivery received so far is acked.
        await subscriber.AckAsync(received.Select(d => d.AckId).Distinct().ToArray());
    }

    /// <summary>Acks everything received and takes deliveries until every expected event arrived (at least once).</summary>
    private static async Task CatchUpAsync(TestSubscriber subscriber, List<SubscribeResponse> received, HashSet<string> expected)
    {
        while (!expected.IsSubsetOf(received.Select(d => d.Event.Id)))
        {
            await AckAllAsync(subscriber, received);
            try
            {
                received.Add(await subscriber.NextAsync(DeliveryTimeout));
            }
            catch (TimeoutException)
            {
                var missing = expected.Except(received.Select(d => d.Event.Id)).Order();
                Assert.Fail($"The stream stopped delivering; {missing.Count()} events never arrived: {string.Join(",", missing)}.");
            }
        }
    }
}
