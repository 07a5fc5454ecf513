namespace Bridge.Client;

/// <summary>
/// Names to register with OpenTelemetry to see what the hosted subscribers do, for example
/// <c>.WithTracing(t =&gt; t.AddSource(BridgeClientTelemetry.ActivitySourceName))</c> and
/// <c>.WithMetrics(m =&gt; m.AddMeter(BridgeClientTelemetry.MeterName))</c>.
/// </summary>
/// <remarks>
/// Each handler invocation is a span <c>process &lt;subscription&gt;</c> (kind Consumer) that continues the trace
/// context the delivered event carries in its <c>traceparent</c> attribute (the bridge's delivery span), so the
/// handler joins the event's trace from the HTTP request that brought it in. A handler that throws marks its span
/// as failed. Nothing is allocated while no listener samples the source.
/// </remarks>
public static class BridgeClientTelemetry
{
    /// <summary>The activity source of the hosted subscribers' handler spans.</summary>
    public const string ActivitySourceName = "Bridge.Client";

    /// <summary>The meter of the hosted subscribers (handled, failed and skipped deliveries, reconnects).</summary>
    public const string MeterName = "Bridge.Client";
}
