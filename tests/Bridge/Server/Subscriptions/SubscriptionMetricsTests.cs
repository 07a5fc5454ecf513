using Bridge.Client.V1;
using Bridge.Server.Tests.GrpcApi;
using Bridge.Server.Tests.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

public sealed class SubscriptionMetricsTests
{
    [Fact]
    public async Task Lag_UnackedDeliveries_CountedUntilAcked()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await host.PublishAllAsync(Enumerable.Range(0, 5).Select(i => GrpcBridgeHost.Event($"e{i}")).ToArray());
        var metrics = host.Server.Client;

        await using var subscriber = await host.SubscribeAsync("lagging");
        var deliveries = await subscriber.TakeAsync(5);
        await PrometheusText.ScrapeUntilAsync(metrics, "bridge_subscriptions_lag{subscription=\"lagging\"} 5");
        await subscriber.AckAsync(deliveries);
        await PrometheusText.ScrapeUntilAsync(metrics, "bridge_subscriptions_lag{subscription=\"lagging\"} 0");

        var text = await metrics.GetStringAsync("/metrics");
        Assert.Contains("bridge_subscriptions_acks_total{subscription=\"lagging\"} 5", text, StringComparison.Ordinal);
        Assert.Equal(1, PrometheusText.Parse(text).Family("bridge_subscriptions_active").Single().Value);
    }
}
