using System.Diagnostics;
using System.Text.Json;
using Bridge.CloudEvents;
using Bridge.Notifier.Delivery;

namespace Bridge.Notifier.Tests.Delivery;

public sealed class DeliveryPipelineTests
{
    [Fact]
    public async Task Handle_ServerErrorsThenSuccess_RetriedAndDelivered()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        server.Enqueue(new ScriptedResponse(503), new ScriptedResponse(500));
        await using var harness = await Start(server);

        await harness.HandleAsync(Events.Flagger());

        Assert.Equal(3, server.Requests.Count);
        Assert.Empty(harness.Publisher.Published);
    }

    [Fact]
    public async Task Handle_429WithRetryAfter_WaitsAsLongAsAsked()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        server.Enqueue(new ScriptedResponse(429, Headers: new Dictionary<string, string> { ["Retry-After"] = "1" }));
        await using var harness = await Start(server);

        await harness.HandleAsync(Events.Flagger());

        IReadOnlyList<RecordedRequest> requests = server.Requests;
        Assert.Equal(2, requests.Count);
        // The configured retry delay is 20 ms; only Retry-After explains a second's wait.
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(900), $"retried after {requests[1].ReceivedAt - requests[0].ReceivedAt}");
    }

    [Fact]
    public async Task Handle_503WithRetryAfter_WaitsAsLongAsAsked()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        server.Enqueue(new ScriptedResponse(503, Headers: new Dictionary<string, string> { ["Retry-After"] = "1" }));
        await using var harness = await Start(server);

        await harness.HandleAsync(Events.Flagger());

        IReadOnlyList<RecordedRequest> requests = server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.True(requests[1].ReceivedAt - requests[0].ReceivedAt >= TimeSpan.FromMilliseconds(900), $"retried after {requests[1].ReceivedAt - requests[0].ReceivedAt}");
    }

    [Fact]
    public async Task Handle_AlwaysFailing_GivesUpAndPublishesDeliveryFailed()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        server.Responder = _ => new ScriptedResponse(502, "{\"error\":\"bad gateway\"}");
        await using var harness = await Start(server);
        CloudEvent original = Events.Flagger("rolledback", id: "orig-1", severity: "error");

        await harness.HandleAsync(original);

        Assert.Equal(4, server.Requests.Count);
        CloudEvent failed = Assert.Single(harness.Publisher.Published);
        Assert.Equal(DeliveryPipeline.DeliveryFailedType, failed.Type);
        Assert.Equal("/notifier", failed.Source);
        Assert.Equal("prod/podinfo", failed["partitionkey"]);
        Assert.Equal("prod", failed["namespace"]);
        Assert.Equal("podinfo", failed["canary"]);
        Assert.Equal("prod/podinfo", failed.Subject);
        JsonElement data = failed.Data.ToJsonElement();
        Assert.Equal("hook", data.GetProperty("sink").GetString());
        Assert.Equal("webhook", data.GetProperty("sinkType").GetString());
        Assert.Equal("r", data.GetProperty("route").GetString());
        Assert.Equal(4, data.GetProperty("attempts").GetInt32());
        Assert.Equal(502, data.GetProperty("lastStatus").GetInt32());
        Assert.Contains("bad gateway", data.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("orig-1", data.GetProperty("id").GetString());
        Assert.Equal("/flagger/test", data.GetProperty("source").GetString());
        Assert.Equal("app.flagger.canary.rolledback", data.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Handle_ClientError_NotRetriedFailureEventPublished()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        server.Responder = _ => new ScriptedResponse(404);
        await using var harness = await Start(server);

        await harness.HandleAsync(Events.Flagger());

        Assert.Single(server.Requests);
        Assert.Equal(404, Assert.Single(harness.Publisher.Published).Data.ToJsonElement().GetProperty("lastStatus").GetInt32());
    }

    [Fact]
    public async Task Handle_FailureEventNotAccepted_Throws()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        server.Responder = _ => new ScriptedResponse(400);
        await using var harness = await Start(server);
        harness.Publisher.Fail = true;
        CloudEvent cloudEvent = Events.Flagger();

        await Assert.ThrowsAsync<InvalidOperationException>(() => harness.HandleAsync(cloudEvent));

        // Not marked handled: the redelivery (same source and id) is delivered again rather than dropped as a duplicate.
        harness.Publisher.Fail = false;
        await harness.HandleAsync(cloudEvent);
        Assert.Equal(2, server.Requests.Count);
        Assert.Single(harness.Publisher.Published);
    }

    [Fact]
    public async Task Handle_RepeatedFailures_CircuitOpensAndRequestsStop()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        server.Responder = _ => new ScriptedResponse(500);
        await using var harness = await Start(server, o =>
        {
            o.MaxRetries = 0;
            o.BreakerMinimumThroughput = 3;
            o.BreakerFailureRatio = 0.5;
            o.BreakerBreakDuration = TimeSpan.FromMinutes(1);
        });

        for (int i = 0; i < 6; i++)
        {
            await harness.HandleAsync(Events.Flagger(canary: "c" + i));
        }

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(6, harness.Publisher.Published.Count);
        Assert.Contains("circuit", harness.Publisher.Published.Last().Data.ToJsonElement().GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Handle_CircuitOfOneSink_OtherSinkUnaffected()
    {
        await using var failing = await RecordingHttpServer.StartAsync();
        await using var healthy = await RecordingHttpServer.StartAsync();
        failing.Responder = _ => new ScriptedResponse(500);
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              bad: { type: webhook, url: "{{failing.Url("/")}}" }
              good: { type: webhook, url: "{{healthy.Url("/")}}" }
            routes:
              - name: r
                sinks: [bad, good]
            """, o =>
        {
            o.MaxRetries = 0;
            o.BreakerMinimumThroughput = 2;
            o.BreakerBreakDuration = TimeSpan.FromMinutes(1);
        });

        for (int i = 0; i < 5; i++)
        {
            await harness.HandleAsync(Events.Flagger(canary: "c" + i));
        }

        Assert.Equal(2, failing.Requests.Count);
        Assert.Equal(5, healthy.Requests.Count);
    }

    [Fact]
    public async Task Handle_SameSourceAndId_DroppedAsDuplicate()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await Start(server);

        await harness.HandleAsync(Events.Flagger(id: "dup"));
        await harness.HandleAsync(Events.Flagger(id: "dup"));
        await harness.HandleAsync(Events.Flagger(id: "other"));

        Assert.Equal(2, server.Requests.Count);
        Assert.True(harness.Logs.Has(9012));
    }

    [Fact]
    public async Task Handle_RepeatedApprovalWaiting_SentOncePerRolloutUntilPhaseChanges()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await Start(server);
        const string waiting = "Confirm-promotion check confirm failed";

        await harness.HandleAsync(Events.Flagger("approval.waiting", phase: "Waiting", message: waiting));
        await harness.HandleAsync(Events.Flagger("approval.waiting", phase: "Waiting", message: waiting));
        await harness.HandleAsync(Events.Flagger("approval.waiting", phase: "Waiting", message: waiting));
        Assert.Single(server.Requests);

        // A new phase is news; so is a new rollout (checksum), and a different halt message.
        await harness.HandleAsync(Events.Flagger("approval.waiting", phase: "WaitingPromotion", message: waiting));
        await harness.HandleAsync(Events.Flagger("approval.waiting", phase: "Waiting", message: waiting, checksum: "def"));
        await harness.HandleAsync(Events.Flagger("halted", phase: "Progressing", message: "Halt advancement no values found for metric request-success-rate"));
        await harness.HandleAsync(Events.Flagger("halted", phase: "Progressing", message: "Halt advancement no values found for metric request-success-rate"));
        await harness.HandleAsync(Events.Flagger("halted", phase: "Progressing", message: "Halt advancement request-duration 600 > 500"));
        Assert.Equal(5, server.Requests.Count);

        // Events that are not repeats are always sent.
        await harness.HandleAsync(Events.Flagger("weight.advanced"));
        await harness.HandleAsync(Events.Flagger("weight.advanced"));
        Assert.Equal(7, server.Requests.Count);
    }

    [Fact]
    public async Task Handle_RouteWithOncePerRolloutOff_SendsEveryRepeat()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              hook: { type: webhook, url: "{{server.Url("/")}}" }
            routes:
              - sinks: [hook]
                oncePerRollout: false
            """);

        await harness.HandleAsync(Events.Flagger("approval.waiting", phase: "Waiting"));
        await harness.HandleAsync(Events.Flagger("approval.waiting", phase: "Waiting"));

        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Handle_OnlyMatchingRoutes_DeliverWithTheirOwnText()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$$"""
            sinks:
              hook: { type: webhook, url: "{{{server.Url("/")}}}" }
            routes:
              - name: errors
                match: { severity: error }
                sinks: [hook]
                message: "ERR {{ canary }}"
              - name: prod
                match: { namespaces: ["^prod$"] }
                sinks: [hook]
            """);

        await harness.HandleAsync(Events.Flagger(severity: "info", ns: "staging"));
        Assert.Empty(server.Requests);

        await harness.HandleAsync(Events.Flagger(severity: "error", ns: "prod", message: "boom"));

        var texts = server.Requests.Select(r => r.Json.GetProperty("text").GetString()).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["ERR podinfo", "boom"], texts);
    }

    [Fact]
    public async Task Handle_TwoRoutesSameSinkSlowAnswers_OneCanaryNotReordered()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        int calls = 0;
        server.Responder = _ =>
        {
            // The first request is answered slowly: without per-canary order the second route's request would overtake it.
            if (Interlocked.Increment(ref calls) == 1)
            {
                Thread.Sleep(300);
            }
            return ScriptedResponse.Ok();
        };
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              hook: { type: webhook, url: "{{server.Url("/")}}" }
            routes:
              - name: first
                sinks: [hook]
                message: "first"
              - name: second
                sinks: [hook]
                message: "second"
            """);

        await harness.HandleAsync(Events.Flagger());

        Assert.Equal(["first", "second"], server.Requests.Select(r => r.Json.GetProperty("text").GetString()));
    }

    [Fact]
    public async Task Handle_TemplateFailsAtRender_SinkDefaultSentAndLogged()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              hook: { type: webhook, url: "{{server.Url("/")}}" }
            routes:
              - sinks: [hook]
                message: "{% include 'x' %}"
            """);

        await harness.HandleAsync(Events.Flagger(message: "plain"));

        Assert.Equal("plain", Assert.Single(server.Requests).Json.GetProperty("text").GetString());
        Assert.True(harness.Logs.Has(9015));
    }

    [Fact]
    public async Task Handle_RateLimitedSink_SpacesDeliveriesWithoutDropping()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              hook: { type: webhook, url: "{{server.Url("/")}}", ratePerMinute: 120 }
            routes:
              - sinks: [hook]
            """);
        var watch = Stopwatch.StartNew();

        for (int i = 0; i < 4; i++)
        {
            await harness.HandleAsync(Events.Flagger(canary: "c" + i));
        }

        // 120 a minute: a burst of two (one second's worth), then one every 500 ms.
        Assert.Equal(4, server.Requests.Count);
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(900), $"took {watch.Elapsed}");
    }

    private static Task<NotifierHarness> Start(RecordingHttpServer server, Action<Bridge.Notifier.Configuration.DeliveryOptions>? delivery = null) =>
        NotifierHarness.StartAsync($$"""
            sinks:
              hook: { type: webhook, url: "{{server.Url("/hook")}}" }
            routes:
              - name: r
                sinks: [hook]
            """, delivery);
}
