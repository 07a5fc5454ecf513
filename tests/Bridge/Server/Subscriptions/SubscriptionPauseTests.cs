using Bridge.Client.V1;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.GrpcApi;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

/// <summary>
/// A stream whose consumer paused its partitions (the client is slower than the topic) keeps delivering after its
/// assignment changes: partitions lost in a broker outage, lost to a commit answered ILLEGAL_GENERATION, revoked and
/// given back by a rebalance.
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
    public async Task PausedStream_RebalanceWhileCatchingUp_DeliversEverythingAfterwards()
    {
        await using var host = await StartAsync();
        var expected = await PublishAsync(host);
        await using var subscriber = await host.SubscribeAsync("catching-up", maxInFlight: MaxInFlight);
        var received = await PauseAsync(host, subscriber, "catching-up");

        // A second stream takes half the partitions while the first is paused, takes one delivery without acking it,
        // and vanishes: its partitions go back to the first stream, which must fetch them again.
        var second = await host.SubscribeAsync("catching-up", maxInFlight: 1);
        await host.WaitForAssignmentAsync("catching-up", streams: 2);
        var taken = await second.NextAsync(DeliveryTimeout);
        await AckAndTakeAsync(subscriber, received, 4);
        await second.DisposeAsync();
        await host.WaitForAssignmentAsync("catching-up", streams: 1);

        await CatchUpAsync(subscriber, received, expected);
        Assert.Contains(received, d => d.Event.Id == taken.Event.Id);
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

    /// <summary>Takes a full window without acking and waits until the stream's consumer paused its partitions.</summary>
    private static async Task<List<SubscribeResponse>> PauseAsync(GrpcBridgeHost host, TestSubscriber subscriber, string subscription)
    {
        var received = await subscriber.TakeAsync(MaxInFlight, DeliveryTimeout);
        var session = host.Services.GetRequiredService<SubscriptionRegistry>().Streams(subscription).Single();
        await Wait.UntilAsync(() => session.IsPaused, "the consumer paused its partitions while the client does not ack", TimeSpan.FromSeconds(15));
        return received;
    }

    /// <summary>Acks everything received and takes <paramref name="count"/> more deliveries.</summary>
    private static async Task AckAndTakeAsync(TestSubscriber subscriber, List<SubscribeResponse> received, int count)
    {
        for (var i = 0; i < count; i++)
        {
            await AckAllAsync(subscriber, received);
            received.Add(await subscriber.NextAsync(DeliveryTimeout));
        }
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
                Assert.Fail($"The stream stopped delivering; {expected.Count - received.Select(d => d.Event.Id).Distinct().Count()} events never arrived: {string.Join(",", missing)}.");
            }
        }
    }
}
