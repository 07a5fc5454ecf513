using Microsoft.Extensions.Options;

namespace Bridge.Server.Subscriptions;

/// <summary>
/// The subscriptions this process serves: per name, its open streams and its delivery attempts. A
/// subscription is remembered while it has a stream or remembers an uncommitted delivery. Thread-safe.
/// </summary>
internal sealed class SubscriptionRegistry(IOptions<SubscriptionOptions> options)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SubscriptionState> _subscriptions = new(StringComparer.Ordinal);
    private readonly int _attemptCapacity = options.Value.MaxRememberedDeliveries;

    /// <summary>Registers a stream of subscription <paramref name="name"/> and returns the subscription's state.</summary>
    public SubscriptionState Join(string name, SubscriptionSession session)
    {
        lock (_lock)
        {
            if (!_subscriptions.TryGetValue(name, out var state))
            {
                _subscriptions[name] = state = new SubscriptionState(name, new DeliveryAttempts(_attemptCapacity));
            }

            state.Sessions.Add(session);
            return state;
        }
    }

    /// <summary>Unregisters a stream; the subscription is forgotten once it has no stream and no uncommitted delivery.</summary>
    public void Leave(SubscriptionState state, SubscriptionSession session)
    {
        lock (_lock)
        {
            state.Sessions.Remove(session);
            if (state.Sessions.Count == 0 && state.Attempts.Count == 0)
            {
                _subscriptions.Remove(state.Name);
            }
        }
    }

    /// <summary>The state of subscription <paramref name="name"/>, or null when it is not remembered.</summary>
    public SubscriptionState? Find(string name)
    {
        lock (_lock)
        {
            return _subscriptions.GetValueOrDefault(name);
        }
    }

    /// <summary>The open streams of subscription <paramref name="name"/> (empty when it has none).</summary>
    public IReadOnlyList<SubscriptionSession> Streams(string name)
    {
        lock (_lock)
        {
            return _subscriptions.TryGetValue(name, out var state) ? [.. state.Sessions] : [];
        }
    }

    /// <summary>Name, stream count and lag (null when unknown) of every subscription with a stream.</summary>
    public IReadOnlyList<(string Name, int Streams, long? Lag)> Snapshot()
    {
        lock (_lock)
        {
            var result = new List<(string, int, long?)>(_subscriptions.Count);
            foreach (var state in _subscriptions.Values)
            {
                if (state.Sessions.Count == 0)
                {
                    continue;
                }

                long? lag = null;
                foreach (var session in state.Sessions)
                {
                    if (session.Lag is { } l)
                    {
                        lag = (lag ?? 0) + l;
                    }
                }

                result.Add((state.Name, state.Sessions.Count, lag));
            }

            return result;
        }
    }
}

/// <summary>What the streams of one subscription share in this process.</summary>
internal sealed class SubscriptionState(string name, DeliveryAttempts attempts)
{
    public string Name { get; } = name;

    public DeliveryAttempts Attempts { get; } = attempts;

    /// <summary>Open streams; guarded by the registry's lock.</summary>
    public List<SubscriptionSession> Sessions { get; } = [];
}
