namespace Bridge.Server.Subscriptions;

/// <summary>
/// The records a stream read from one partition, in offset order, and which of them are done (acked,
/// filtered out or invalid). The commit position is the offset of the first record not done, so an
/// offset is never committed past an unacked record even when later ones were acked. Offsets need not
/// be contiguous (compaction, transaction markers): only records actually read count. Not thread-safe.
/// </summary>
internal sealed class PartitionOffsets(int partition)
{
    private readonly Queue<Entry> _entries = new();
    private long _next = -1;

    /// <summary>The partition.</summary>
    public int Partition { get; } = partition;

    /// <summary>The position last committed (the next offset to read), or null when this stream committed none.</summary>
    public long? Committed { get; private set; }

    /// <summary>The position last handed to the consumer for its background commit, or null when none was.</summary>
    public long? Stored { get; private set; }

    /// <summary>Records read and not yet passed by the commit position.</summary>
    public int Tracked => _entries.Count;

    /// <summary>The offset after the last record read, or -1 when none was read.</summary>
    public long Next => _next;

    /// <summary>
    /// While set, records older than this (Unix milliseconds) are skipped as done: a timestamp start position
    /// reads from the first record at or after the time. Cleared by the first record that is not older.
    /// </summary>
    public long? SkipBefore { get; set; }

    /// <summary>The offset of the first record read, or null when none was read.</summary>
    public long? First { get; private set; }

    /// <summary>Registers a record that was just read. Offsets must increase.</summary>
    /// <param name="offset">The record's offset.</param>
    /// <param name="done">True when it needs no ack (filtered out, invalid).</param>
    /// <exception cref="ArgumentOutOfRangeException">The offset is not above the previous one.</exception>
    public Entry Track(long offset, bool done)
    {
        if (offset < _next)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"Partition {Partition}: offset {offset} was read after {_next - 1}.");
        }

        var entry = new Entry(offset) { Done = done };
        First ??= offset;
        _entries.Enqueue(entry);
        _next = offset + 1;
        return entry;
    }

    /// <summary>Marks a record done; false when it already was.</summary>
    public static bool Complete(Entry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (entry.Done)
        {
            return false;
        }

        entry.Done = true;
        return true;
    }

    /// <summary>
    /// The highest position that may be committed: the first record not done, or one past the last record
    /// read when all are done. Null when nothing was read.
    /// </summary>
    public long? CommitPosition()
    {
        while (_entries.TryPeek(out var head) && head.Done)
        {
            _entries.Dequeue();
        }

        if (_entries.TryPeek(out var first))
        {
            return first.Offset;
        }

        return _next < 0 ? null : _next;
    }

    /// <summary>The position to commit now, or null when it would not move past <see cref="Committed"/>.</summary>
    public long? PendingCommit()
    {
        var position = CommitPosition();
        return position is { } p && (Committed is not { } c || p > c) ? p : null;
    }

    /// <summary>
    /// The position to hand to the consumer's background commit now, or null when it would not move past what
    /// was stored or committed before.
    /// </summary>
    public long? PendingStore()
    {
        var position = CommitPosition();
        return position is { } p && (Stored is not { } s || p > s) && (Committed is not { } c || p > c) ? p : null;
    }

    /// <summary>Records that <paramref name="position"/> was handed to the consumer's background commit.</summary>
    public void MarkStored(long position)
    {
        if (Stored is not { } s || position > s)
        {
            Stored = position;
        }
    }

    /// <summary>Records that Kafka accepted a commit of <paramref name="position"/>.</summary>
    public void MarkCommitted(long position)
    {
        if (Committed is not { } c || position > c)
        {
            Committed = position;
        }
    }

    /// <summary>One record read from the partition.</summary>
    internal sealed class Entry(long offset)
    {
        public long Offset { get; } = offset;

        public bool Done { get; set; }
    }
}
