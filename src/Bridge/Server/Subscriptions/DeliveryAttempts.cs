namespace Bridge.Server.Subscriptions;

/// <summary>
/// How often each delivered but not yet committed record of one subscription was delivered, so that a
/// redelivery after a reconnect or rebalance reports attempt 2, 3, ... It lives in this process's memory:
/// after the bridge restarts (or when another bridge instance delivered the record) the count starts again
/// at 1. Committing forgets the records below the committed position; beyond <c>capacity</c> records the
/// lowest offsets are forgotten first. Thread-safe.
/// </summary>
internal sealed class DeliveryAttempts(int capacity)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<int, SortedDictionary<long, int>> _partitions = [];
    private int _count;

    /// <summary>Records remembered.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Counts one more delivery of a record and returns its attempt number (1 the first time).</summary>
    public int Next(int partition, long offset)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var offsets))
            {
                _partitions[partition] = offsets = [];
            }

            if (offsets.TryGetValue(offset, out var attempts))
            {
                offsets[offset] = ++attempts;
                return attempts;
            }

            offsets[offset] = 1;
            _count++;
            if (_count > capacity)
            {
                EvictOne();
            }

            return 1;
        }
    }

    /// <summary>The attempts counted so far for a record (0 when unknown).</summary>
    public int Get(int partition, long offset)
    {
        lock (_lock)
        {
            return _partitions.TryGetValue(partition, out var offsets) && offsets.TryGetValue(offset, out var attempts) ? attempts : 0;
        }
    }

    /// <summary>Forgets every record of <paramref name="partition"/> below <paramref name="position"/> (they are committed).</summary>
    public void Forget(int partition, long position)
    {
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var offsets))
            {
                return;
            }

            while (offsets.Count > 0)
            {
                var lowest = offsets.Keys.First();
                if (lowest >= position)
                {
                    break;
                }

                offsets.Remove(lowest);
                _count--;
            }

            if (offsets.Count == 0)
            {
                _partitions.Remove(partition);
            }
        }
    }

    private void EvictOne()
    {
        // The lowest offset of the fullest partition is the oldest delivery worth forgetting.
        var fullest = _partitions.MaxBy(p => p.Value.Count);
        fullest.Value.Remove(fullest.Value.Keys.First());
        _count--;
        if (fullest.Value.Count == 0)
        {
            _partitions.Remove(fullest.Key);
        }
    }
}
