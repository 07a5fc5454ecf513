using System.Diagnostics.Metrics;
using Bridge.Server.Observability;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Observability;

public sealed class PrometheusExporterTests : IDisposable
{
    private readonly ServiceProvider _services;
    private readonly IMeterFactory _factory;
    private readonly PrometheusExporter _exporter;

    public PrometheusExporterTests()
    {
        _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        _factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(_factory);
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void Collect_Counter_WritesHelpTypeAndTotalPerTagSet()
    {
        var counter = _factory.Create("Bridge.Test").CreateCounter<long>("bridge.test.requests", "{request}", "Requests seen.");
        counter.Add(2, new KeyValuePair<string, object?>("route", "a"), new KeyValuePair<string, object?>("status", "202"));
        counter.Add(3, new KeyValuePair<string, object?>("status", "202"), new KeyValuePair<string, object?>("route", "a"));
        counter.Add(1, new KeyValuePair<string, object?>("route", "b"), new KeyValuePair<string, object?>("status", 400));

        var text = _exporter.Collect();

        Assert.Equal(
            "# HELP bridge_test_requests_total Requests seen.\n" +
            "# TYPE bridge_test_requests_total counter\n" +
            "bridge_test_requests_total{route=\"a\",status=\"202\"} 5\n" +
            "bridge_test_requests_total{route=\"b\",status=\"400\"} 1\n",
            text);
    }

    [Fact]
    public void Collect_LabelValuesWithQuoteBackslashNewline_AreEscaped()
    {
        var counter = _factory.Create("Bridge.Test").CreateCounter<int>("escapes");
        counter.Add(1, new KeyValuePair<string, object?>("v", "a\"b\\c\nd"));

        var text = _exporter.Collect();

        Assert.Contains("escapes_total{v=\"a\\\"b\\\\c\\nd\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_HelpWithBackslashAndNewline_IsEscaped()
    {
        _factory.Create("Bridge.Test").CreateUpDownCounter<int>("help.test", description: "line1\nback\\slash \"quoted\"").Add(1);

        var text = _exporter.Collect();

        Assert.Contains("# HELP help_test line1\\nback\\\\slash \"quoted\"\n# TYPE help_test gauge\nhelp_test 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_Histogram_WritesCumulativeBucketsSumAndCount()
    {
        var histogram = _factory.Create("Bridge.Test").CreateHistogram<double>(
            "bridge.test.duration", "s", "Durations.", tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 1, 10] });
        var route = new KeyValuePair<string, object?>("route", "x");
        histogram.Record(0.05, route);
        histogram.Record(0.1, route);
        histogram.Record(0.5, route);
        histogram.Record(20, route);

        var text = _exporter.Collect();

        Assert.Equal(
            "# HELP bridge_test_duration_seconds Durations.\n" +
            "# TYPE bridge_test_duration_seconds histogram\n" +
            "bridge_test_duration_seconds_bucket{route=\"x\",le=\"0.1\"} 2\n" +
            "bridge_test_duration_seconds_bucket{route=\"x\",le=\"1\"} 3\n" +
            "bridge_test_duration_seconds_bucket{route=\"x\",le=\"10\"} 3\n" +
            "bridge_test_duration_seconds_bucket{route=\"x\",le=\"+Inf\"} 4\n" +
            "bridge_test_duration_seconds_sum{route=\"x\"} 20.65\n" +
            "bridge_test_duration_seconds_count{route=\"x\"} 4\n",
            text);
    }

    [Fact]
    public void Collect_HistogramWithoutAdviceInSeconds_UsesDefaultSecondBuckets()
    {
        _factory.Create("Bridge.Test").CreateHistogram<double>("latency", "s").Record(0.003);

        var text = _exporter.Collect();

        Assert.Contains("latency_seconds_bucket{le=\"0.0025\"} 0\n", text, StringComparison.Ordinal);
        Assert.Contains("latency_seconds_bucket{le=\"0.005\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("latency_seconds_count 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_GaugeAndObservables_ReportLastAndObservedValues()
    {
        var meter = _factory.Create("Bridge.Test");
        var gauge = meter.CreateGauge<int>("bridge.canary.status");
        gauge.Record(0, new KeyValuePair<string, object?>("namespace", "test"), new KeyValuePair<string, object?>("name", "podinfo"));
        gauge.Record(2, new KeyValuePair<string, object?>("name", "podinfo"), new KeyValuePair<string, object?>("namespace", "test"));
        var observed = 41L;
        meter.CreateObservableCounter("bridge.test.produced", () => ++observed, "{message}");
        meter.CreateObservableGauge("bridge.test.hit", () => 0.25, "1");
        meter.CreateObservableUpDownCounter("bridge.test.queue", () => -3, "By");

        var first = _exporter.Collect();
        var second = _exporter.Collect();

        Assert.DoesNotContain("# HELP bridge_canary_status", first, StringComparison.Ordinal);
        Assert.Contains("# TYPE bridge_canary_status gauge\nbridge_canary_status{name=\"podinfo\",namespace=\"test\"} 2\n", first, StringComparison.Ordinal);
        Assert.Contains("# TYPE bridge_test_produced_total counter\nbridge_test_produced_total 42\n", first, StringComparison.Ordinal);
        Assert.Contains("bridge_test_produced_total 43\n", second, StringComparison.Ordinal);
        Assert.Contains("# TYPE bridge_test_hit_ratio gauge\nbridge_test_hit_ratio 0.25\n", first, StringComparison.Ordinal);
        Assert.Contains("# TYPE bridge_test_queue_bytes gauge\nbridge_test_queue_bytes -3\n", first, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_MeterNotStartingWithBridge_IsNotExported()
    {
        _factory.Create("Other.Meter").CreateCounter<int>("other.requests").Add(1);
        _factory.Create("Bridge.Test").CreateCounter<int>("mine").Add(1);

        var text = _exporter.Collect();

        Assert.DoesNotContain("other", text, StringComparison.Ordinal);
        Assert.Contains("mine_total 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_MeterOfAnotherFactory_IsNotExported()
    {
        using var otherServices = new ServiceCollection().AddMetrics().BuildServiceProvider();
        otherServices.GetRequiredService<IMeterFactory>().Create("Bridge.Test").CreateCounter<int>("foreign").Add(1);

        var text = _exporter.Collect();

        Assert.DoesNotContain("foreign", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_UnscopedMeter_IsExported()
    {
        using var meter = new Meter("Bridge.Unscoped." + Guid.NewGuid().ToString("N"));
        meter.CreateCounter<double>("unscoped.bytes", "By").Add(1.5);

        var text = _exporter.Collect();

        Assert.Contains("unscoped_bytes_total 1.5\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_SpecialValues_UsePrometheusSpelling()
    {
        var meter = _factory.Create("Bridge.Test");
        var values = new[] { double.PositiveInfinity, double.NegativeInfinity, double.NaN };
        meter.CreateObservableGauge("special", () => values.Select((v, i) => new Measurement<double>(v, new KeyValuePair<string, object?>("i", i))));

        var text = _exporter.Collect();

        Assert.Contains("special{i=\"0\"} +Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("special{i=\"1\"} -Inf\n", text, StringComparison.Ordinal);
        Assert.Contains("special{i=\"2\"} NaN\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_InvalidLabelName_IsSanitized()
    {
        _factory.Create("Bridge.Test").CreateCounter<int>("labels").Add(1, new KeyValuePair<string, object?>("http.route-name", "x"), new KeyValuePair<string, object?>("1st", "y"));

        var text = _exporter.Collect();

        Assert.Contains("labels_total{_1st=\"y\",http_route_name=\"x\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Collect_MoreThanFourTags_AggregatesRegardlessOfOrder()
    {
        var counter = _factory.Create("Bridge.Test").CreateCounter<int>("many");
        KeyValuePair<string, object?>[] tags = [new("e", "5"), new("a", "1"), new("d", "4"), new("c", "3"), new("b", "2")];
        counter.Add(1, tags);
        counter.Add(1, tags.Reverse().ToArray());

        var text = _exporter.Collect();

        Assert.Contains("many_total{a=\"1\",b=\"2\",c=\"3\",d=\"4\",e=\"5\"} 2\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Record_ConcurrentAdds_LoseNothing()
    {
        var counter = _factory.Create("Bridge.Test").CreateCounter<double>("concurrent");
        var histogram = _factory.Create("Bridge.Test").CreateHistogram<double>("concurrent.h");

        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 10_000; i++)
            {
                counter.Add(0.5, new KeyValuePair<string, object?>("k", "v"));
                histogram.Record(1);
            }
        })));

        var text = _exporter.Collect();
        Assert.Contains("concurrent_total{k=\"v\"} 20000\n", text, StringComparison.Ordinal);
        Assert.Contains("concurrent_h_count 40000\n", text, StringComparison.Ordinal);
        Assert.Contains("concurrent_h_sum 40000\n", text, StringComparison.Ordinal);
    }
}
