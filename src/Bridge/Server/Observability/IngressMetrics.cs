using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Observability;

/// <summary>
/// The ingress' instruments (meter <c>Bridge.Ingress</c>): requests by route and status, request
/// duration, accepted events by type, and each canary's status as Flagger's own gauge reports it.
/// </summary>
/// <remarks>
/// Canary names come from payloads, so the status series are bounded: at most <see cref="MetricsOptions.MaxCanaries"/>
/// canaries, each dropped <see cref="MetricsOptions.CanaryExpiry"/> after its last payload. Event types come from
/// any client: the first <see cref="MaxEventTypes"/> distinct types get their own series, later ones share
/// <see cref="OtherType"/>.
/// </remarks>
internal sealed class IngressMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Bridge.Ingress";

    /// <summary>Name of the canary status gauge.</summary>
    public const string CanaryStatusName = "bridge.canary.status";

    /// <summary>Distinct event types counted before further types are counted as <see cref="OtherType"/>.</summary>
    public const int MaxEventTypes = 256;

    /// <summary>The type tag of events beyond <see cref="MaxEventTypes"/> distinct types.</summary>
    public const string OtherType = "other";

    private static readonly string[] StatusTexts = Enumerable.Range(0, 600).Select(s => s.ToString(CultureInfo.InvariantCulture)).ToArray();

    private static readonly double[] DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _eventsAccepted;
    private readonly ConcurrentDictionary<string, string> _eventTypes = new(StringComparer.Ordinal);
    private readonly SeriesStore<(string Namespace, string Name), CanaryState> _canaries;
    private readonly SeriesMeter _canaryMeter;

    /// <param name="meterFactory">The host's meter factory. Must not be null.</param>
    /// <param name="options">Bounds of the canary series. Must not be null.</param>
    /// <param name="seriesMeters">Where the canary gauge's meter is prepared before each scrape. Must not be null.</param>
    /// <param name="time">The clock of the canary expiry. Must not be null.</param>
    public IngressMetrics(IMeterFactory meterFactory, IOptions<MetricsOptions> options, SeriesMeters seriesMeters, TimeProvider time)
    {
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>(
            "bridge.ingress.requests", "{request}", "HTTP requests answered by the ingress, by route and status code.");
        _duration = meter.CreateHistogram<double>(
            "bridge.ingress.request.duration",
            "s",
            "Time from request start to the answer, Kafka acknowledgement included.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _eventsAccepted = meter.CreateCounter<long>(
            "bridge.ingress.events.accepted", "{event}", "Events acknowledged by Kafka, by CloudEvents type.");

        var settings = options.Value;
        _canaries = new SeriesStore<(string, string), CanaryState>(settings.MaxCanaries, settings.CanaryExpiry, time, static _ => new CanaryState());
        _canaryMeter = new SeriesMeter(meterFactory, MeterName, CanaryBudget(settings), _canaries, m => m.CreateObservableGauge(
            CanaryStatusName,
            ObserveCanaries,
            unit: null,
            description: "Canary status as Flagger's flagger_canary_status reports it: 0 running, 1 idle or done, 2 failed."));
        seriesMeters.Add(_canaryMeter);
    }

    /// <summary>Series slots the canary gauge may use before its meter is replaced: twice the canaries kept.</summary>
    public static int CanaryBudget(MetricsOptions options) => 2 * options.MaxCanaries;

    /// <summary>Canaries with a status series now.</summary>
    internal int CanaryCount => _canaries.Count;

    /// <summary>Counts an answered request and its duration.</summary>
    /// <param name="route">The route's label (a fixed name, not the path). Must not be null.</param>
    /// <param name="status">The HTTP status sent.</param>
    /// <param name="seconds">How long the request took.</param>
    public void RequestCompleted(string route, int status, double seconds)
    {
        var statusText = (uint)status < (uint)StatusTexts.Length ? StatusTexts[status] : status.ToString(CultureInfo.InvariantCulture);
        _requests.Add(1, new KeyValuePair<string, object?>("route", route), new KeyValuePair<string, object?>("status", statusText));
        _duration.Record(seconds, new KeyValuePair<string, object?>("route", route));
    }

    /// <summary>Counts an event Kafka acknowledged.</summary>
    /// <param name="type">The event's CloudEvents type. Must not be null.</param>
    public void EventAccepted(string type)
    {
        // Any client may post any type: bound the label's cardinality.
        if (!_eventTypes.TryGetValue(type, out var label))
        {
            label = _eventTypes.Count < MaxEventTypes ? _eventTypes.GetOrAdd(type, type) : OtherType;
        }

        _eventsAccepted.Add(1, new KeyValuePair<string, object?>("type", label));
    }

    /// <summary>Sets a canary's status gauge.</summary>
    /// <param name="namespace">The canary's namespace. Must not be null.</param>
    /// <param name="name">The canary's name. Must not be null.</param>
    /// <param name="status">The value of Flagger's <c>flagger_canary_status</c> for the phase.</param>
    public void CanaryStatus(string @namespace, string name, int status) =>
        _canaries.Use((@namespace, name), status, static (state, value) => Volatile.Write(ref state.Status, value));

    public void Dispose() => _canaryMeter.Dispose();

    private IEnumerable<Measurement<int>> ObserveCanaries()
    {
        foreach (var ((ns, name), state) in _canaries.Report())
        {
            yield return new Measurement<int>(
                Volatile.Read(ref state.Status),
                new KeyValuePair<string, object?>("namespace", ns),
                new KeyValuePair<string, object?>("name", name));
        }
    }

    private sealed class CanaryState : SeriesState
    {
        public int Status;
    }
}
