using Bridge.Server.Observability;

namespace Bridge.Server.Tests.Observability;

public sealed class PrometheusNamingTests
{
    [Theory]
    [InlineData("bridge.ingress.requests", "{request}", MetricKind.Counter, "bridge_ingress_requests_total")]
    [InlineData("bridge.ingress.request.duration", "s", MetricKind.Histogram, "bridge_ingress_request_duration_seconds")]
    [InlineData("bridge.kafka.produce.bytes", "By", MetricKind.Counter, "bridge_kafka_produce_bytes_total")]
    [InlineData("bridge.canary.status", null, MetricKind.Gauge, "bridge_canary_status")]
    [InlineData("queueTime", "ms", MetricKind.Gauge, "queue_time_milliseconds")]
    [InlineData("HTTPServerLatency", "s", MetricKind.Histogram, "http_server_latency_seconds")]
    [InlineData("already_total", null, MetricKind.Counter, "already_total")]
    [InlineData("cpu.usage", "1", MetricKind.Gauge, "cpu_usage_ratio")]
    [InlineData("cpu.usage", "1", MetricKind.Counter, "cpu_usage_total")]
    [InlineData("throughput", "By/s", MetricKind.Gauge, "throughput_bytes_per_second")]
    [InlineData("wait_seconds", "s", MetricKind.Histogram, "wait_seconds")]
    [InlineData("9lives", null, MetricKind.Gauge, "_9lives")]
    [InlineData("a--b..c", null, MetricKind.Gauge, "a_b_c")]
    [InlineData("ns:metric", null, MetricKind.Gauge, "ns:metric")]
    public void MetricName_InstrumentNameAndUnit_FollowsPrometheusConventions(string name, string? unit, MetricKind kind, string expected) =>
        Assert.Equal(expected, PrometheusNaming.MetricName(name, unit, (PrometheusMetricKind)kind));

    // The production enum is internal; xunit theory parameters must be public.
    public enum MetricKind
    {
        Counter = PrometheusMetricKind.Counter,
        Gauge = PrometheusMetricKind.Gauge,
        Histogram = PrometheusMetricKind.Histogram,
    }

    [Theory]
    [InlineData("route", "route")]
    [InlineData("http.route", "http_route")]
    [InlineData("ns:x", "ns_x")]
    [InlineData("2xx", "_2xx")]
    [InlineData("", "_")]
    public void LabelName_TagName_IsValidLabel(string tag, string expected) =>
        Assert.Equal(expected, PrometheusNaming.LabelName(tag));
}
