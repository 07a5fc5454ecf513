using System.Diagnostics.Metrics;

namespace Bridge.Client.Internal;

/// <summary>Instruments of the hosted subscribers (meter <c>Bridge.Client</c>), tagged with the subscription name.</summary>
internal sealed class ClientMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Bridge.Client";

    private readonly Counter<long> _handled;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _reconnects;

    public ClientMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _handled = meter.CreateCounter<long>("bridge.client.deliveries.handled", "{delivery}", "Deliveries whose handler succeeded and that were acknowledged.");
        _failures = meter.CreateCounter<long>("bridge.client.handler.failures", "{failure}", "Handler invocations that threw.");
        _skipped = meter.CreateCounter<long>("bridge.client.deliveries.skipped", "{delivery}", "Deliveries acknowledged without being handled, by reason (poison, invalid).");
        _reconnects = meter.CreateCounter<long>("bridge.client.reconnects", "{reconnect}", "Reconnects scheduled after a stream ended or failed.");
    }

    public void Handled(string subscription) => _handled.Add(1, Tag(subscription));

    public void HandlerFailed(string subscription) => _failures.Add(1, Tag(subscription));

    public void Skipped(string subscription, string reason) =>
        _skipped.Add(1, Tag(subscription), new KeyValuePair<string, object?>("reason", reason));

    public void Reconnect(string subscription) => _reconnects.Add(1, Tag(subscription));

    private static KeyValuePair<string, object?> Tag(string subscription) => new("subscription", subscription);
}
