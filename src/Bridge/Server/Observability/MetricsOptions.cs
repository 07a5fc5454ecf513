namespace Bridge.Server.Observability;

/// <summary>
/// Bounds of the metric series whose labels come from users: canary names (<c>bridge_canary_status</c>) and
/// subscription names (<c>bridge_subscriptions_*</c>).
/// </summary>
/// <example>
/// <code>
/// "Metrics": { "MaxCanaries": 1000, "CanaryExpiry": "7.00:00:00", "MaxIdleSubscriptions": 500, "SubscriptionExpiry": "00:10:00" }
/// </code>
/// </example>
internal sealed class MetricsOptions
{
    public const string SectionName = "Metrics";

    /// <summary>Canaries with a status series (1-100000); past it the canary heard of longest ago is dropped. Default 1000.</summary>
    public int MaxCanaries { get; set; } = 1000;

    /// <summary>How long a canary's status series stays after its last payload (1 min to 365 days). Default 7 days.</summary>
    public TimeSpan CanaryExpiry { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// Subscriptions without an open stream whose series are kept (1-100000); past it the one idle longest is
    /// dropped. Subscriptions with an open stream always have their series. Default 500.
    /// </summary>
    public int MaxIdleSubscriptions { get; set; } = 500;

    /// <summary>How long a subscription's series stay after its last stream closed (1 s to 365 days). Default 10 min.</summary>
    public TimeSpan SubscriptionExpiry { get; set; } = TimeSpan.FromMinutes(10);
}
