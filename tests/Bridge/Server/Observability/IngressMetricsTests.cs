using Bridge.Server.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Observability;

public sealed class IngressMetricsTests
{
    private static readonly Dictionary<string, string?> SmallCanaryBounds = new()
    {
        ["Metrics:MaxCanaries"] = "5",
        ["Metrics:CanaryExpiry"] = "01:00:00",
    };

    [Fact]
    public async Task RequestCompleted_RouteAndStatus_CountedWithDuration()
    {
        await using var host = await MetricsTestHost.StartAsync();
        var metrics = host.Services.GetRequiredService<IngressMetrics>();

        metrics.RequestCompleted("events", 202, 0.002);
        metrics.RequestCompleted("events", 202, 0.004);
        metrics.RequestCompleted("events", 503, 1.5);
        var text = await host.ScrapeTextAsync();

        Assert.Contains("# TYPE bridge_ingress_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_requests_total{route=\"events\",status=\"202\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_requests_total{route=\"events\",status=\"503\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE bridge_ingress_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_request_duration_seconds_bucket{route=\"events\",le=\"0.0025\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_request_duration_seconds_bucket{route=\"events\",le=\"2.5\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_request_duration_seconds_count{route=\"events\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_request_duration_seconds_sum{route=\"events\"} 1.506\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EventAccepted_ManyTypes_CardinalityBounded()
    {
        await using var host = await MetricsTestHost.StartAsync();
        var metrics = host.Services.GetRequiredService<IngressMetrics>();

        for (var i = 0; i < IngressMetrics.MaxEventTypes + 50; i++)
        {
            metrics.EventAccepted($"type.{i}");
        }

        metrics.EventAccepted("type.0");
        var accepted = (await host.ScrapeAsync()).Family("bridge_ingress_events_accepted_total").ToArray();

        Assert.Equal(IngressMetrics.MaxEventTypes + 1, accepted.Length);
        Assert.Equal(50, accepted.Single(s => s.Label("type") == "other").Value);
        Assert.Equal(2, accepted.Single(s => s.Label("type") == "type.0").Value);
    }

    [Fact]
    public async Task CanaryStatus_Recorded_LastValueWinsWithFlaggersLabels()
    {
        await using var host = await MetricsTestHost.StartAsync();
        var metrics = host.Services.GetRequiredService<IngressMetrics>();

        metrics.CanaryStatus("test", "podinfo", 0);
        metrics.CanaryStatus("test", "podinfo", 1);
        metrics.CanaryStatus("prod", "podinfo", 2);
        var text = await host.ScrapeTextAsync();

        Assert.Contains("# TYPE bridge_canary_status gauge\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_canary_status{name=\"podinfo\",namespace=\"test\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_canary_status{name=\"podinfo\",namespace=\"prod\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CanaryStatus_NotHeardOfForTheExpiry_SeriesGone()
    {
        await using var host = await MetricsTestHost.StartAsync(SmallCanaryBounds);
        var metrics = host.Services.GetRequiredService<IngressMetrics>();
        metrics.CanaryStatus("test", "quiet", 1);
        metrics.CanaryStatus("test", "busy", 0);
        Assert.Equal(2, (await host.ScrapeAsync()).Family("bridge_canary_status").Count());

        host.Time.Advance(TimeSpan.FromMinutes(59));
        metrics.CanaryStatus("test", "busy", 2);
        host.Time.Advance(TimeSpan.FromMinutes(2));
        var status = (await host.ScrapeAsync()).Family("bridge_canary_status").ToArray();

        var only = Assert.Single(status);
        Assert.Equal("busy", only.Label("name"));
        Assert.Equal(2, only.Value);
    }

    [Fact]
    public async Task CanaryStatus_MoreCanariesThanTheLimit_KeepsThoseHeardOfLast()
    {
        await using var host = await MetricsTestHost.StartAsync(SmallCanaryBounds);
        var metrics = host.Services.GetRequiredService<IngressMetrics>();

        for (var i = 0; i < 8; i++)
        {
            metrics.CanaryStatus("test", $"c{i}", 1);
            host.Time.Advance(TimeSpan.FromSeconds(1));
        }

        metrics.CanaryStatus("test", "c3", 2);
        var names = (await host.ScrapeAsync()).Family("bridge_canary_status").Select(s => s.Label("name")).Order().ToArray();

        Assert.Equal(["c3", "c4", "c5", "c6", "c7"], names);
    }

    [Fact]
    public async Task CanaryStatus_FarMoreCanariesOverTimeThanSeriesSlots_NewOnesStillGetTheirOwnSeries()
    {
        // Budget 10 slots: OpenTelemetry would merge later canaries into an overflow series unless the meter is renewed.
        await using var host = await MetricsTestHost.StartAsync(SmallCanaryBounds);
        var metrics = host.Services.GetRequiredService<IngressMetrics>();
        var limit = SeriesMeter.CardinalityLimit(IngressMetrics.CanaryBudget(new MetricsOptions { MaxCanaries = 5 }));

        IReadOnlyList<PrometheusSample> last = [];
        for (var round = 0; round < (limit / 5) + 20; round++)
        {
            for (var i = 0; i < 5; i++)
            {
                metrics.CanaryStatus("test", $"r{round}-c{i}", round % 3);
                host.Time.Advance(TimeSpan.FromMilliseconds(1));
            }

            last = await host.ScrapeAsync();
            var status = last.Family("bridge_canary_status").ToArray();
            Assert.Equal(5, status.Length);
            Assert.All(status, s => Assert.StartsWith($"r{round}-", s.Label("name"), StringComparison.Ordinal));
        }

        Assert.DoesNotContain(last, s => s.Labels.ContainsKey("otel_metric_overflow"));
    }
}
