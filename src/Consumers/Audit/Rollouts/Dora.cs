namespace Bridge.Audit.Rollouts;

/// <summary>The few facts of a rollout the DORA figures need.</summary>
internal sealed record RolloutOutcome(string Namespace, string Canary, string Status, DateTimeOffset StartedAt, DateTimeOffset? EndedAt);

/// <summary>A mean and a median of durations, in seconds, over <see cref="Count"/> samples (null without samples).</summary>
internal sealed record DurationFigure(int Count, double? MeanSeconds, double? MedianSeconds);

/// <summary>DORA's four keys over a time window, for one selection of canaries.</summary>
internal sealed record DoraFigures(
    string? Namespace,
    string? Canary,
    DateTimeOffset From,
    DateTimeOffset To,
    int Deployments,
    int FailedDeployments,
    double DeploymentsPerDay,
    double? ChangeFailureRate,
    DurationFigure TimeToRestore,
    DurationFigure LeadTime);

/// <summary>
/// DORA metrics from rollouts. A deployment is a promoted rollout; a failed change a rollout that failed or was rolled
/// back; both count in the window they ended in. Lead time: from a promoted rollout's first event to its promotion.
/// Time to restore: from a failed rollout's end to the end of the next promoted rollout of the same canary.
/// Superseded rollouts count for nothing.
/// </summary>
internal static class Dora
{
    public static DoraFigures Compute(IReadOnlyList<RolloutOutcome> rollouts, DateTimeOffset from, DateTimeOffset to, string? ns = null, string? canary = null)
    {
        ArgumentNullException.ThrowIfNull(rollouts);
        var inWindow = rollouts.Where(r => r.EndedAt is { } end && end >= from && end < to).ToList();
        var promoted = inWindow.Where(r => r.Status == RolloutStatus.Promoted).ToList();
        var failed = inWindow.Where(r => RolloutStatus.IsFailure(r.Status)).ToList();
        var days = Math.Max((to - from).TotalDays, 1.0 / 24);

        var restores = new List<double>();
        foreach (var failure in failed)
        {
            var next = rollouts
                .Where(r => r.Namespace == failure.Namespace && r.Canary == failure.Canary && r.Status == RolloutStatus.Promoted
                            && r.EndedAt > failure.EndedAt)
                .MinBy(r => r.EndedAt);
            if (next is not null)
            {
                restores.Add((next.EndedAt!.Value - failure.EndedAt!.Value).TotalSeconds);
            }
        }

        var leadTimes = promoted.Select(r => (r.EndedAt!.Value - r.StartedAt).TotalSeconds).ToList();
        var decided = promoted.Count + failed.Count;
        return new DoraFigures(
            ns,
            canary,
            from,
            to,
            promoted.Count,
            failed.Count,
            Math.Round(promoted.Count / days, 6),
            decided == 0 ? null : Math.Round((double)failed.Count / decided, 6),
            Figure(restores),
            Figure(leadTimes));
    }

    private static DurationFigure Figure(List<double> samples)
    {
        if (samples.Count == 0)
        {
            return new DurationFigure(0, null, null);
        }

        samples.Sort();
        var middle = samples.Count / 2;
        var median = samples.Count % 2 == 1 ? samples[middle] : (samples[middle - 1] + samples[middle]) / 2;
        return new DurationFigure(samples.Count, Math.Round(samples.Average(), 3), Math.Round(median, 3));
    }
}
