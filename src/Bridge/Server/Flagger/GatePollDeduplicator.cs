namespace Bridge.Server.Flagger;

/// <summary>
/// Remembers the ids of events already published for polled hooks, so a gate Flagger polls every
/// analysis interval with the same payload yields one event per poll series instead of one per poll.
/// </summary>
/// <remarks>
/// The ingress publishes through <see cref="PublishOnceAsync{T}"/>: an id is remembered only after Kafka
/// acknowledged it, so a failed publish is retried on the next poll, and polls with an id being
/// published at that moment wait for that publish instead of publishing again (Flagger retries, or
/// several Flagger replicas, poll concurrently). Memory is bounded: at most <c>capacity</c> ids, least
/// recently seen evicted first. An id is forgotten once it was not seen for the time to live, so a gate
/// that stops being polled and starts again a day later publishes again. Thread-safe.
/// </remarks>
internal sealed class GatePollDeduplicator
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries;

    // Publishes under way, by id: completes when the publish succeeded, fails with its error.
    private readonly Dictionary<string, Task> _inFlight = new(StringComparer.Ordinal);

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

    /// <summary>How many publishes are under way now.</summary>
    public int InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>
    /// Publishes the event with <paramref name="id"/> through <paramref name="publish"/>, unless it was
    /// published already. While one call publishes an id, other calls with that id wait for it: when it
    /// succeeds they return null as well, when it fails they throw its exception (Kafka would refuse
    /// them too), and when it is cancelled (its client went away) one of them publishes instead.
    /// </summary>
    /// <typeparam name="T">What <paramref name="publish"/> returns, e.g. where Kafka stored the event.</typeparam>
    /// <param name="id">The event id. Must not be null.</param>
    /// <param name="publish">Publishes the event; the id is remembered once it completes. Must not be null.</param>
    /// <param name="cancellationToken">Cancels this call (its publish, or its wait for another).</param>
    /// <returns>What <paramref name="publish"/> returned, or null when this call published nothing.</returns>
    public async ValueTask<T?> PublishOnceAsync<T>(string id, Func<CancellationToken, ValueTask<T>> publish, CancellationToken cancellationToken)
        where T : struct
    {
        ArgumentNullException.ThrowIfNull(id);
        ArgumentNullException.ThrowIfNull(publish);
        while (true)
        {
            Task? pending;
            TaskCompletionSource? own = null;
            var now = _timeProvider.GetTimestamp();
            lock (_lock)
            {
                if (WasPublishedLocked(id, now))
                {
                    return null;
                }

                if (!_inFlight.TryGetValue(id, out pending))
                {
                    own = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                    _inFlight.Add(id, own.Task);
                }
            }

            if (own is null)
            {
                try
                {
                    await pending!.WaitAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The publishing call was cancelled, not this one: try again, possibly publishing.
                }

                continue;
            }

            try
            {
                var result = await publish(cancellationToken).ConfigureAwait(false);
                Complete(id, published: true);
                own.SetResult();
                return result;
            }
            catch (OperationCanceledException)
            {
                Complete(id, published: false);
                own.SetCanceled(CancellationToken.None);
                throw;
            }
            catch (Exception e)
            {
                Complete(id, published: false);
                own.SetException(e);

                // Observed here, as no other call may be waiting for it.
                _ = own.Task.Exception;
                throw;
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
            return WasPublishedLocked(id, now);
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
            MarkPublishedLocked(id, now);
        }
    }

    private void Complete(string id, bool published)
    {
        var now = _timeProvider.GetTimestamp();
        lock (_lock)
        {
            // Remembered before the publish stops being in flight, so no call sees neither.
            if (published)
            {
                MarkPublishedLocked(id, now);
            }

            _inFlight.Remove(id);
        }
    }

    private bool WasPublishedLocked(string id, long now)
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

    private void MarkPublishedLocked(string id, long now)
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
