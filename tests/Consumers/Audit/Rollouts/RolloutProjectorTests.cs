using Bridge.Audit.Rollouts;
using Bridge.Audit.Storage;
using Bridge.Audit.Tests.Infrastructure;

namespace Bridge.Audit.Tests.Rollouts;

public sealed class RolloutProjectorTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 10, 9, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("Advance podinfo.test canary weight 10", 10, null, null, false)]
    [InlineData("Advance podinfo.test canary iteration 2/10", null, 2, 10, false)]
    [InlineData("Advance podinfo.test primary weight 60", 60, null, null, true)]
    [InlineData("Advance podinfo.test canary weight ten", null, null, null, false)]
    [InlineData("Routing all traffic to primary", null, null, null, false)]
    public void ParseAdvance_FlaggerTemplates(string message, int? weight, int? iteration, int? iterations, bool primary) =>
        Assert.Equal((weight, iteration, iterations, primary), FlaggerMessages.ParseAdvance(message));

    [Theory]
    [InlineData("Halt podinfo.test advancement waiting for promotion approval gate", "confirm-promotion", "gate")]
    [InlineData("Halt podinfo.test advancement waiting for traffic increase approval step-gate", "confirm-traffic-increase", "step-gate")]
    [InlineData("Halt podinfo.test advancement waiting for approval start", "confirm-rollout", "start")]
    public void ParseWaiting_NamesGateAndWebhook(string message, string hook, string webhook) =>
        Assert.Equal((hook, webhook), FlaggerMessages.ParseWaiting(message));

    [Fact]
    public void ParsePassedGate_OnlyGates()
    {
        Assert.Equal(("confirm-traffic-increase", "step gate"), FlaggerMessages.ParsePassedGate("Confirm-traffic-increase check step gate passed"));
        Assert.Null(FlaggerMessages.ParsePassedGate("Pre-rollout check smoke passed"));
    }

    [Fact]
    public void Apply_PromotedLifecycle_TimelineGatesAndEnd()
    {
        var rollout = Project(FlaggerLifecycle.Promoted(), "c1", out var canary);

        Assert.Equal(RolloutStatus.Promoted, rollout.Status);
        Assert.Equal(Start, rollout.StartedAt);
        Assert.Equal(Start.AddSeconds(15), rollout.End!.Time);
        Assert.Equal("Promotion completed! Scaling down podinfo.test", rollout.End.Message);
        Assert.Equal(17, rollout.EventCount);
        Assert.Equal(17, rollout.Steps.Count);
        Assert.Equal(["revision.detected", "hook.confirm-rollout", "check.passed"], rollout.Steps.Take(3).Select(s => s.Type));
        var halted = Assert.Single(rollout.Steps, s => s.FailedCheck is not null);
        Assert.Equal("Halt podinfo.test advancement success rate 90.00% < 99%", halted.FailedCheck);
        Assert.Equal(2, rollout.Gates.Count);
        Assert.Equal(("confirm-rollout", "gate-rollout", Start.AddSeconds(1), Start.AddSeconds(2)),
            (rollout.Gates[0].Hook, rollout.Gates[0].Webhook, rollout.Gates[0].CalledAt, rollout.Gates[0].ApprovedAt));
        Assert.Equal("Succeeded", canary.Phase);
        Assert.Equal(rollout.Id, canary.CurrentRolloutId);
    }

    [Fact]
    public void Apply_GateWithoutApproverInMetadata_ApprovedByTheWebhookName()
    {
        var calls = FlaggerLifecycle.Promoted().Select(c => c with { Metadata = null }).ToList();

        var rollout = Project(calls, "c1", out _);

        Assert.Equal("gate-promo", rollout.Gates.Single(g => g.Hook == "confirm-promotion").ApprovedBy);
    }

    [Fact]
    public void Apply_WaitingForApproval_StatusWaitingUntilTheCheckPasses()
    {
        var calls = FlaggerLifecycle.Promoted();
        var waiting = Project(calls.Take(11).ToList(), "c1", out _);
        var passed = Project(calls.Take(13).ToList(), "c1", out _);

        Assert.Equal(RolloutStatus.Waiting, waiting.Status);
        Assert.Equal(RolloutStatus.Progressing, passed.Status);
    }

    [Fact]
    public void Apply_RolledBackThenFailed_TheFirstEndCounts()
    {
        var rollout = Project(FlaggerLifecycle.RolledBack(), "c1", out _);

        Assert.Equal(RolloutStatus.RolledBack, rollout.Status);
        Assert.Equal(Start.AddSeconds(4), rollout.EndedAt);
        Assert.Equal(2, rollout.FailedChecks);
        Assert.Equal(6, rollout.Steps.Count);
    }

    [Fact]
    public void Apply_NewRevisionBeforeTheEnd_SupersedesTheRolloutUnderWay()
    {
        var canary = (CanaryState?)null;
        Rollout? first = null;
        long seq = 0;
        foreach (var e in FlaggerLifecycle.Events(FlaggerLifecycle.Promoted().Take(7).ToList(), "podinfo", "test", "c1", Start))
        {
            var p = RolloutProjector.Apply(EventFacts.From(e, Start), ++seq, canary, first, first);
            canary = p.Canary;
            first = p.Rollout;
        }

        var next = FlaggerLifecycle.ToCloudEvent(FlaggerLifecycle.Promoted()[0], "podinfo", "test", "c2", Start.AddMinutes(5));
        var projection = RolloutProjector.Apply(EventFacts.From(next, Start), ++seq, canary, null, first);

        Assert.Same(first, projection.Superseded);
        Assert.Equal(RolloutStatus.Superseded, first!.Status);
        Assert.Equal(Start.AddMinutes(5), first.EndedAt);
        Assert.NotEqual(first.Id, projection.Rollout!.Id);
        Assert.Equal(projection.Rollout.Id, projection.Canary!.CurrentRolloutId);
    }

    [Fact]
    public void Apply_EventOfNoCanary_ChangesNothing()
    {
        var projection = RolloutProjector.Apply(EventFacts.From(FlaggerLifecycle.Custom("x", "com.example.build", null, "hi", Start), Start), 1, null, null, null);

        Assert.Equal(new Projection(null, null, null), projection);
    }

    private static Rollout Project(IReadOnlyList<FlaggerCall> calls, string checksum, out CanaryState canary)
    {
        CanaryState? state = null;
        Rollout? rollout = null;
        long seq = 0;
        foreach (var e in FlaggerLifecycle.Events(calls, "podinfo", "test", checksum, Start))
        {
            var p = RolloutProjector.Apply(EventFacts.From(e, Start), ++seq, state, rollout, rollout);
            state = p.Canary;
            rollout = p.Rollout;
        }

        canary = state!;
        return rollout!;
    }
}
