using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace Bridge.Server.Kafka;

/// <summary>
/// Instruments of meter <c>Bridge.Kafka</c>: <c>bridge.kafka.events.published</c> (by <c>type</c>),
/// <c>bridge.kafka.publish.errors</c> (by <c>reason</c>: librdkafka's error code name, or the connection state
/// such as <c>Unreachable</c> while Kafka has not answered since start) and
/// <c>bridge.kafka.publish.duration</c> (seconds from produce to acknowledgement, successes and failures).
/// </summary>
internal sealed class KafkaMetrics
{
    public const string MeterName = "Bridge.Kafka";

    // /v1/events accepts any event type; past this many distinct types the rest share one series.
    private const int MaxTypes = 200;
    private const string OtherType = "other";

    private static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

    private readonly Counter<long> _published;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _duration;
    private readonly ConcurrentDictionary<string, string> _types = new(StringComparer.Ordinal);

    public KafkaMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _published = meter.CreateCounter<long>("bridge.kafka.events.published", "{event}", "Events Kafka acknowledged.");
        _errors = meter.CreateCounter<long>("bridge.kafka.publish.errors", "{error}", "Events Kafka did not acknowledge, by reason.");
        _duration = meter.CreateHistogram(
            "bridge.kafka.publish.duration", "s", "Time from handing an event to the producer to Kafka's answer.",
            tags: null, advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
    }

    public void Published(string? eventType, double seconds)
    {
        _published.Add(1, new KeyValuePair<string, object?>("type", TypeTag(eventType)));
        _duration.Record(seconds, new KeyValuePair<string, object?>("outcome", "acknowledged"));
    }

    public void Failed(string reason, double seconds)
    {
        _errors.Add(1, new KeyValuePair<string, object?>("reason", reason));
        _duration.Record(seconds, new KeyValuePair<string, object?>("outcome", "failed"));
    }

    private string TypeTag(string? eventType)
    {
        if (eventType is null)
        {
            return OtherType;
        }

        if (_types.TryGetValue(eventType, out var known))
        {
            return known;
        }

        return _types.Count < MaxTypes ? _types.GetOrAdd(eventType, eventType) : OtherType;
    }
}
