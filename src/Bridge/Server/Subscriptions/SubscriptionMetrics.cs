using System.Diagnostics.Metrics;

namespace Bridge.Server.Subscriptions;

/// <summary>
/// Instruments of the subscriptions (meter <c>Bridge.Subscriptions</c>), tagged with the subscription name:
/// open streams, active subscriptions, deliveries, redeliveries (attempt above 1), acks, records skipped
/// by the filter, records that are not valid CloudEvents, and the lag (high watermark minus committed
/// position, summed over the partitions the subscription's streams hold).
/// </summary>
internal sealed class SubscriptionMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Bridge.Subscriptions";

    private const string Tag = "subscription";

    private readonly UpDownCounter<long> _streams;
    private readonly Counter<long> _deliveries;
    private readonly Counter<long> _redeliveries;
    private readonly Counter<long> _acks;
    private readonly Counter<long> _filtered;
    private readonly Counter<long> _invalid;

    /// <param name="meterFactory">The host's meter factory. Must not be null.</param>
    /// <param name="registry">Source of the active subscriptions and their lag. Must not be null.</param>
    public SubscriptionMetrics(IMeterFactory meterFactory, SubscriptionRegistry registry)
    {
        var meter = meterFactory.Create(MeterName);
        _streams = meter.CreateUpDownCounter<long>("bridge.subscriptions.streams", "{stream}", "Open Subscribe streams.");
        _deliveries = meter.CreateCounter<long>("bridge.subscriptions.deliveries", "{event}", "Events sent to subscribers, redeliveries included.");
        _redeliveries = meter.CreateCounter<long>("bridge.subscriptions.redeliveries", "{event}", "Deliveries with an attempt above 1.");
        _acks = meter.CreateCounter<long>("bridge.subscriptions.acks", "{event}", "Deliveries acknowledged by subscribers.");
        _filtered = meter.CreateCounter<long>("bridge.subscriptions.filtered", "{record}", "Records skipped because the subscription's filter did not match.");
        _invalid = meter.CreateCounter<long>("bridge.subscriptions.invalid_records", "{record}", "Records skipped because they are not valid CloudEvents.");
        meter.CreateObservableGauge("bridge.subscriptions.active", () => (long)registry.Snapshot().Count, "{subscription}",
            "Subscriptions with at least one open stream in this process.");
        meter.CreateObservableGauge("bridge.subscriptions.lag", () => Lag(registry), "{record}",
            "Records not yet committed: high watermark minus committed position, summed over the partitions held.");
    }

    public void StreamOpened(string subscription) => _streams.Add(1, new KeyValuePair<string, object?>(Tag, subscription));

    public void StreamClosed(string subscription) => _streams.Add(-1, new KeyValuePair<string, object?>(Tag, subscription));

    public void Delivered(string subscription, int attempt)
    {
        var tag = new KeyValuePair<string, object?>(Tag, subscription);
        _deliveries.Add(1, tag);
        if (attempt > 1)
        {
            _redeliveries.Add(1, tag);
        }
    }

    public void Acked(string subscription, int count) => _acks.Add(count, new KeyValuePair<string, object?>(Tag, subscription));

    public void Filtered(string subscription) => _filtered.Add(1, new KeyValuePair<string, object?>(Tag, subscription));

    public void Invalid(string subscription) => _invalid.Add(1, new KeyValuePair<string, object?>(Tag, subscription));

    private static IEnumerable<Measurement<long>> Lag(SubscriptionRegistry registry)
    {
        foreach (var (name, _, lag) in registry.Snapshot())
        {
            if (lag is { } value)
            {
                yield return new Measurement<long>(value, new KeyValuePair<string, object?>(Tag, name));
            }
        }
    }
}
