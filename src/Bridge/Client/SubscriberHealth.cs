namespace Bridge.Client;

/// <summary>
/// The live state of one hosted subscriber, for readiness checks. Resolve every subscriber's with
/// <c>GetServices&lt;SubscriberHealth&gt;()</c>, or add the ready-made check with <c>AddBridgeSubscribers()</c> on the
/// health checks builder. Thread-safe.
/// </summary>
public sealed class SubscriberHealth
{
    private readonly object _lock = new();
    private bool _connected;
    private DateTimeOffset? _lastConnectedAt;
    private DateTimeOffset? _lastHandledAt;
    private string? _lastError;
    private long _reconnects;

    /// <summary>Creates the state of a subscriber.</summary>
    /// <param name="name">The subscriber's name (its handler type). Must not be null.</param>
    public SubscriberHealth(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    /// <summary>The subscriber's name: its handler type's full name. Never null.</summary>
    public string Name { get; }

    /// <summary>True while a stream is open and accepted by the server.</summary>
    public bool IsConnected
    {
        get
        {
            lock (_lock)
            {
                return _connected;
            }
        }
    }

    /// <summary>When the server last accepted a stream; null before the first success.</summary>
    public DateTimeOffset? LastConnectedAt
    {
        get
        {
            lock (_lock)
            {
                return _lastConnectedAt;
            }
        }
    }

    /// <summary>When a handler last succeeded; null before the first.</summary>
    public DateTimeOffset? LastHandledAt
    {
        get
        {
            lock (_lock)
            {
                return _lastHandledAt;
            }
        }
    }

    /// <summary>Why the last stream ended or failed to open; null when it has not ended yet.</summary>
    public string? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    /// <summary>Reconnects scheduled since start.</summary>
    public long Reconnects => Interlocked.Read(ref _reconnects);

    internal void SetConnected(DateTimeOffset at)
    {
        lock (_lock)
        {
            _connected = true;
            _lastConnectedAt = at;
            _lastError = null;
        }
    }

    internal void SetDisconnected(string? reason)
    {
        lock (_lock)
        {
            _connected = false;
            _lastError = reason;
        }
    }

    internal void SetHandled(DateTimeOffset at)
    {
        lock (_lock)
        {
            _lastHandledAt = at;
        }
    }

    internal void CountReconnect() => Interlocked.Increment(ref _reconnects);
}
