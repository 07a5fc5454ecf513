using System.Security.Cryptography;
using System.Text;
using Bridge.Audit.Storage;

namespace Bridge.Audit.Rollouts;

/// <summary>What storing one event changed: the canary, the rollout it belongs to, and a rollout it superseded.</summary>
/// <param name="Canary">The canary's new state; null for events about no canary.</param>
/// <param name="Rollout">The rollout the event belongs to; null when it belongs to none.</param>
/// <param name="Superseded">A rollout of the canary the event's new revision ended.</param>
/// <param name="Ended">True when this event ended <paramref name="Rollout"/>.</param>
internal sealed record Projection(CanaryState? Canary, Rollout? Rollout, Rollout? Superseded, bool Ended = false);

/// <summary>
/// Rebuilds rollouts from events, one event at a time (pure logic; the store loads the state and saves the result in
/// the transaction that stores the event).
/// </summary>
internal static class RolloutProjector
{
    /// <summary>A timeline keeps at most this many steps; later events still count and can still end the rollout.</summary>
    public const int MaxSteps = 2000;

    // Flagger events that are about the canary object, not about a revision's rollout.
    private static readonly HashSet<string> CanaryOnlyTypes = new(StringComparer.Ordinal)
    {
        "initialized", "terminating", "terminated", "suspended", "metrics.available",
    };

    // Sent every interval while a rollout runs: counted, but they would bury the timeline.
    private static readonly HashSet<string> QuietTypes = new(StringComparer.Ordinal)
    {
        "rollback.notrequested", "hook.rollback",
    };

    /// <summary>The opaque id of the rollout of a canary revision.</summary>
    public static string RolloutId(string ns, string canary, string checksum) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{ns}/{canary}/{checksum}")).AsSpan(0, 8));

    /// <summary>The id of the rollout the event belongs to, to load before <see cref="Apply"/>; null when it names no revision.</summary>
    public static string? TargetRolloutId(EventFacts facts) =>
        facts is { Namespace: { } ns, Canary: { } canary, Checksum: { } checksum } ? RolloutId(ns, canary, checksum) : null;

    /// <summary>
    /// Applies one event. <paramref name="target"/> is the stored rollout of the event's revision (null when there is none
    /// yet or the event has no checksum); <paramref name="current"/> the canary's current rollout (may be the same object).
    /// The objects passed in are updated in place and returned when changed.
    /// </summary>
    public static Projection Apply(EventFacts facts, long seq, CanaryState? canary, Rollout? target, Rollout? current)
    {
        ArgumentNullException.ThrowIfNull(facts);
        if (facts.Namespace is not { } ns || facts.Canary is not { } name)
        {
            return new Projection(null, null, null);
        }

        canary ??= new CanaryState { Namespace = ns, Name = name, LastEventAt = facts.Time };
        if (facts.Phase is not null)
        {
            canary.Phase = facts.Phase;
        }

        if (facts.Time > canary.LastEventAt)
        {
            canary.LastEventAt = facts.Time;
        }

        var shortType = facts.ShortType;
        if (!facts.Type.StartsWith(EventFacts.FlaggerTypePrefix, StringComparison.Ordinal) && facts.Checksum is null)
        {
            return new Projection(canary, null, null);
        }

        Rollout? superseded = null;
        var rollout = target;
        if (rollout is null)
        {
            if (facts.Checksum is null || CanaryOnlyTypes.Contains(shortType))
            {
                // Without a revision the event belongs to the rollout under way, if any.
                rollout = facts.Checksum is null ? current : null;
                if (rollout is null)
                {
                    return new Projection(canary, null, null);
                }
            }
            else
            {
                rollout = new Rollout
                {
                    Id = RolloutId(ns, name, facts.Checksum),
                    Namespace = ns,
                    Canary = name,
                    Checksum = facts.Checksum,
                    StartedAt = facts.Time,
                    LastEventAt = facts.Time,
                    FirstSeq = seq,
                };
                if (current is not null && current.Id != rollout.Id && !RolloutStatus.IsEnded(current.Status))
                {
                    End(current, facts.Time, RolloutStatus.Superseded, $"A newer revision ({facts.Checksum}) started.");
                    superseded = current;
                }

                canary.CurrentRolloutId = rollout.Id;
            }
        }

        var wasEnded = RolloutStatus.IsEnded(rollout.Status);
        Step(rollout, facts, seq, shortType);
        return new Projection(canary, rollout, superseded, !wasEnded && RolloutStatus.IsEnded(rollout.Status));
    }

    private static void Step(Rollout rollout, EventFacts facts, long seq, string shortType)
    {
        rollout.EventCount++;
        if (facts.Time > rollout.LastEventAt)
        {
            rollout.LastEventAt = facts.Time;
        }

        var step = new RolloutStep { Time = facts.Time, Seq = seq, Type = shortType, Phase = facts.Phase, Message = facts.Message };
        var ended = RolloutStatus.IsEnded(rollout.Status);
        switch (shortType)
        {
            case "weight.advanced":
                var (weight, iteration, iterations, primary) = FlaggerMessages.ParseAdvance(facts.Message);
                if (primary)
                {
                    // Progressive promotion: the primary's share grows, the canary's is the rest.
                    step.Weight = weight is { } w ? 100 - w : null;
                }
                else
                {
                    step.Weight = weight;
                    step.Iteration = iteration;
                    step.Iterations = iterations;
                }

                rollout.Weight = step.Weight ?? rollout.Weight;
                rollout.Iteration = step.Iteration ?? rollout.Iteration;
                rollout.Iterations = step.Iterations ?? rollout.Iterations;
                break;
            case "halted":
                rollout.FailedChecks++;
                step.FailedCheck = facts.Message;
                break;
            case "approval.waiting":
                if (FlaggerMessages.ParseWaiting(facts.Message) is var (hook, webhook))
                {
                    var gate = OpenGate(rollout, hook);
                    gate.WaitingSince ??= facts.Time;
                    gate.Webhook ??= webhook;
                }

                if (!ended)
                {
                    rollout.Status = RolloutStatus.Waiting;
                }

                break;
            case "check.passed":
                if (FlaggerMessages.ParsePassedGate(facts.Message) is var (passedHook, passedWebhook))
                {
                    var gate = OpenGate(rollout, passedHook);
                    gate.ApprovedAt = facts.Time;
                    gate.Webhook ??= passedWebhook;
                    gate.ApprovedBy ??= facts.Approver ?? passedWebhook;
                }

                if (rollout.Status == RolloutStatus.Waiting)
                {
                    rollout.Status = RolloutStatus.Progressing;
                }

                break;
            case "hook.confirm-rollout" or "hook.confirm-traffic-increase" or "hook.confirm-promotion":
                {
                    var gate = OpenGate(rollout, shortType["hook.".Length..]);
                    gate.CalledAt = facts.Time;
                    if (facts.Approver is not null)
                    {
                        gate.ApprovedBy = facts.Approver;
                    }

                    break;
                }

            case "promoted":
                rollout.Weight = null;
                End(rollout, facts.Time, RolloutStatus.Promoted, facts.Message);
                break;
            case "rolledback":
                rollout.Weight = 0;
                End(rollout, facts.Time, RolloutStatus.RolledBack, facts.Message);
                break;
            case "failed":
                End(rollout, facts.Time, RolloutStatus.Failed, facts.Message);
                break;
        }

        if (!QuietTypes.Contains(shortType) && rollout.Steps.Count < MaxSteps)
        {
            rollout.Steps.Add(step);
        }
    }

    /// <summary>The latest gate of this hook that is not approved yet, or a new one.</summary>
    private static RolloutGate OpenGate(Rollout rollout, string hook)
    {
        for (var i = rollout.Gates.Count - 1; i >= 0; i--)
        {
            if (rollout.Gates[i].Hook == hook && rollout.Gates[i].ApprovedAt is null)
            {
                return rollout.Gates[i];
            }
        }

        var gate = new RolloutGate { Hook = hook };
        rollout.Gates.Add(gate);
        return gate;
    }

    // The first end counts: Flagger follows "Rolling back" with "Canary failed!", and a superseded rollout stays so.
    private static void End(Rollout rollout, DateTimeOffset time, string outcome, string? message)
    {
        if (RolloutStatus.IsEnded(rollout.Status))
        {
            return;
        }

        rollout.Status = outcome;
        rollout.EndedAt = time;
        rollout.DurationSeconds = Math.Max(0, (time - rollout.StartedAt).TotalSeconds);
        rollout.End = new RolloutEnd { Time = time, Outcome = outcome, Message = message };
    }
}
