using System.Diagnostics.Metrics;
using Bridge.Server.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Observability;

public sealed class IngressMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrometheusExporter _exporter;
    private readonly IngressMetrics _metrics;

    public IngressMetricsTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(factory);
        _metrics = new IngressMetrics(factory);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void RequestCompleted_RouteAndStatus_CountedWithDuration()
    {
        _metrics.RequestCompleted("events", 202, 0.002);
        _metrics.RequestCompleted("events", 202, 0.004);
        _metrics.RequestCompleted("events", 503, 1.5);

        var text = _exporter.Collect();

        Assert.Contains("bridge_ingress_requests_total{route=\"events\",status=\"202\"} 2\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_requests_total{route=\"events\",status=\"503\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_request_duration_seconds_bucket{route=\"events\",le=\"0.0025\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_request_duration_seconds_bucket{route=\"events\",le=\"2.5\"} 3\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_request_duration_seconds_count{route=\"events\"} 3\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void EventAccepted_ManyTypes_CardinalityBounded()
    {
        for (var i = 0; i < IngressMetrics.MaxEventTypes + 50; i++)
        {
            _metrics.EventAccepted($"type.{i}");
        }

        _metrics.EventAccepted("type.0");

        var lines = _exporter.Collect().Split('\n').Where(l => l.StartsWith("bridge_ingress_events_accepted_total{", StringComparison.Ordinal)).ToArray();
        Assert.Equal(IngressMetrics.MaxEventTypes + 1, lines.Length);
        Assert.Contains("bridge_ingress_events_accepted_total{type=\"other\"} 50", lines);
        Assert.Contains("bridge_ingress_events_accepted_total{type=\"type.0\"} 2", lines);
    }

    [Fact]
    public void CanaryStatus_Recorded_LastValueWins()
    {
        _metrics.CanaryStatus("test", "podinfo", 0);
        _metrics.CanaryStatus("test", "podinfo", 1);
        _metrics.CanaryStatus("prod", "podinfo", 2);

        var text = _exporter.Collect();

        Assert.Contains("bridge_canary_status{name=\"podinfo\",namespace=\"test\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_canary_status{name=\"podinfo\",namespace=\"prod\"} 2\n", text, StringComparison.Ordinal);
    }
}
