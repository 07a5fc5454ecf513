using System.Diagnostics.CodeAnalysis;

namespace Bridge.Server.Flagger;

/// <summary>
/// The webhook types Flagger calls (<c>spec.analysis.webhooks[].type</c>). Flagger's payload does not
/// say which hook it is, so the ingress takes it from the URL segment (see <see cref="FlaggerHookTypes"/>).
/// </summary>
internal enum FlaggerHookType
{
    /// <summary><c>confirm-rollout</c>: gate before a new revision is scaled up.</summary>
    ConfirmRollout,

    /// <summary><c>pre-rollout</c>: called once before traffic is routed to the canary.</summary>
    PreRollout,

    /// <summary><c>rollout</c>: called every analysis interval before the metric checks.</summary>
    Rollout,

    /// <summary><c>confirm-traffic-increase</c>: gate before every weight increase.</summary>
    ConfirmTrafficIncrease,

    /// <summary><c>confirm-promotion</c>: gate before promotion.</summary>
    ConfirmPromotion,

    /// <summary><c>post-rollout</c>: called after promotion or rollback.</summary>
    PostRollout,

    /// <summary><c>rollback</c>: polled every interval; a success answer makes Flagger roll back.</summary>
    Rollback,

    /// <summary><c>event</c>: one call per Kubernetes event Flagger records for the canary.</summary>
    Event,
}

/// <summary>URL segments of <see cref="FlaggerHookType"/> and their parsing.</summary>
internal static class FlaggerHookTypes
{
    /// <summary>Every URL segment, in the order of <see cref="FlaggerHookType"/>.</summary>
    public static IReadOnlyList<string> Segments { get; } =
    [
        "confirm-rollout", "pre-rollout", "rollout", "confirm-traffic-increase",
        "confirm-promotion", "post-rollout", "rollback", "event",
    ];

    /// <summary>The URL segment (and Flagger's own spelling) of <paramref name="hookType"/>.</summary>
    public static string ToSegment(this FlaggerHookType hookType) => hookType switch
    {
        FlaggerHookType.ConfirmRollout => "confirm-rollout",
        FlaggerHookType.PreRollout => "pre-rollout",
        FlaggerHookType.Rollout => "rollout",
        FlaggerHookType.ConfirmTrafficIncrease => "confirm-traffic-increase",
        FlaggerHookType.ConfirmPromotion => "confirm-promotion",
        FlaggerHookType.PostRollout => "post-rollout",
        FlaggerHookType.Rollback => "rollback",
        FlaggerHookType.Event => "event",
        _ => throw new ArgumentOutOfRangeException(nameof(hookType), hookType, "Unknown Flagger hook type."),
    };

    /// <summary>
    /// Whether Flagger waits on the answer of this hook to decide: the <c>confirm-*</c> gates (2xx
    /// approves) and <c>rollback</c> (2xx rolls back).
    /// </summary>
    public static bool IsGating(this FlaggerHookType hookType) => hookType is
        FlaggerHookType.ConfirmRollout or FlaggerHookType.ConfirmTrafficIncrease
        or FlaggerHookType.ConfirmPromotion or FlaggerHookType.Rollback;

    /// <summary>
    /// Whether Flagger calls this hook repeatedly with the same payload and no timestamp (once per
    /// analysis interval while the canary stays in one phase), so one event per poll series is enough.
    /// </summary>
    public static bool IsPolled(this FlaggerHookType hookType) => hookType.IsGating() || hookType == FlaggerHookType.Rollout;

    /// <summary>Parses a URL segment (ordinal, lower case, exactly as Flagger spells the type).</summary>
    /// <param name="segment">The segment. May be null.</param>
    /// <param name="hookType">The hook type when the result is true.</param>
    public static bool TryParse([NotNullWhen(true)] string? segment, out FlaggerHookType hookType)
    {
        switch (segment)
        {
            case "confirm-rollout": hookType = FlaggerHookType.ConfirmRollout; return true;
            case "pre-rollout": hookType = FlaggerHookType.PreRollout; return true;
            case "rollout": hookType = FlaggerHookType.Rollout; return true;
            case "confirm-traffic-increase": hookType = FlaggerHookType.ConfirmTrafficIncrease; return true;
            case "confirm-promotion": hookType = FlaggerHookType.ConfirmPromotion; return true;
            case "post-rollout": hookType = FlaggerHookType.PostRollout; return true;
            case "rollback": hookType = FlaggerHookType.Rollback; return true;
            case "event": hookType = FlaggerHookType.Event; return true;
            default: hookType = default; return false;
        }
    }

    /// <summary>Parses a URL segment or throws an exception whose message lists the valid segments.</summary>
    /// <param name="segment">The segment. May be null.</param>
    /// <exception cref="FlaggerPayloadException">The segment is not a Flagger hook type.</exception>
    public static FlaggerHookType Parse(string? segment)
    {
        if (TryParse(segment, out var hookType))
        {
            return hookType;
        }

        var shown = segment is null ? "no hook type" : $"'{FlaggerPayloadException.Describe(segment)}'";
        throw new FlaggerPayloadException(
            "hookType",
            $"Unknown Flagger hook type {shown}; expected one of: {string.Join(", ", Segments)} (lower case).");
    }
}
