using System.Diagnostics.Metrics;
using Bridge.Audit.Rollouts;

namespace Bridge.Audit.Observability;

/// <summary>
/// The audit service's instruments (meter <c>Bridge.Audit</c>): events stored and skipped as duplicates, append time, and
/// the DORA figures of the last 30 days per namespace and canary, read from <see cref="DoraSnapshot"/> at each scrape.
/// </summary>
internal sealed class AuditMetrics
{
    public const string MeterName = "Bridge.Audit";

    private readonly Counter<long> _stored;
    private readonly Counter<long> _duplicates;
    private readonly Histogram<double> _appendSeconds;

    public AuditMetrics(IMeterFactory meterFactory, DoraSnapshot dora)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _stored = meter.CreateCounter<long>("bridge.audit.events.stored", "{event}", "Events stored in the audit log.");
        _duplicates = meter.CreateCounter<long>("bridge.audit.events.duplicates", "{event}", "Deliveries of events already stored (acknowledged, nothing written).");
        _appendSeconds = meter.CreateHistogram<double>("bridge.audit.append.duration", "s", "Time to store one event, commit included.", tags: null,
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5] });
        meter.CreateObservableGauge("bridge.audit.dora.deployments", () => Series(dora, f => f.Deployments), "{rollout}",
            "Promoted rollouts in the last 30 days.");
        meter.CreateObservableGauge("bridge.audit.dora.failed_deployments", () => Series(dora, f => f.FailedDeployments), "{rollout}",
            "Failed or rolled back rollouts in the last 30 days.");
        meter.CreateObservableGauge("bridge.audit.dora.deployment_frequency", () => Series(dora, f => f.DeploymentsPerDay), "{rollout}/d",
            "Promoted rollouts per day over the last 30 days.");
        meter.CreateObservableGauge("bridge.audit.dora.change_failure_rate", () => Series(dora, f => f.ChangeFailureRate), "1",
            "Failed share of the rollouts that ended in the last 30 days.");
        meter.CreateObservableGauge("bridge.audit.dora.time_to_restore", () => Series(dora, f => f.TimeToRestore.MeanSeconds), "s",
            "Mean time from a failed rollout to the next promoted one of the canary, last 30 days.");
        meter.CreateObservableGauge("bridge.audit.dora.lead_time", () => Series(dora, f => f.LeadTime.MeanSeconds), "s",
            "Mean time from a rollout's first event to its promotion, last 30 days.");
    }

    public void Stored(TimeSpan elapsed)
    {
        _stored.Add(1);
        _appendSeconds.Record(elapsed.TotalSeconds);
    }

    public void Duplicate() => _duplicates.Add(1);

    private static IEnumerable<Measurement<double>> Series(DoraSnapshot dora, Func<DoraFigures, double?> value)
    {
        foreach (var figures in dora.Current)
        {
            if (value(figures) is { } v)
            {
                yield return new Measurement<double>(v,
                    new KeyValuePair<string, object?>("namespace", figures.Namespace), new KeyValuePair<string, object?>("canary", figures.Canary));
            }
        }
    }

    private static IEnumerable<Measurement<double>> Series(DoraSnapshot dora, Func<DoraFigures, int> value) => Series(dora, f => (double?)value(f));
}
