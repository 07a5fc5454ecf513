using Bridge.Client.V1;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

public sealed class DeliveryAttemptsTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public void Next_SameRecord_CountsUp()
    {
        var attempts = new DeliveryAttempts(100);

        Assert.Equal(1, attempts.Next(0, 5));
        Assert.Equal(2, attempts.Next(0, 5));
        Assert.Equal(1, attempts.Next(1, 5));
        Assert.Equal(3, attempts.Next(0, 5));
        Assert.Equal(2, attempts.Count);
    }

    [Fact]
    public void Forget_BelowCommittedPosition_StartsAgainAtOne()
    {
        var attempts = new DeliveryAttempts(100);
        attempts.Next(0, 1);
        attempts.Next(0, 2);
        attempts.Next(0, 3);

        attempts.Forget(0, 3);

        Assert.Equal(0, attempts.Get(0, 1));
        Assert.Equal(0, attempts.Get(0, 2));
        Assert.Equal(1, attempts.Get(0, 3));
        Assert.Equal(1, attempts.Count);
        Assert.Equal(1, attempts.Next(0, 2));
    }

    [Fact]
    public void Forget_OtherPartition_Untouched()
    {
        var attempts = new DeliveryAttempts(100);
        attempts.Next(1, 0);

        attempts.Forget(0, 100);

        Assert.Equal(1, attempts.Get(1, 0));
    }

    [Fact]
    public void Next_BeyondCapacity_ForgetsLowestOffsetOfFullestPartition()
    {
        var attempts = new DeliveryAttempts(3);
        attempts.Next(0, 10);
        attempts.Next(0, 11);
        attempts.Next(1, 1);

        attempts.Next(0, 12);

        Assert.Equal(3, attempts.Count);
        Assert.Equal(0, attempts.Get(0, 10));
        Assert.Equal(1, attempts.Get(0, 11));
        Assert.Equal(1, attempts.Get(1, 1));
    }

    [Fact]
    public async Task Subscribe_DisconnectWithoutAck_RedeliveredWithAttemptTwo()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await host.PublishAllAsync(GrpcBridgeHost.Event("a"), GrpcBridgeHost.Event("b"));

        await using (var first = await host.SubscribeAsync("retry"))
        {
            var deliveries = await first.TakeAsync(2);
            Assert.All(deliveries, d => Assert.Equal(1, d.Attempt));
            await first.AckAsync(deliveries[0].AckId);
            await host.WaitForCommitAsync("retry", deliveries[0].Partition, deliveries[0].Offset + 1);
        }

        await using var second = await host.SubscribeAsync("retry");
        var again = await second.NextAsync();

        Assert.Equal("b", again.Event.Id);
        Assert.Equal(2, again.Attempt);
        Assert.Null(await second.PollAsync(Quiet));
        var metrics = await host.Server.Client.GetStringAsync("/metrics");
        Assert.Contains("bridge_subscriptions_redeliveries", metrics, StringComparison.Ordinal);
    }
}
