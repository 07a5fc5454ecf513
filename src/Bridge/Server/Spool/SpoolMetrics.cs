using System.Diagnostics.Metrics;

namespace Bridge.Server.Spool;

/// <summary>
/// Instruments of meter <c>Bridge.Spool</c>: events spooled (by <c>reason</c>), forwarded (by <c>how</c>),
/// refused (by <c>reason</c>) and dropped as unreadable; and, observed at each scrape, the spool's bytes on
/// disk, the events it holds and the age of the oldest.
/// </summary>
internal sealed class SpoolMetrics
{
    public const string MeterName = "Bridge.Spool";

    /// <summary><c>reason</c> of an event spooled because Kafka had not acknowledged it within the budget.</summary>
    public const string KafkaSlow = "kafka_slow";

    /// <summary><c>reason</c> of an event spooled because Kafka refused it within the budget.</summary>
    public const string KafkaFailed = "kafka_failed";

    /// <summary><c>reason</c> of an event spooled behind earlier spooled events of its canary.</summary>
    public const string BehindKey = "behind_canary";

    private readonly Counter<long> _spooled;
    private readonly Counter<long> _forwarded;
    private readonly Counter<long> _refused;
    private readonly Counter<long> _dropped;
    private Func<SpoolStatus>? _status;

    public SpoolMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _spooled = meter.CreateCounter<long>("bridge.spool.events.spooled", "{event}", "Events written to the spool instead of waiting for Kafka, by reason.");
        _forwarded = meter.CreateCounter<long>("bridge.spool.events.forwarded", "{event}", "Spooled events removed from the spool because Kafka acknowledged them.");
        _refused = meter.CreateCounter<long>("bridge.spool.events.refused", "{event}", "Events the spool could not take (full, or not writable); answered 503 unless Kafka acknowledged them in time.");
        _dropped = meter.CreateCounter<long>("bridge.spool.events.dropped", "{event}", "Spooled records found unreadable (damaged on disk) and dropped.");
        meter.CreateObservableGauge("bridge.spool.size", () => Status().Bytes, "By", "Bytes of the spool's segment files on disk.");
        meter.CreateObservableGauge("bridge.spool.events", () => Status().Count, "{event}", "Events in the spool waiting for Kafka.");
        meter.CreateObservableGauge("bridge.spool.oldest.age", () => Status().OldestAge.TotalSeconds, "s", "Age of the oldest event waiting in the spool (0 when empty).");
    }

    /// <summary>Where the observed gauges read from; until then they report an empty spool.</summary>
    public void Observe(Func<SpoolStatus> status) => _status = status;

    public void Spooled(string reason) => _spooled.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Forwarded(string how) => _forwarded.Add(1, new KeyValuePair<string, object?>("how", how));

    public void Refused(string reason) => _refused.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void Dropped() => _dropped.Add(1);

    private SpoolStatus Status() => _status?.Invoke() ?? default;
}

/// <summary>A snapshot of the spool for metrics and readiness.</summary>
internal readonly record struct SpoolStatus(long Bytes, int Count, TimeSpan OldestAge);
