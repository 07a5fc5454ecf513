using System.Diagnostics.Metrics;
using Bridge.Server.Observability;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Subscriptions;

/// <summary>
/// Instruments of the subscriptions (meter <c>Bridge.Subscriptions</c>), tagged with the subscription name:
/// open streams, active subscriptions, deliveries, redeliveries (attempt above 1), acks, records skipped
/// by the filter, records that are not valid CloudEvents, and the lag (high watermark minus committed
/// position, summed over the partitions the subscription's streams hold).
/// </summary>
/// <remarks>
/// Subscription names come from clients, so the per-subscription series are reported from a bounded store: a
/// subscription with an open stream always has its series; after its last stream closed they stay for
/// <see cref="MetricsOptions.SubscriptionExpiry"/>, and at most <see cref="MetricsOptions.MaxIdleSubscriptions"/>
/// such idle subscriptions are kept (the one idle longest goes first). A subscription that comes back after its
/// series went starts its counters from zero, which Prometheus' <c>rate</c> reads as a counter reset.
/// </remarks>
internal sealed class SubscriptionMetrics : IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Bridge.Subscriptions";

    /// <summary>The instruments tagged with the subscription, reported from the bounded store.</summary>
    public static readonly string[] PerSubscriptionInstruments =
    [
        "bridge.subscriptions.streams", "bridge.subscriptions.deliveries", "bridge.subscriptions.redeliveries",
        "bridge.subscriptions.acks", "bridge.subscriptions.filtered", "bridge.subscriptions.invalid_records",
        "bridge.subscriptions.lag",
    ];

    private const string Tag = "subscription";

    // Room in the series budget for subscriptions with open streams, which the store keeps beyond its capacity.
    private const int OpenSubscriptionsAllowance = 1000;

    private readonly SubscriptionRegistry _registry;
    private readonly SeriesStore<string, SubscriptionState> _subscriptions;
    private readonly SeriesMeter _seriesMeter;

    /// <param name="meterFactory">The host's meter factory. Must not be null.</param>
    /// <param name="registry">Source of the active subscriptions and their lag. Must not be null.</param>
    /// <param name="options">Bounds of the per-subscription series. Must not be null.</param>
    /// <param name="seriesMeters">Where the per-subscription meter is prepared before each scrape. Must not be null.</param>
    /// <param name="time">The clock of the expiry. Must not be null.</param>
    public SubscriptionMetrics(IMeterFactory meterFactory, SubscriptionRegistry registry, IOptions<MetricsOptions> options, SeriesMeters seriesMeters, TimeProvider time)
    {
        _registry = registry;
        var settings = options.Value;
        _subscriptions = new SeriesStore<string, SubscriptionState>(
            settings.MaxIdleSubscriptions, settings.SubscriptionExpiry, time, static _ => new SubscriptionState(), StringComparer.Ordinal);

        var meter = meterFactory.Create(MeterName);
        meter.CreateObservableGauge("bridge.subscriptions.active", () => (long)registry.Snapshot().Count, "{subscription}",
            "Subscriptions with at least one open stream in this process.");
        _seriesMeter = new SeriesMeter(meterFactory, MeterName, Budget(settings), _subscriptions, AddInstruments);
        seriesMeters.Add(_seriesMeter);
    }

    /// <summary>Series slots each per-subscription instrument may use before its meter is replaced.</summary>
    public static int Budget(MetricsOptions options) => (2 * options.MaxIdleSubscriptions) + OpenSubscriptionsAllowance;

    /// <summary>Subscriptions with series now.</summary>
    internal int Count => _subscriptions.Count;

    public void StreamOpened(string subscription) => Interlocked.Increment(ref _subscriptions.Pin(subscription).Streams);

    public void StreamClosed(string subscription)
    {
        if (_subscriptions.Find(subscription) is { } state)
        {
            Interlocked.Decrement(ref state.Streams);
        }

        _subscriptions.Unpin(subscription);
    }

    public void Delivered(string subscription, int attempt)
    {
        if (_subscriptions.Find(subscription) is { } state)
        {
            Interlocked.Increment(ref state.Deliveries);
            if (attempt > 1)
            {
                Interlocked.Increment(ref state.Redeliveries);
            }
        }
    }

    public void Acked(string subscription, int count)
    {
        if (_subscriptions.Find(subscription) is { } state)
        {
            Interlocked.Add(ref state.Acks, count);
        }
    }

    public void Filtered(string subscription)
    {
        if (_subscriptions.Find(subscription) is { } state)
        {
            Interlocked.Increment(ref state.Filtered);
        }
    }

    public void Invalid(string subscription)
    {
        if (_subscriptions.Find(subscription) is { } state)
        {
            Interlocked.Increment(ref state.Invalid);
        }
    }

    public void Dispose() => _seriesMeter.Dispose();

    private void AddInstruments(Meter meter)
    {
        meter.CreateObservableUpDownCounter("bridge.subscriptions.streams", () => Observe(static s => s.Streams), "{stream}", "Open Subscribe streams.");
        meter.CreateObservableCounter("bridge.subscriptions.deliveries", () => Observe(static s => s.Deliveries), "{event}",
            "Events sent to subscribers, redeliveries included.");
        meter.CreateObservableCounter("bridge.subscriptions.redeliveries", () => Observe(static s => s.Redeliveries), "{event}",
            "Deliveries with an attempt above 1.");
        meter.CreateObservableCounter("bridge.subscriptions.acks", () => Observe(static s => s.Acks), "{event}",
            "Deliveries acknowledged by subscribers.");
        meter.CreateObservableCounter("bridge.subscriptions.filtered", () => Observe(static s => s.Filtered), "{record}",
            "Records skipped because the subscription's filter did not match.");
        meter.CreateObservableCounter("bridge.subscriptions.invalid_records", () => Observe(static s => s.Invalid), "{record}",
            "Records skipped because they are not valid CloudEvents.");
        meter.CreateObservableGauge("bridge.subscriptions.lag", Lag, "{record}",
            "Records not yet committed: high watermark minus committed position, summed over the partitions held.");
    }

    private IEnumerable<Measurement<long>> Observe(Func<SubscriptionState, long> value)
    {
        foreach (var (name, state) in _subscriptions.Report())
        {
            yield return new Measurement<long>(value(state), new KeyValuePair<string, object?>(Tag, name));
        }
    }

    private IEnumerable<Measurement<long>> Lag()
    {
        foreach (var (name, _, lag) in _registry.Snapshot())
        {
            // Only subscriptions the store reports: their label sets are the ones counted against the budget.
            if (lag is { } value && _subscriptions.Find(name) is not null)
            {
                yield return new Measurement<long>(value, new KeyValuePair<string, object?>(Tag, name));
            }
        }
    }

    private sealed class SubscriptionState : SeriesState
    {
        public long Streams;
        public long Deliveries;
        public long Redeliveries;
        public long Acks;
        public long Filtered;
        public long Invalid;
    }
}
