using Bridge.Server.Observability;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

/// <summary>The per-subscription series of <see cref="SubscriptionMetrics"/>: names, values, and their bounds.</summary>
public sealed class SubscriptionMetricsSeriesTests
{
    private static readonly Dictionary<string, string?> SmallBounds = new()
    {
        ["Metrics:MaxIdleSubscriptions"] = "3",
        ["Metrics:SubscriptionExpiry"] = "00:10:00",
    };

    [Fact]
    public async Task Counters_StreamDeliveriesAcks_ExportedPerSubscriptionUnderTodaysNames()
    {
        await using var host = await MetricsTestHost.StartAsync();
        var metrics = host.Services.GetRequiredService<SubscriptionMetrics>();

        metrics.StreamOpened("audit");
        metrics.Delivered("audit", 1);
        metrics.Delivered("audit", 2);
        metrics.Acked("audit", 2);
        metrics.Filtered("audit");
        metrics.Invalid("audit");
        var text = await host.ScrapeTextAsync();

        Assert.Contains("# TYPE bridge_subscriptions_streams gauge\nbridge_subscriptions_streams{subscription=\"audit\"} 1\n", text.Replace("# HELP bridge_subscriptions_streams Open Subscribe streams.\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.Contains("bridge_subscriptions_deliveries_total{subscription=\"audit\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_subscriptions_redeliveries_total{subscription=\"audit\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_subscriptions_acks_total{subscription=\"audit\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_subscriptions_filtered_total{subscription=\"audit\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_subscriptions_invalid_records_total{subscription=\"audit\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE bridge_subscriptions_deliveries_total counter\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StreamClosed_SubscriptionGoneForTheExpiry_SeriesRemoved()
    {
        await using var host = await MetricsTestHost.StartAsync(SmallBounds);
        var metrics = host.Services.GetRequiredService<SubscriptionMetrics>();
        metrics.StreamOpened("gone");
        metrics.Delivered("gone", 1);
        metrics.StreamOpened("staying");
        metrics.StreamClosed("gone");

        host.Time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, (await host.ScrapeAsync()).Family("bridge_subscriptions_streams").Single(s => s.Label("subscription") == "gone").Value);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        var samples = await host.ScrapeAsync();

        Assert.DoesNotContain(samples, s => s.Label("subscription") == "gone");
        Assert.Contains(samples, s => s.Name == "bridge_subscriptions_streams" && s.Label("subscription") == "staying" && s.Value == 1);
    }

    [Fact]
    public async Task StreamOpened_OpenSubscriptionsBeyondTheIdleLimit_AllKeptIdleOnesBounded()
    {
        await using var host = await MetricsTestHost.StartAsync(SmallBounds);
        var metrics = host.Services.GetRequiredService<SubscriptionMetrics>();
        for (var i = 0; i < 6; i++)
        {
            metrics.StreamOpened($"open-{i}");
        }

        for (var i = 0; i < 6; i++)
        {
            metrics.StreamOpened($"closed-{i}");
            host.Time.Advance(TimeSpan.FromSeconds(1));
            metrics.StreamClosed($"closed-{i}");
        }

        var names = (await host.ScrapeAsync()).Family("bridge_subscriptions_streams").Select(s => s.Label("subscription")).Order().ToArray();

        Assert.Equal(["closed-3", "closed-4", "closed-5", "open-0", "open-1", "open-2", "open-3", "open-4", "open-5"], names);
    }

    [Fact]
    public async Task Series_ThousandsOfSubscriptionNamesOverTime_StayBoundedAndNewNamesKeepTheirOwnSeries()
    {
        await using var host = await MetricsTestHost.StartAsync(SmallBounds);
        var metrics = host.Services.GetRequiredService<SubscriptionMetrics>();
        var limit = SeriesMeter.CardinalityLimit(SubscriptionMetrics.Budget(new MetricsOptions { MaxIdleSubscriptions = 3 }));

        // Each round reports 3 idle subscriptions that expire afterwards and one more that stays open: far more
        // label sets over the rounds than an instrument has slots.
        var rounds = (limit / 4) + 20;
        IReadOnlyList<PrometheusSample> samples = [];
        for (var round = 0; round < rounds; round++)
        {
            for (var i = 0; i < 10; i++)
            {
                var name = $"r{round}-s{i}";
                metrics.StreamOpened(name);
                metrics.Delivered(name, 1);
                metrics.StreamClosed(name);
                host.Time.Advance(TimeSpan.FromMilliseconds(1));
            }

            metrics.StreamOpened($"live-{round}");
            samples = await host.ScrapeAsync();
            var names = samples.Family("bridge_subscriptions_deliveries_total").Select(s => s.Label("subscription")).ToHashSet();
            Assert.Equal(3 + round + 1, names.Count);
            Assert.Contains($"r{round}-s9", names);
            Assert.Contains($"live-{round}", names);
            host.Time.Advance(TimeSpan.FromMinutes(11));
        }

        Assert.DoesNotContain(samples, s => s.Labels.ContainsKey("otel_metric_overflow"));
    }
}
