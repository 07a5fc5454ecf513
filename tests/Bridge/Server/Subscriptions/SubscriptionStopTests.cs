using System.Diagnostics;
using Bridge.Client.V1;
using Bridge.Server.Kafka;
using Bridge.Server.Tests.GrpcApi;
using Grpc.Core;

namespace Bridge.Server.Tests.Subscriptions;

/// <summary>A graceful stop of the bridge with Subscribe streams open: bounded whatever Kafka does, and the client's last acks kept.</summary>
public sealed class SubscriptionStopTests
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(10);

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Stop_KafkaDownOrNotAnswering_HostStopsWithinItsShutdownTimeout(bool brokerDown)
    {
        var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?>
        {
            ["Hosting:ShutdownTimeout"] = "00:00:10",
        });
        var subscribers = new List<TestSubscriber>();
        try
        {
            await host.PublishAllAsync(Enumerable.Range(0, 8).Select(i => GrpcBridgeHost.Event($"e{i}", "prod", $"c{i}")).ToArray());
            var acked = await host.SubscribeAsync("outage-acked", maxInFlight: 100);
            subscribers.Add(acked);
            var unacked = await host.SubscribeAsync("outage-unacked", maxInFlight: 100);
            subscribers.Add(unacked);
            var deliveries = await acked.TakeAsync(8);
            await unacked.TakeAsync(8);

            // Acks the broker never sees committed: the final commit and the group leave have no coordinator, or
            // one that does not answer (a network that drops packets rather than refusing connections).
            if (brokerDown)
            {
                host.Kafka.EmbeddedCluster!.SetBrokerDown(1);
            }
            else
            {
                host.Kafka.EmbeddedCluster!.SetBrokerRtt(1, TimeSpan.FromMinutes(2));
            }

            await acked.AckAsync(deliveries);
            var stopwatch = Stopwatch.StartNew();
            await host.Server.App.StopAsync().WaitAsync(ShutdownTimeout * 2);
            stopwatch.Stop();

            // Ack grace period (2 s) and consumer close timeout (5 s) by default: the host does not need its whole budget.
            Assert.True(stopwatch.Elapsed < ShutdownTimeout - TimeSpan.FromSeconds(1),
                $"The host took {stopwatch.Elapsed} to stop; its shutdown timeout is {ShutdownTimeout}.");
            Assert.Equal(StatusCode.Unavailable, (await acked.EndAsync()).StatusCode);
            Assert.Equal(StatusCode.Unavailable, (await unacked.EndAsync()).StatusCode);
        }
        finally
        {
            foreach (var subscriber in subscribers)
            {
                await subscriber.DisposeAsync();
            }

            await host.DisposeAsync().AsTask().WaitAsync(ShutdownTimeout * 2);
        }
    }

    [Fact]
    public async Task Stop_ClientAcksAsTheServerStops_AckedEventsNotDeliveredAgainAfterRestart()
    {
        await using var cluster = EmbeddedKafkaCluster.Start(1);
        var topic = $"stop-acks-{Guid.NewGuid():N}";
        cluster.CreateTopic(topic, GrpcBridgeHost.Partitions, 1);
        var settings = new Dictionary<string, string?>
        {
            ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
            ["Kafka:Topic"] = topic,
        };
        const int Count = 20;
        var first = await GrpcBridgeHost.StartAsync(settings);
        TestSubscriber? subscriber = null;
        IReadOnlyList<PublishAccepted> accepted;
        try
        {
            accepted = await first.PublishAllAsync(Enumerable.Range(0, Count).Select(i => GrpcBridgeHost.Event($"e{i:D2}", "prod", $"c{i % 5}")).ToArray());
            subscriber = await first.SubscribeAsync("restarted", maxInFlight: Count);
            var deliveries = await subscriber.TakeAsync(Count);

            // The stop begins before the acks leave the client: they are in transit while the server stops.
            var stopping = first.Server.App.StopAsync();
            await subscriber.AckAsync(deliveries);
            var status = await subscriber.EndAsync();
            await stopping.WaitAsync(ShutdownTimeout);

            Assert.Equal(StatusCode.Unavailable, status.StatusCode);
        }
        finally
        {
            if (subscriber is not null)
            {
                await subscriber.DisposeAsync();
            }

            await first.DisposeAsync();
        }

        await using var second = await GrpcBridgeHost.StartAsync(settings);
        var committed = second.Committed("restarted");
        foreach (var partition in accepted.GroupBy(a => a.Partition))
        {
            Assert.Equal(partition.Max(a => a.Offset) + 1, committed[partition.Key]);
        }

        await using var again = await second.SubscribeAsync("restarted");
        Assert.Null(await again.PollAsync(TimeSpan.FromSeconds(2)));
    }
}
