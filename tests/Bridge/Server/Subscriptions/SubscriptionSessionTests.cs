using Bridge.Client.V1;
using Bridge.Server.Tests.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

/// <summary>Subscriptions end to end: a real host, its embedded Kafka cluster and gRPC streams.</summary>
public sealed class SubscriptionSessionTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Subscribe_ManyEventsOfSeveralCanaries_EachCanaryInOrder()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var canaries = new[] { "api", "web", "db", "cache", "queue" };
        var events = Enumerable.Range(0, 40).SelectMany(i => canaries.Select(c => GrpcBridgeHost.Event($"{c}-{i:D3}", "prod", c))).ToArray();
        await host.PublishAllAsync(events);

        await using var subscriber = await host.SubscribeAsync("ordered", maxInFlight: 1000);
        var deliveries = await subscriber.TakeAsync(events.Length);

        foreach (var canary in canaries)
        {
            var ids = deliveries.Where(d => d.Key == $"prod/{canary}").Select(d => d.Event.Id).ToArray();
            Assert.Equal(Enumerable.Range(0, 40).Select(i => $"{canary}-{i:D3}"), ids);
        }
    }

    [Fact]
    public async Task Subscribe_TwoSubscriptions_EachGetsEveryEvent()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var events = Enumerable.Range(0, 12).Select(i => GrpcBridgeHost.Event($"e{i}", "prod", $"c{i}")).ToArray();
        await host.PublishAllAsync(events);

        await using var first = await host.SubscribeAsync("notifier");
        await using var second = await host.SubscribeAsync("audit");
        var a = await first.TakeAsync(events.Length);
        var b = await second.TakeAsync(events.Length);

        Assert.Equal(events.Select(e => e.Id).Order(), a.Select(d => d.Event.Id).Order());
        Assert.Equal(events.Select(e => e.Id).Order(), b.Select(d => d.Event.Id).Order());
    }

    [Fact]
    public async Task Subscribe_TwoStreamsOfOneSubscription_SplitPartitionsWithoutDuplicates()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await using var first = await host.SubscribeAsync("shared", maxInFlight: 1000);
        await using var second = await host.SubscribeAsync("shared", maxInFlight: 1000);
        var held = await host.WaitForAssignmentAsync("shared", streams: 2);
        Assert.All(held, partitions => Assert.NotEmpty(partitions));
        var events = Enumerable.Range(0, 40).Select(i => GrpcBridgeHost.Event($"e{i}", "prod", $"canary-{i}")).ToArray();
        var accepted = await host.PublishAllAsync(events);
        Assert.True(accepted.Select(a => a.Partition).Distinct().Count() > 1, "The events should span several partitions.");

        var received = new List<(int Stream, SubscribeResponse Delivery)>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (received.Count < events.Length && DateTime.UtcNow < deadline)
        {
            if (await first.PollAsync(TimeSpan.FromMilliseconds(20)) is { } d1)
            {
                received.Add((1, d1));
                await first.AckAsync(d1.AckId);
            }

            if (await second.PollAsync(TimeSpan.FromMilliseconds(20)) is { } d2)
            {
                received.Add((2, d2));
                await second.AckAsync(d2.AckId);
            }
        }

        Assert.Equal(events.Select(e => e.Id).Order(), received.Select(r => r.Delivery.Event.Id).Order());
        Assert.Contains(received, r => r.Stream == 1);
        Assert.Contains(received, r => r.Stream == 2);
        var partitionsOfFirst = received.Where(r => r.Stream == 1).Select(r => r.Delivery.Partition).ToHashSet();
        var partitionsOfSecond = received.Where(r => r.Stream == 2).Select(r => r.Delivery.Partition).ToHashSet();
        Assert.Empty(partitionsOfFirst.Intersect(partitionsOfSecond));
    }

    [Fact]
    public async Task Subscribe_MaxInFlight_NeverMoreUnackedDeliveries()
    {
        const int MaxInFlight = 3;
        await using var host = await GrpcBridgeHost.StartAsync();
        var events = Enumerable.Range(0, 30).Select(i => GrpcBridgeHost.Event($"e{i}", "prod", $"c{i % 4}")).ToArray();
        await host.PublishAllAsync(events);

        await using var subscriber = await host.SubscribeAsync("windowed", maxInFlight: MaxInFlight);
        var first = await subscriber.TakeAsync(MaxInFlight);
        Assert.Null(await subscriber.PollAsync(Quiet));

        var acked = 0;
        var received = MaxInFlight;
        var pending = new Queue<SubscribeResponse>(first);
        while (received < events.Length)
        {
            await subscriber.AckAsync(pending.Dequeue().AckId);
            acked++;
            var next = await subscriber.NextAsync();
            received++;
            pending.Enqueue(next);
            Assert.True(received - acked <= MaxInFlight, $"{received - acked} deliveries unacked, at most {MaxInFlight} allowed.");
        }

        Assert.Equal(MaxInFlight, received - acked);
    }

    [Fact]
    public async Task Subscribe_ClientStallsPastReadAhead_PausesThenDeliversEverythingOnceInOrder()
    {
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Subscriptions:ReadAheadRecords"] = "4" });
        var events = Enumerable.Range(0, 40).Select(i => GrpcBridgeHost.Event($"e{i:D2}", "prod", $"c{i % 3}")).ToArray();
        await host.PublishAllAsync(events);

        await using var subscriber = await host.SubscribeAsync("stalled", maxInFlight: 2);
        var received = new List<SubscribeResponse>(await subscriber.TakeAsync(2));
        var session = host.Services.GetRequiredService<Bridge.Server.Subscriptions.SubscriptionRegistry>().Streams("stalled").Single();
        await Wait.UntilAsync(() => session.IsPaused, "the consumer has paused its partitions while the client does not ack", TimeSpan.FromSeconds(15));

        while (received.Count < events.Length)
        {
            await subscriber.AckAsync(received[^2].AckId, received[^1].AckId);
            received.AddRange(await subscriber.TakeAsync(Math.Min(2, events.Length - received.Count)));
        }

        Assert.Equal(events.Select(e => e.Id).Order(), received.Select(d => d.Event.Id).Order());
        foreach (var key in received.Select(d => d.Key).Distinct())
        {
            var ids = received.Where(d => d.Key == key).Select(d => d.Event.Id).ToArray();
            Assert.Equal(ids.Order(), ids);
        }

        await Wait.UntilAsync(() => !session.IsPaused, "the consumer has resumed", TimeSpan.FromSeconds(10));
    }

    [Fact]
    public async Task Subscribe_RecordThatIsNotACloudEvent_SkippedCountedLoggedAndCommitted()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var poison = await Task.Run(() =>
        {
            using var producer = new Confluent.Kafka.ProducerBuilder<byte[]?, byte[]?>(new Confluent.Kafka.ProducerConfig { BootstrapServers = host.Kafka.BootstrapServers }).Build();
            return producer.ProduceAsync(new Confluent.Kafka.TopicPartition(host.Topic, 0),
                new Confluent.Kafka.Message<byte[]?, byte[]?> { Value = "not an event"u8.ToArray() }).GetAwaiter().GetResult();
        });
        await host.PublishAllAsync(GrpcBridgeHost.Event("valid"));

        await using var subscriber = await host.SubscribeAsync("poison");
        var delivery = await subscriber.NextAsync();
        await host.WaitForCommitAsync("poison", 0, poison.Offset.Value + 1);

        Assert.Equal("valid", delivery.Event.Id);
        Assert.Contains(host.Server.Logs.Entries, e => e.EventId.Id == 1305 && e.Level == Microsoft.Extensions.Logging.LogLevel.Warning
            && e.Message.Contains($"[0] @ {poison.Offset.Value}", StringComparison.Ordinal));
        var metrics = await host.Server.Client.GetStringAsync("/metrics");
        Assert.Contains("bridge_subscriptions_invalid_records_total{subscription=\"poison\"} 1", metrics, StringComparison.Ordinal);
    }

    private static AttributeMatch Match(params (string Name, string Value)[] entries)
    {
        var match = new AttributeMatch();
        foreach (var (name, value) in entries)
        {
            match.Attributes[name] = value;
        }

        return match;
    }
}
