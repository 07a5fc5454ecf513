namespace Bridge.Server.Flagger;

/// <summary>
/// CloudEvent <c>type</c> values produced from Flagger requests. They are a stable contract: consumers
/// filter on them, so a value never changes meaning once published. See docs/events.md.
/// </summary>
internal static class FlaggerEventTypes
{
    /// <summary>Reverse-DNS prefix of every type (Flagger's API group is <c>flagger.app</c>).</summary>
    public const string Prefix = "app.flagger.canary.";

    /// <summary>Prefix of the types of non-event hooks: <c>app.flagger.canary.hook.&lt;hook type&gt;</c>.</summary>
    public const string HookPrefix = Prefix + "hook.";

    public const string Initialized = Prefix + "initialized";
    public const string RevisionDetected = Prefix + "revision.detected";
    public const string AnalysisStarted = Prefix + "analysis.started";
    public const string WeightAdvanced = Prefix + "weight.advanced";
    public const string TrafficRouted = Prefix + "traffic.routed";
    public const string PromotionStarted = Prefix + "promotion.started";
    public const string Promoted = Prefix + "promoted";
    public const string Halted = Prefix + "halted";
    public const string ApprovalWaiting = Prefix + "approval.waiting";
    public const string CheckPassed = Prefix + "check.passed";

    /// <summary>
    /// A check failed without halting the analysis (Flagger: "Post-rollout hook X failed"). Not named
    /// <c>hook.failed</c>: <see cref="HookPrefix"/> is reserved for hook calls, so a prefix filter on it
    /// selects exactly those.
    /// </summary>
    public const string CheckFailed = Prefix + "check.failed";

    public const string RollbackNotRequested = Prefix + "rollback.notrequested";
    public const string RolledBack = Prefix + "rolledback";
    public const string Failed = Prefix + "failed";
    public const string Terminating = Prefix + "terminating";
    public const string Terminated = Prefix + "terminated";
    public const string Suspended = Prefix + "suspended";
    public const string MetricsAvailable = Prefix + "metrics.available";

    /// <summary>An event message that matches no known template (for example a raw error).</summary>
    public const string Event = Prefix + "event";

    /// <summary>The type of a call to a hook other than <see cref="FlaggerHookType.Event"/>, e.g. <c>app.flagger.canary.hook.confirm-promotion</c>.</summary>
    public static string ForHook(FlaggerHookType hookType) => hookType switch
    {
        FlaggerHookType.ConfirmRollout => HookPrefix + "confirm-rollout",
        FlaggerHookType.PreRollout => HookPrefix + "pre-rollout",
        FlaggerHookType.Rollout => HookPrefix + "rollout",
        FlaggerHookType.ConfirmTrafficIncrease => HookPrefix + "confirm-traffic-increase",
        FlaggerHookType.ConfirmPromotion => HookPrefix + "confirm-promotion",
        FlaggerHookType.PostRollout => HookPrefix + "post-rollout",
        FlaggerHookType.Rollback => HookPrefix + "rollback",
        FlaggerHookType.Event => throw new ArgumentException(
            "Event webhook requests get the type of their classified message, not a hook type.", nameof(hookType)),
        _ => throw new ArgumentOutOfRangeException(nameof(hookType), hookType, "Unknown Flagger hook type."),
    };
}
