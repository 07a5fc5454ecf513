using Bridge.Client.V1;
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
        await Wait.UntilAsync(() => metrics.Collect().Contains("bridge_subscriptions_lag{subscription=\"lagging\"} 5", StringComparison.Ordinal), "the lag metric shows 5");
        await subscriber.AckAsync(deliveries);
        await Wait.UntilAsync(() => metrics.Collect().Contains("bridge_subscriptions_lag{subscription=\"lagging\"} 0", StringComparison.Ordinal), "the lag metric shows 0");

        var text = metrics.Collect();
        Assert.Contains("bridge_subscriptions_acks_total{subscription=\"lagging\"} 5", text, StringComparison.Ordinal);
        Assert.Contains("bridge_subscriptions_active 1", text, StringComparison.Ordinal);
    }
}
