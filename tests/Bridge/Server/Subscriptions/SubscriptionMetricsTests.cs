using Bridge.Client.V1;
using Bridge.Grpc;
using Bridge.Server.Tests.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

public sealed class SubscriptionMetricsTests
{
    [Fact]
    public async Task Lag_UnackedDeliveries_CountedUntilAcked()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await host.PublishAllAsync(Enumerable.Range(0, 5).Select(i => GrpcBridgeHost.Event($"e{i}")).ToArray());
        var metrics = host.Services.GetRequiredService<Bridge.Server.Observability.PrometheusExporter>();

        await using var subscriber = await host.SubscribeAsync("lagging");
        var deliveries = await subscriber.TakeAsync(5);
        await WaitForAsync(() => metrics.Collect().Contains("bridge_subscriptions_lag{subscription=\"lagging\"} 5", StringComparison.Ordinal), "lag 5");
        await subscriber.AckAsync(deliveries);
        await WaitForAsync(() => metrics.Collect().Contains("bridge_subscriptions_lag{subscription=\"lagging\"} 0", StringComparison.Ordinal), "lag 0");

        var text = metrics.Collect();
        Assert.Contains("bridge_subscriptions_acks_total{subscription=\"lagging\"} 5", text, StringComparison.Ordinal);
        Assert.Contains("bridge_subscriptions_active 1", text, StringComparison.Ordinal);
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Waited in vain for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
