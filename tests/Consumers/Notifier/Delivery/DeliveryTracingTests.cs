using System.Collections.Concurrent;
using System.Diagnostics;
using Bridge.Notifier.Observability;

namespace Bridge.Notifier.Tests.Delivery;

public sealed class DeliveryTracingTests
{
    [Fact]
    public async Task Handle_InsideProcessSpan_OneChildDeliverySpanPerSink()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == NotifierTracing.SourceName || s.Name == "test",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("test");
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              a: { type: webhook, url: "{{server.Url("/a")}}" }
              b: { type: webhook, url: "{{server.Url("/b")}}" }
            routes:
              - name: r
                sinks: [a, b]
            """);

        using (Activity process = source.StartActivity("process notifier")!)
        {
            await harness.HandleAsync(Events.Flagger(id: "traced"));

            // The listener sees every notifier span of the process (tests run in parallel): keep this trace's.
            var deliveries = stopped.Where(a => a.Source.Name == NotifierTracing.SourceName && a.TraceId == process.TraceId).OrderBy(a => a.DisplayName, StringComparer.Ordinal).ToList();
            Assert.Equal(["deliver a", "deliver b"], deliveries.Select(a => a.DisplayName));
            Assert.All(deliveries, a =>
            {
                Assert.Equal(process.SpanId, a.ParentSpanId);
                Assert.Equal(process.TraceId, a.TraceId);
                Assert.Equal("r", a.GetTagItem("notifier.route"));
                Assert.Equal("traced", a.GetTagItem("cloudevents.event_id"));
            });
        }
    }

    [Fact]
    public async Task Handle_DeliveryFails_SpanMarkedAsError()
    {
        var stopped = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == NotifierTracing.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = stopped.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        await using var server = await RecordingHttpServer.StartAsync();
        server.Responder = _ => new ScriptedResponse(400);
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              failing: { type: webhook, url: "{{server.Url("/")}}" }
            routes:
              - sinks: [failing]
            """);

        await harness.HandleAsync(Events.Flagger(id: "traced-failure"));

        Activity span = Assert.Single(stopped, a => Equals(a.GetTagItem("cloudevents.event_id"), "traced-failure"));
        Assert.Equal(ActivityStatusCode.Error, span.Status);
    }
}
