namespace Bridge.Server.Flagger;

/// <summary>
/// Remembers the ids of events already published for polled hooks, so a gate Flagger polls every
/// analysis interval with the same payload yields one event per poll series instead of one per poll.
/// </summary>
/// <remarks>
/// The ingress asks <see cref="WasPublished"/> before publishing and calls <see cref="MarkPublished"/>
/// only after Kafka acknowledged, so a failed publish is retried on the next poll. Two concurrent
/// identical polls may both publish; the ids are equal, so consumers deduplicating by (source, id)
/// still see one event. Memory is bounded: at most <c>capacity</c> ids, least recently seen evicted
/// first. An id is forgotten once it was not seen for the time to live, so a gate that stops being
/// polled and starts again a day later publishes again. Thread-safe.
/// </remarks>
internal sealed class GatePollDeduplicator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries;

    // Most recently seen first; as every hit refreshes its entry, this is also expiry order.
    private readonly LinkedList<Entry> _recency = new();
    private readonly int _capacity;
    private readonly TimeSpan _timeToLive;
    private readonly TimeProvider _timeProvider;

    /// <param name="capacity">Most ids remembered; at least 1.</param>
    /// <param name="timeToLive">How long an id is remembered after it was last seen; positive.</param>
    /// <param name="timeProvider">Clock for the time to live. Must not be null.</param>
    public GatePollDeduplicator(int capacity, TimeSpan timeToLive, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeToLive, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(timeProvider);
        _capacity = capacity;
        _timeToLive = timeToLive;
        _timeProvider = timeProvider;
        _entries = new Dictionary<string, LinkedListNode<Entry>>(Math.Min(capacity, 1024), StringComparer.Ordinal);
    }

    /// <summary>How many ids are remembered now (expired ones may still be counted until touched).</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>
    /// Whether an event with <paramref name="id"/> was published and seen within the time to live.
    /// A hit counts as seeing the id again.
    /// </summary>
    /// <param name="id">The event id. Must not be null.</param>
    public bool WasPublished(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var now = _timeProvider.GetTimestamp();
        lock (_lock)
        {
            if (!_entries.TryGetValue(id, out var node))
            {
                return false;
            }

            if (IsExpired(node.Value, now))
            {
                Remove(node);
                return false;
            }

            Touch(node, now);
            return true;
        }
    }

    /// <summary>Records that the event with <paramref name="id"/> was acknowledged by Kafka.</summary>
    /// <param name="id">The event id. Must not be null.</param>
    public void MarkPublished(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        var now = _timeProvider.GetTimestamp();
        lock (_lock)
        {
            while (_recency.Last is { } oldest && IsExpired(oldest.Value, now))
            {
                Remove(oldest);
            }

            if (_entries.TryGetValue(id, out var node))
            {
                Touch(node, now);
                return;
            }

            _entries.Add(id, _recency.AddFirst(new Entry(id, now)));
            if (_entries.Count > _capacity)
            {
                Remove(_recency.Last!);
            }
        }
    }

    private bool IsExpired(Entry entry, long now) => _timeProvider.GetElapsedTime(entry.LastSeen, now) >= _timeToLive;

    private void Touch(LinkedListNode<Entry> node, long now)
    {
        node.Value.LastSeen = now;
        if (node != _recency.First)
        {
            _recency.Remove(node);
            _recency.AddFirst(node);
        }
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Id);
    }

    private sealed class Entry(string id, long lastSeen)
    {
        public string Id { get; } = id;

        public long LastSeen { get; set; } = lastSeen;
    }
}
