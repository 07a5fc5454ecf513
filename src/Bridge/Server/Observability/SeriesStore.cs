using System.Collections.Concurrent;

namespace Bridge.Server.Observability;

/// <summary>How many series slots the instruments reporting a store use.</summary>
/// <param name="AfterNextReport">Slots used once the next collection reported every label set kept now.</param>
/// <param name="Stale">Slots held by label sets reported before and no longer kept.</param>
internal readonly record struct SlotUsage(int AfterNextReport, int Stale);

/// <summary>A <see cref="SeriesStore{TKey, TState}"/> as its <see cref="SeriesMeter"/> sees it.</summary>
internal interface ISeriesStore
{
    /// <summary>Drops the unpinned label sets unused for the expiry; returns how many.</summary>
    int Sweep();

    /// <summary>The series slots used by the label sets reported in this generation and those kept now.</summary>
    SlotUsage SlotUsage();

    /// <summary>Starts counting reported label sets from zero (the instruments reporting them were replaced).</summary>
    void StartGeneration();
}

/// <summary>What a <see cref="SeriesStore{TKey, TState}"/> keeps for one label set; derive to hold the values reported.</summary>
internal abstract class SeriesState
{
    // Guarded by the store's lock.
    internal int Pins;
    internal long LastUsed;

    // The store generation in which the label set was last reported.
    internal int ReportedIn = -1;

    /// <summary>Whether a user of the label set holds it (a subscription's open stream); guarded by the store's lock.</summary>
    public bool IsPinned => Pins > 0;
}

/// <summary>
/// The label sets of series whose labels come from users (canary names, subscription names) and their values,
/// which observable instruments report. A pinned label set is always kept; of the others at most
/// <c>capacity</c> are kept, the one used longest ago making room for a new one, and one unused for
/// <c>expiry</c> is dropped by <see cref="Sweep"/>.
/// </summary>
/// <remarks>
/// Writers and collections run at once: <see cref="Find"/> and <see cref="Report"/> do not take the store's lock, and
/// <see cref="Report"/> returns the label sets kept at one moment, so a scrape neither fails nor shows more label sets
/// than the bound because some appear or go while it runs. Using, pinning and removing take the lock: they happen per
/// canary payload or per stream, not per delivery, and make room before they add, so the set is within its bound
/// between any two of their changes.
/// </remarks>
internal sealed class SeriesStore<TKey, TState> : ISeriesStore
    where TKey : notnull
    where TState : SeriesState
{
    private readonly ConcurrentDictionary<TKey, TState> _entries;
    private readonly Lock _lock = new();
    private readonly int _capacity;
    private readonly long _expiry;
    private readonly TimeProvider _time;
    private readonly Func<TKey, TState> _create;
    private int _pinned;
    private int _generation;
    private int _reported;

    /// <param name="capacity">Unpinned label sets kept at most; at least 1.</param>
    /// <param name="expiry">How long an unpinned label set is kept after its last use; more than zero.</param>
    /// <param name="time">The clock. Must not be null.</param>
    /// <param name="create">Creates the state of a new label set. Must not be null.</param>
    /// <param name="comparer">Compares keys; null for the default.</param>
    public SeriesStore(int capacity, TimeSpan expiry, TimeProvider time, Func<TKey, TState> create, IEqualityComparer<TKey>? comparer = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(expiry, TimeSpan.Zero);
        _capacity = capacity;
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _create = create ?? throw new ArgumentNullException(nameof(create));
        _expiry = (long)(expiry.TotalSeconds * time.TimestampFrequency);
        _entries = new ConcurrentDictionary<TKey, TState>(comparer);
    }

    /// <summary>Label sets kept now.</summary>
    public int Count => _entries.Count;

    /// <summary>Distinct label sets <see cref="Report"/> returned since the last <see cref="StartGeneration"/>.</summary>
    public int ReportedSinceGeneration => Volatile.Read(ref _reported);

    /// <summary>The state of <paramref name="key"/>, or null when it is not kept. Does not lock.</summary>
    public TState? Find(TKey key) => _entries.GetValueOrDefault(key);

    /// <summary>The state of <paramref name="key"/>, added when missing, marked as used now.</summary>
    public TState Use(TKey key) => Use(key, 0, static (_, _) => { });

    /// <summary>
    /// Like <see cref="Use(TKey)"/>, and runs <paramref name="update"/> with <paramref name="argument"/> under the
    /// store's lock, so a collection never reports a new label set before its value is set.
    /// </summary>
    public TState Use<TArgument>(TKey key, TArgument argument, Action<TState, TArgument> update)
    {
        ArgumentNullException.ThrowIfNull(update);
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var state))
            {
                state.LastUsed = _time.GetTimestamp();
                update(state, argument);
                return state;
            }

            // Set up before it is added: collections read the set without the lock.
            state = _create(key);
            state.LastUsed = _time.GetTimestamp();
            update(state, argument);
            Add(key, state);
            return state;
        }
    }

    /// <summary>Marks <paramref name="key"/> as held, adding it when missing; a held label set never goes.</summary>
    public TState Pin(TKey key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var state))
            {
                // A pinned label set does not count against the capacity: no room to make.
                state = _create(key);
                _entries[key] = state;
            }

            state.LastUsed = _time.GetTimestamp();
            if (state.Pins++ == 0)
            {
                _pinned++;
            }

            return state;
        }
    }

    /// <summary>Releases one hold of <paramref name="key"/>; its expiry counts from now once no hold is left.</summary>
    public void Unpin(TKey key)
    {
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out var state) || state.Pins == 0)
            {
                return;
            }

            state.LastUsed = _time.GetTimestamp();
            if (--state.Pins == 0)
            {
                _pinned--;
                MakeRoom(_capacity);
            }
        }
    }

    /// <inheritdoc />
    public int Sweep()
    {
        lock (_lock)
        {
            return SweepLocked();
        }
    }

    /// <summary>The label sets kept, for an instrument's callback; counted in <see cref="ReportedSinceGeneration"/>.</summary>
    public IEnumerable<KeyValuePair<TKey, TState>> Report()
    {
        // A snapshot (ToArray holds all of the dictionary's locks while it copies), not the dictionary's enumerator:
        // that one may show a label set dropped while the collection reads it and the label set that replaced it, so
        // one collection could report more label sets than the store ever kept.
        return Counted(_entries.ToArray(), Volatile.Read(ref _generation));
    }

    /// <inheritdoc />
    public SlotUsage SlotUsage()
    {
        var generation = Volatile.Read(ref _generation);
        var keptReported = 0;
        var kept = 0;
        foreach (var entry in _entries)
        {
            kept++;
            if (Volatile.Read(ref entry.Value.ReportedIn) == generation)
            {
                keptReported++;
            }
        }

        var reported = Volatile.Read(ref _reported);
        return new SlotUsage(reported + kept - keptReported, Math.Max(0, reported - keptReported));
    }

    /// <inheritdoc />
    public void StartGeneration()
    {
        Interlocked.Increment(ref _generation);
        Interlocked.Exchange(ref _reported, 0);
    }

    private IEnumerable<KeyValuePair<TKey, TState>> Counted(KeyValuePair<TKey, TState>[] entries, int generation)
    {
        foreach (var entry in entries)
        {
            if (Interlocked.Exchange(ref entry.Value.ReportedIn, generation) != generation)
            {
                Interlocked.Increment(ref _reported);
            }

            yield return entry;
        }
    }

    private void Add(TKey key, TState state)
    {
        MakeRoom(_capacity - 1);
        _entries[key] = state;
    }

    private int SweepLocked()
    {
        var now = _time.GetTimestamp();
        var removed = 0;
        foreach (var (key, state) in _entries)
        {
            if (state.Pins == 0 && now - state.LastUsed >= _expiry && _entries.TryRemove(key, out _))
            {
                removed++;
            }
        }

        return removed;
    }

    // Drops unpinned label sets until at most `keep` are left: the expired ones, then those used longest ago.
    private void MakeRoom(int keep)
    {
        if (_entries.Count - _pinned <= keep)
        {
            return;
        }

        SweepLocked();
        while (_entries.Count - _pinned > keep)
        {
            KeyValuePair<TKey, TState>? oldest = null;
            foreach (var entry in _entries)
            {
                if (entry.Value.Pins == 0 && (oldest is null || entry.Value.LastUsed < oldest.Value.Value.LastUsed))
                {
                    oldest = entry;
                }
            }

            if (oldest is not { } evict)
            {
                return;
            }

            _entries.TryRemove(evict.Key, out _);
        }
    }
}
