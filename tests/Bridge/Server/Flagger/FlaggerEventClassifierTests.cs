using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerEventClassifierTests
{
    // Real message texts as Flagger formats them (scheduler.go, scheduler_hooks.go, scheduler_metrics.go,
    // finalizer.go, controller.go), with the Kubernetes event type Flagger records them with.
    public static TheoryData<string, string, string, string> Templates => new()
    {
        { "Initialization done! podinfo.test", "Normal", "initialized", "info" },
        { "New revision detected! Scaling up podinfo.test", "Normal", "revision.detected", "info" },
        { "New revision detected! Restarting analysis for podinfo.test", "Normal", "revision.detected", "info" },
        { "Starting canary analysis for podinfo.test", "Normal", "analysis.started", "info" },
        { "Advance podinfo.test canary weight 10", "Normal", "weight.advanced", "info" },
        { "Advance podinfo.test canary iteration 3/10", "Normal", "weight.advanced", "info" },
        { "Advance podinfo.test primary weight 80", "Normal", "weight.advanced", "info" },
        { "Routing all traffic to canary", "Normal", "traffic.routed", "info" },
        { "Routing all traffic to primary", "Normal", "traffic.routed", "info" },
        { "Copying podinfo.test template spec to podinfo-primary.test", "Normal", "promotion.started", "info" },
        { "Promotion completed! Scaling down podinfo.test", "Normal", "promoted", "info" },
        { "Promotion completed! Canary analysis was skipped for podinfo.test", "Normal", "promoted", "info" },
        { "Halt podinfo.test advancement success rate 55.00% < 99%", "Warning", "halted", "warn" },
        { "Halt podinfo.test advancement request duration 1.515s > 500ms", "Warning", "halted", "warn" },
        { "Halt podinfo.test advancement error-rate 5.20 > 1", "Warning", "halted", "warn" },
        { "Halt podinfo.test advancement latency 0.12 < 0.5", "Warning", "halted", "warn" },
        { "Halt advancement no values found for istio metric request-success-rate probably podinfo.test is not receiving traffic: running query failed: no values found", "Warning", "halted", "warn" },
        { "Halt podinfo.test advancement pre-rollout check acceptance-test failed Internal Server Error", "Warning", "halted", "warn" },
        { "Halt podinfo.test advancement external check load-test failed Post \"http://flagger-loadtester.test/\": context deadline exceeded", "Warning", "halted", "warn" },
        { "Halt podinfo.test advancement waiting for approval confirm-rollout-gate", "Warning", "approval.waiting", "warn" },
        { "Halt podinfo.test advancement waiting for promotion approval promotion-gate", "Warning", "approval.waiting", "warn" },
        { "Halt podinfo.test advancement waiting for traffic increase approval traffic-gate", "Warning", "approval.waiting", "warn" },
        { "Confirm-rollout check confirm-rollout-gate passed", "Normal", "check.passed", "info" },
        { "Confirm-promotion check promotion-gate passed", "Normal", "check.passed", "info" },
        { "Confirm-traffic-increase check traffic-gate passed", "Normal", "check.passed", "info" },
        { "Pre-rollout check acceptance-test passed", "Normal", "check.passed", "info" },
        { "Post-rollout check notify passed", "Normal", "check.passed", "info" },
        { "Rollback check rollback-gate passed", "Warning", "check.passed", "warn" },
        { "Post-rollout hook notify failed Forbidden", "Warning", "check.failed", "warn" },
        { "Rollback hook rollback-gate not signaling a rollback", "Normal", "rollback.notrequested", "info" },
        { "Rolling back podinfo.test failed checks threshold reached 5", "Warning", "rolledback", "error" },
        { "Rolling back podinfo.test progress deadline exceeded canary deployment podinfo.test not ready: waiting for rollout to finish: 0 of 1 updated replicas are available", "Warning", "rolledback", "error" },
        { "Rolling back podinfo.test manual webhook invoked", "Warning", "rolledback", "warn" },
        { "Canary failed! Scaling down podinfo.test", "Warning", "failed", "error" },
        { "Promotion of podinfo.test failed, primary not ready: deployment podinfo-primary.test not ready", "Warning", "failed", "error" },
        { "Terminating canary podinfo.test", "Normal", "terminating", "info" },
        { "Terminated canary podinfo.test", "Normal", "terminated", "info" },
        { "skipping canary run as object is suspended", "Normal", "suspended", "info" },
        { "all the metrics providers are available!", "Normal", "metrics.available", "info" },
    };

    [Theory]
    [MemberData(nameof(Templates))]
    public void Classify_FlaggerTemplate_TypeAndSeverity(string message, string eventType, string typeSuffix, string severity)
    {
        var classification = FlaggerEventClassifier.Classify(message, eventType);

        Assert.Equal("app.flagger.canary." + typeSuffix, classification.Type);
        Assert.Equal(severity, classification.Severity.ToWireValue());
    }

    [Theory]
    [MemberData(nameof(Templates))]
    public void Classify_FlaggerTemplateWithOtherOrNoEventType_SameClassification(string message, string eventType, string typeSuffix, string severity)
    {
        var other = eventType == "Normal" ? "Warning" : "Normal";

        Assert.Equal(FlaggerEventClassifier.Classify(message, eventType), FlaggerEventClassifier.Classify(message, other));
        var withoutEventType = FlaggerEventClassifier.Classify(message, null);
        Assert.Equal("app.flagger.canary." + typeSuffix, withoutEventType.Type);
        Assert.Equal(severity, withoutEventType.Severity.ToWireValue());
    }

    [Theory]
    [InlineData("deployment podinfo.test not ready: waiting for rollout to finish", "Warning", "warn")]
    [InlineData("Error checking metric providers: prometheus not available", "Warning", "warn")]
    [InlineData("some future Flagger message", "Normal", "info")]
    [InlineData("some future Flagger message", null, "info")]
    [InlineData("some future Flagger message", "Error", "info")]
    [InlineData("some future Flagger message", "warning", "info")]
    [InlineData("", "Warning", "warn")]
    [InlineData(null, null, "info")]
    [InlineData(null, "Warning", "warn")]
    public void Classify_UnknownMessage_EventTypeWithSeverityFromEventType(string? message, string? eventType, string severity)
    {
        var classification = FlaggerEventClassifier.Classify(message, eventType);

        Assert.Equal(FlaggerEventTypes.Event, classification.Type);
        Assert.Equal(severity, classification.Severity.ToWireValue());
    }

    [Theory]
    [InlineData("Advance podinfo.test somewhere")]
    [InlineData("Confirm-rollout check gate failed")]
    [InlineData("Rollback hook gate answered")]
    [InlineData("Copying files")]
    [InlineData("initialization done! podinfo.test")]
    [InlineData(" Initialization done! podinfo.test")]
    [InlineData("Halting is not a template")]
    public void Classify_NearMissOfTemplate_FallsBackToEvent(string message)
    {
        Assert.Equal(FlaggerEventTypes.Event, FlaggerEventClassifier.Classify(message, "Normal").Type);
    }

    [Fact]
    public void Classify_HaltWhoseCheckBodyMentionsApproval_StaysHalted()
    {
        var classification = FlaggerEventClassifier.Classify(
            "Halt podinfo.test advancement external check gate failed advancement waiting for approval", "Warning");

        Assert.Equal(FlaggerEventTypes.Halted, classification.Type);
    }

    [Fact]
    public void Classify_Templates_CoverEveryClassifiedType()
    {
        var produced = Templates.Select(row => "app.flagger.canary." + (string)row[2]).ToHashSet();
        var declared = typeof(FlaggerEventTypes).GetFields()
            .Where(f => f.IsLiteral && f.Name is not (nameof(FlaggerEventTypes.Prefix) or nameof(FlaggerEventTypes.HookPrefix) or nameof(FlaggerEventTypes.Event)))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToHashSet();

        Assert.Equal(declared.Order(), produced.Order());
    }

    [Theory]
    [InlineData(null, "info")]
    [InlineData("Normal", "info")]
    [InlineData("Warning", "warn")]
    [InlineData("WARNING", "info")]
    public void SeverityOf_EventType_Mapped(string? eventType, string severity)
    {
        Assert.Equal(severity, FlaggerEventClassifier.SeverityOf(eventType).ToWireValue());
    }
}
