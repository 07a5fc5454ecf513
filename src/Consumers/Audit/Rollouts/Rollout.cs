namespace Bridge.Audit.Rollouts;

/// <summary>Outcomes and states of a rollout, as the API shows them.</summary>
internal static class RolloutStatus
{
    public const string Progressing = "progressing";
    public const string Waiting = "waiting";
    public const string Promoted = "promoted";
    public const string Failed = "failed";
    public const string RolledBack = "rolledback";

    /// <summary>A newer revision started before this one ended (Flagger restarted the analysis).</summary>
    public const string Superseded = "superseded";

    public static bool IsEnded(string status) => status is Promoted or Failed or RolledBack or Superseded;

    public static bool IsFailure(string status) => status is Failed or RolledBack;
}

/// <summary>
/// One rollout: a canary revision (Flagger's checksum) from the first event about it to its end, with its timeline.
/// Stored as JSON beside the events and rebuilt event by event by <see cref="RolloutProjector"/>.
/// </summary>
internal sealed class Rollout
{
    public string Id { get; set; } = string.Empty;
    public string Namespace { get; set; } = string.Empty;
    public string Canary { get; set; } = string.Empty;
    public string Checksum { get; set; } = string.Empty;
    public string Status { get; set; } = RolloutStatus.Progressing;
    public DateTimeOffset StartedAt { get; set; }
    public DateTimeOffset LastEventAt { get; set; }
    public DateTimeOffset? EndedAt { get; set; }
    public double? DurationSeconds { get; set; }

    /// <summary>The sequence number of the rollout's first stored event: orders rollouts and pages them.</summary>
    public long FirstSeq { get; set; }
    public int? Weight { get; set; }
    public int? Iteration { get; set; }
    public int? Iterations { get; set; }
    public int FailedChecks { get; set; }
    public int EventCount { get; set; }
    public RolloutEnd? End { get; set; }
    public List<RolloutGate> Gates { get; set; } = [];
    public List<RolloutStep> Steps { get; set; } = [];
}

/// <summary>One entry of a rollout's timeline.</summary>
internal sealed class RolloutStep
{
    public DateTimeOffset Time { get; set; }
    public long Seq { get; set; }
    public string Type { get; set; } = string.Empty;
    public string? Phase { get; set; }
    public int? Weight { get; set; }
    public int? Iteration { get; set; }
    public int? Iterations { get; set; }

    /// <summary>The metric or webhook check that failed at this step (a <c>halted</c> event), as Flagger worded it.</summary>
    public string? FailedCheck { get; set; }
    public string? Message { get; set; }
}

/// <summary>A manual gate (<c>confirm-rollout</c>, <c>confirm-traffic-increase</c>, <c>confirm-promotion</c>).</summary>
internal sealed class RolloutGate
{
    public string Hook { get; set; } = string.Empty;

    /// <summary>The webhook's name in the canary, when an event named it.</summary>
    public string? Webhook { get; set; }

    /// <summary>When Flagger first said it waits for this gate.</summary>
    public DateTimeOffset? WaitingSince { get; set; }

    /// <summary>When Flagger (last) called the gate's webhook.</summary>
    public DateTimeOffset? CalledAt { get; set; }
    public DateTimeOffset? ApprovedAt { get; set; }

    /// <summary>Who approved: the approver the webhook's metadata names, else the webhook (or hook) name.</summary>
    public string? ApprovedBy { get; set; }
}

/// <summary>How a rollout ended.</summary>
internal sealed class RolloutEnd
{
    public DateTimeOffset Time { get; set; }
    public string Outcome { get; set; } = string.Empty;
    public string? Message { get; set; }
}

/// <summary>The last known state of one canary.</summary>
internal sealed class CanaryState
{
    public string Namespace { get; set; } = string.Empty;
    public string Name { get; set; } = string.Empty;
    public string? Phase { get; set; }
    public DateTimeOffset LastEventAt { get; set; }
    public string? CurrentRolloutId { get; set; }
}
