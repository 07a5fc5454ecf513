namespace Bridge.Notifier.Delivery;

/// <summary>
/// The delivery in progress on this async flow: the resilience pipeline picks the sink's circuit breaker by it and
/// counts attempts into it.
/// </summary>
internal sealed class DeliveryContext(string sink, string route)
{
    private static readonly AsyncLocal<DeliveryContext?> Flow = new();
    private int _attempts;
    private int _lastStatus;

    public static DeliveryContext? Current
    {
        get => Flow.Value;
        set => Flow.Value = value;
    }

    public string Sink { get; } = sink;

    public string Route { get; } = route;

    /// <summary>HTTP requests sent, retries included; 0 for sinks that send none.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>The last HTTP status seen; 0 when none.</summary>
    public int LastStatus => Volatile.Read(ref _lastStatus);

    public void CountAttempt() => Interlocked.Increment(ref _attempts);

    public void SetStatus(int status) => Volatile.Write(ref _lastStatus, status);
}
