using System.Buffers.Binary;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Win32.SafeHandles;

namespace Bridge.Server.Spool;

/// <summary>
/// The spool on disk: an append-only log of segment files (<see cref="SpoolRecordFormat"/>) in one directory,
/// with an in-memory index of the records still to forward, queued per Kafka key.
/// </summary>
/// <remarks>
/// <para>Appends are durable when <see cref="AppendAsync"/> completes: the record is written, then the file is
/// fsynced. Concurrent appends share one fsync (group commit): whoever syncs covers every record written
/// before the sync started.</para>
/// <para>Forwarding takes the oldest record of each key (<see cref="TryTake"/>), and only one record per key at
/// a time, so each key's records reach Kafka in spool order; records without a key have no order and go out
/// concurrently. A record leaves the index when Kafka acknowledged it (<see cref="Complete"/>). A segment file
/// is deleted once every record in it was acknowledged and a newer segment exists; the lowest sequence still
/// waiting is written to a checkpoint file, so a restart skips what was forwarded (a few records may be
/// forwarded again: the guarantee is at least once, with event ids).</para>
/// <para>Opening recovers: a last record cut short by a crash (never answered, as its fsync never completed)
/// is dropped and the file truncated; damage inside an older segment ends that segment's readable records.</para>
/// </remarks>
internal sealed class SpoolStore : IDisposable
{
    public const string LockFileName = "spool.lock";
    public const string CheckpointFileName = "checkpoint";
    public const string SegmentExtension = ".seg";
    public const string CorruptExtension = ".corrupt";

    private const int CheckpointSize = 16;

    // Room for a few Flagger events: less than that left counts as full for readiness.
    private const int ReadinessHeadroom = 16 * 1024;

    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _syncLock = new(1, 1);
    private readonly SemaphoreSlim _work = new(0, 1);
    private readonly List<Segment> _segments = [];
    private readonly HashSet<Segment> _unsynced = [];
    private readonly Dictionary<string, Lane> _lanes = new(StringComparer.Ordinal);
    private readonly Queue<Lane> _ready = new();
    private readonly LinkedList<SpoolEntry> _pending = new();
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly SpoolMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;

    private FileStream? _lock;
    private long _nextSequence = 1;
    private long _written;
    private long _durable;
    private long _bytes;
    private long _savedCheckpoint;
    private string? _fault;
    private bool _disposed;

    /// <param name="directory">The spool's directory (absolute). Must not be null.</param>
    /// <param name="maxBytes">Bytes the segment files may take.</param>
    /// <param name="segmentBytes">Size at which a new segment file is started.</param>
    /// <param name="metrics">Observes the store's size and age. May be null.</param>
    /// <param name="logger">Must not be null.</param>
    /// <param name="time">The clock of spooling times; null for the system's.</param>
    public SpoolStore(string directory, long maxBytes, long segmentBytes, SpoolMetrics? metrics, ILogger logger, TimeProvider? time = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        Directory = Path.GetFullPath(directory);
        _maxBytes = maxBytes;
        _segmentBytes = segmentBytes;
        _metrics = metrics;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        metrics?.Observe(Status);
    }

    /// <summary>The spool's directory, absolute.</summary>
    public string Directory { get; }

    /// <summary>Most bytes the segment files may take.</summary>
    public long MaxBytes => _maxBytes;

    /// <summary>Bytes of the segment files on disk.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Whether <see cref="Open"/> succeeded and the store is not disposed.</summary>
    public bool IsOpen
    {
        get
        {
            lock (_gate)
            {
                return _lock is not null && !_disposed;
            }
        }
    }

    /// <summary>Records waiting to be forwarded.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>Null when the spool can take events now, else why not (a sentence naming the setting or the directory).</summary>
    public string? RoomProblem()
    {
        lock (_gate)
        {
            if (_lock is null || _disposed)
            {
                return $"the spool at {Directory} is not open.";
            }

            if (_fault is not null)
            {
                return _fault;
            }

            var bytes = Interlocked.Read(ref _bytes);
            return bytes + ReadinessHeadroom > _maxBytes
                ? $"the spool at {Directory} is full ({bytes} of {_maxBytes} bytes, Spool:MaxBytes) until Kafka takes its events."
                : null;
        }
    }

    /// <summary>Bytes, records and age of the oldest record, for metrics.</summary>
    public SpoolStatus Status()
    {
        lock (_gate)
        {
            var oldest = _pending.First?.Value.SpooledAtMs;
            var age = oldest is { } ms ? _time.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(ms) : TimeSpan.Zero;
            return new SpoolStatus(Interlocked.Read(ref _bytes), _pending.Count, age < TimeSpan.Zero ? TimeSpan.Zero : age);
        }
    }

    /// <summary>
    /// Takes the directory (creating it and its lock file) and reads back every record not yet forwarded.
    /// </summary>
    /// <exception cref="SpoolUnavailableException">The directory cannot be used; the message names it and why.</exception>
    public void Open()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_lock is not null)
            {
                return;
            }

            try
            {
                System.IO.Directory.CreateDirectory(Directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SpoolUnavailableException($"Spool:Directory '{Directory}' cannot be created: {e.Message}", e);
            }

            try
            {
                // FileShare.None is an exclusive lock (flock) on Unix; the kernel drops it when the process dies, kill -9 included.
                _lock = new FileStream(Path.Combine(Directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (UnauthorizedAccessException e)
            {
                throw new SpoolUnavailableException($"Spool:Directory '{Directory}' is not writable: {e.Message}", e);
            }
            catch (IOException e)
            {
                throw new SpoolUnavailableException(
                    $"Spool:Directory '{Directory}' is in use by another bridge process (it holds {LockFileName}); give each bridge its own directory.", e);
            }

            try
            {
                Recover();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                CloseFiles();
                throw new SpoolUnavailableException($"Spool:Directory '{Directory}' could not be read back: {e.Message}", e);
            }

            var bytes = Interlocked.Read(ref _bytes);
            SpoolLog.Opened(_logger, Directory, _pending.Count, bytes, _segments.Count, _maxBytes);
        }
    }

    /// <summary>Whether records of <paramref name="key"/> are waiting in the spool (later events of that key must queue behind them).</summary>
    public bool HasPending(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        lock (_gate)
        {
            return _lanes.ContainsKey(key);
        }
    }

    /// <summary>
    /// Appends an event and completes once it is on disk (fsynced).
    /// </summary>
    /// <param name="key">The Kafka key; null for none.</param>
    /// <param name="cloudEvent">The event in the CloudEvents protobuf format.</param>
    /// <param name="original">
    /// The publish to Kafka still under way for this event, completing with whether Kafka acknowledged it; the
    /// forwarder waits for it and skips the record when it was. Null when there is none.
    /// </param>
    /// <exception cref="SpoolUnavailableException">The spool is full, not open, or could not be written or synced.</exception>
    public async ValueTask<SpoolEntry> AppendAsync(string? key, ReadOnlyMemory<byte> cloudEvent, Task<bool>? original)
    {
        SpoolEntry entry;
        lock (_gate)
        {
            if (_lock is null || _disposed)
            {
                throw new SpoolUnavailableException($"the spool at {Directory} is not open.");
            }

            if (_fault is not null)
            {
                throw new SpoolUnavailableException(_fault);
            }

            var sequence = _nextSequence;
            var spooledAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var bytes = SpoolRecordFormat.Encode(sequence, spooledAt, key, cloudEvent.Span);
            var segment = ActiveSegment(bytes.Length);

            var offset = segment.Length;
            try
            {
                RandomAccess.Write(segment.Handle, bytes, offset);
            }
            catch (IOException e)
            {
                // Whatever part of the record reached the file must not be taken for one by the next append.
                TryTruncate(segment, offset);
                throw new SpoolUnavailableException($"the spool at {Directory} could not be written: {e.Message}", e);
            }

            segment.Length += bytes.Length;
            Interlocked.Add(ref _bytes, bytes.Length);
            _nextSequence++;
            _written = sequence;
            _unsynced.Add(segment);
            entry = new SpoolEntry(sequence, key, spooledAt, segment, offset, bytes.Length) { Original = original };
            Index(entry);
        }

        await WaitDurableAsync(entry.Sequence).ConfigureAwait(false);
        Signal();
        return entry;
    }

    /// <summary>
    /// The oldest durable record of a key that has none on its way to Kafka, or false when there is none now.
    /// The key stays blocked until <see cref="Complete"/> or <see cref="Return"/>.
    /// </summary>
    public bool TryTake(out SpoolEntry entry)
    {
        lock (_gate)
        {
            var durable = Interlocked.Read(ref _durable);
            while (_ready.TryPeek(out var lane))
            {
                var head = lane.Entries.Peek();
                if (head.Sequence > durable)
                {
                    // Not on disk yet; the sync that covers it signals.
                    break;
                }

                _ready.Dequeue();
                lane.Queued = false;
                lane.InFlight = true;
                entry = head;
                return true;
            }
        }

        entry = null!;
        return false;
    }

    /// <summary>Reads a record taken with <see cref="TryTake"/> back from its segment file.</summary>
    /// <exception cref="InvalidDataException">The record on disk is damaged.</exception>
    public SpoolRecord Read(SpoolEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var buffer = new byte[entry.Length];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = RandomAccess.Read(entry.Segment.Handle, buffer.AsSpan(read), entry.Offset + read);
            if (n == 0)
            {
                throw new InvalidDataException($"{entry.Segment.Path} ends before record {entry.Sequence}.");
            }

            read += n;
        }

        return SpoolRecordFormat.TryRead(buffer, out var record, out _) == SpoolRecordFormat.ReadStatus.Valid && record!.Sequence == entry.Sequence
            ? record
            : throw new InvalidDataException($"record {entry.Sequence} at offset {entry.Offset} of {entry.Segment.Path} no longer matches its checksum.");
    }

    /// <summary>Removes a record Kafka acknowledged (or that cannot be forwarded) and unblocks its key.</summary>
    public void Complete(SpoolEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            if (entry.Node is null)
            {
                return;
            }

            var lane = entry.Lane;
            lane.Entries.Dequeue();
            lane.InFlight = false;
            if (lane.Entries.Count == 0)
            {
                if (lane.Key is not null)
                {
                    _lanes.Remove(lane.Key);
                }
            }
            else
            {
                Ready(lane);
            }

            _pending.Remove(entry.Node);
            entry.Node = null;
            var segment = entry.Segment;
            segment.Pending--;
            if (segment.Pending == 0 && segment != _segments[^1])
            {
                Retire(segment);
            }
        }

        Signal();
    }

    /// <summary>Gives back a record Kafka did not take; it stays first of its key and is taken again.</summary>
    public void Return(SpoolEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        lock (_gate)
        {
            if (entry.Node is null)
            {
                return;
            }

            entry.Lane.InFlight = false;
            Ready(entry.Lane);
        }

        Signal();
    }

    /// <summary>Completes when a record may be ready to take (appended, returned or a key unblocked), or on cancellation.</summary>
    public async Task WaitForWorkAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _work.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Records durably that every record below the lowest still waiting was forwarded, when that changed
    /// since the last call. Written to a new file renamed over the old one, so a crash leaves either.
    /// </summary>
    public void SaveCheckpoint()
    {
        long checkpoint;
        lock (_gate)
        {
            if (_lock is null || _disposed)
            {
                return;
            }

            checkpoint = _pending.First?.Value.Sequence ?? _nextSequence;
            if (checkpoint == _savedCheckpoint)
            {
                return;
            }
        }

        var path = Path.Combine(Directory, CheckpointFileName);
        try
        {
            var bytes = new byte[CheckpointSize];
            "BRCK"u8.CopyTo(bytes);
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(4), checkpoint);
            BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(12), Crc32C.Compute(bytes.AsSpan(0, 12)));
            var temporary = path + ".tmp";
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, path, overwrite: true);
            lock (_gate)
            {
                _savedCheckpoint = Math.Max(_savedCheckpoint, checkpoint);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SpoolLog.CheckpointFailed(_logger, path, e.Message);
        }
    }

    public void Dispose()
    {
        int pending;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            pending = _pending.Count;
        }

        if (_lock is not null)
        {
            SaveCheckpoint();
            if (pending > 0)
            {
                SpoolLog.StoppedWithPending(_logger, pending);
            }
        }

        lock (_gate)
        {
            _disposed = true;
            CloseFiles();
        }

        _syncLock.Dispose();
        _work.Dispose();
    }

    private void Signal()
    {
        try
        {
            if (_work.CurrentCount == 0)
            {
                _work.Release();
            }
        }
        catch (Exception e) when (e is SemaphoreFullException or ObjectDisposedException)
        {
            // Already signalled, or closing.
        }
    }

    private async ValueTask WaitDurableAsync(long sequence)
    {
        while (Interlocked.Read(ref _durable) < sequence)
        {
            await _syncLock.WaitAsync().ConfigureAwait(false);
            try
            {
                if (Interlocked.Read(ref _durable) >= sequence)
                {
                    break;
                }

                long target;
                string? fault;
                lock (_gate)
                {
                    fault = _fault;
                }

                if (fault is not null)
                {
                    throw new SpoolUnavailableException(fault);
                }

                Segment[] segments;
                lock (_gate)
                {
                    target = _written;
                    segments = [.. _unsynced];
                    _unsynced.Clear();
                }

                try
                {
                    // One fsync covers every record written before it started: the group commit.
                    foreach (var segment in segments)
                    {
                        Sync(segment);
                    }
                }
                catch (IOException e)
                {
                    SpoolLog.SyncFailed(_logger, e.Message);
                    lock (_gate)
                    {
                        // After a failed fsync the kernel may have dropped the dirty pages, and a later fsync can
                        // succeed without them: no append is trusted until a restart reads the files back. The
                        // records indexed so far stay and are still forwarded.
                        _fault = $"the spool at {Directory} could not be synced to disk ({e.Message}); it takes no events until the bridge restarts.";
                    }

                    throw new SpoolUnavailableException(_fault, e);
                }

                Interlocked.Exchange(ref _durable, Math.Max(target, Interlocked.Read(ref _durable)));
            }
            finally
            {
                _syncLock.Release();
            }
        }
    }

    // Called with the gate held: the segment the next record goes to, started when the last one is full.
    private Segment ActiveSegment(int recordBytes)
    {
        if (_segments.Count > 0)
        {
            var last = _segments[^1];
            if (last.Length + recordBytes <= _segmentBytes || last.Length == SpoolRecordFormat.SegmentHeader.Length)
            {
                ThrowIfFull(recordBytes);
                return last;
            }

            if (last.Pending == 0)
            {
                // Full, and everything in it is on Kafka.
                Retire(last);
            }
        }

        ThrowIfFull(SpoolRecordFormat.SegmentHeader.Length + recordBytes);
        var path = Path.Combine(Directory, SegmentName(_nextSequence));
        SafeFileHandle? handle = null;
        try
        {
            handle = File.OpenHandle(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read);
            RandomAccess.Write(handle, SpoolRecordFormat.SegmentHeader, 0);
            RandomAccess.FlushToDisk(handle);
            SpoolNativeMethods.SyncDirectory(Directory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            handle?.Dispose();
            TryDelete(path);
            throw new SpoolUnavailableException($"the spool could not start segment file {path}: {e.Message}", e);
        }

        var segment = new Segment(path, handle, SpoolRecordFormat.SegmentHeader.Length);
        _segments.Add(segment);
        Interlocked.Add(ref _bytes, segment.Length);
        return segment;
    }

    private static void Sync(Segment segment)
    {
        try
        {
            RandomAccess.FlushToDisk(segment.Handle);
        }
        catch (ObjectDisposedException)
        {
            // Retired meanwhile: every record in it was forwarded, so nothing in it waits for this sync.
        }
    }

    private void ThrowIfFull(long moreBytes)
    {
        var bytes = Interlocked.Read(ref _bytes);
        if (bytes + moreBytes > _maxBytes)
        {
            throw new SpoolUnavailableException($"the spool at {Directory} is full ({bytes} of {_maxBytes} bytes, Spool:MaxBytes) until Kafka takes its events.", full: true);
        }
    }

    private void Index(SpoolEntry entry)
    {
        entry.Node = _pending.AddLast(entry);
        entry.Segment.Pending++;
        Lane lane;
        if (entry.Key is null)
        {
            lane = new Lane(null);
        }
        else if (!_lanes.TryGetValue(entry.Key, out lane!))
        {
            lane = new Lane(entry.Key);
            _lanes.Add(entry.Key, lane);
        }

        entry.Lane = lane;
        lane.Entries.Enqueue(entry);
        if (lane.Entries.Count == 1)
        {
            Ready(lane);
        }
    }

    private void Ready(Lane lane)
    {
        if (!lane.Queued && !lane.InFlight && lane.Entries.Count > 0)
        {
            lane.Queued = true;
            _ready.Enqueue(lane);
        }
    }

    // Called with the gate held, for a segment none of whose records waits any more.
    private void Retire(Segment segment)
    {
        _segments.Remove(segment);
        _unsynced.Remove(segment);
        segment.Handle.Dispose();
        Interlocked.Add(ref _bytes, -segment.Length);
        try
        {
            if (segment.Damaged)
            {
                File.Move(segment.Path, segment.Path + CorruptExtension, overwrite: true);
            }
            else
            {
                File.Delete(segment.Path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            SpoolLog.DeleteFailed(_logger, segment.Path, e.Message);
        }
    }

    private void Recover()
    {
        var checkpoint = ReadCheckpoint();
        _savedCheckpoint = checkpoint;
        foreach (var stale in System.IO.Directory.EnumerateFiles(Directory, "*.tmp"))
        {
            TryDelete(stale);
        }

        var files = System.IO.Directory.EnumerateFiles(Directory, "*" + SegmentExtension)
            .Select(path => (Path: path, First: ParseSegmentName(path)))
            .Where(f => f.First is not null)
            .OrderBy(f => f.First)
            .ToList();

        var lastSequence = 0L;
        for (var i = 0; i < files.Count; i++)
        {
            var path = files[i].Path;
            var isLast = i == files.Count - 1;
            var data = File.ReadAllBytes(path);
            var header = SpoolRecordFormat.SegmentHeader;
            if (data.Length < header.Length || !data.AsSpan(0, header.Length).SequenceEqual(header))
            {
                if (isLast && data.Length < header.Length)
                {
                    // Created, but cut short before its header was synced: it never held an answered record.
                    SpoolLog.TornTail(_logger, path, data.Length, 0);
                    TryDelete(path);
                    continue;
                }

                SpoolLog.CorruptSegment(_logger, path, 0, data.Length);
                File.Move(path, path + CorruptExtension, overwrite: true);
                continue;
            }

            var handle = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
            var segment = new Segment(path, handle, data.Length);
            var offset = header.Length;
            var records = new List<SpoolEntry>();
            while (offset < data.Length)
            {
                var status = SpoolRecordFormat.TryRead(data.AsSpan(offset), out var record, out var length);
                if (status == SpoolRecordFormat.ReadStatus.Valid && record!.Sequence > lastSequence)
                {
                    lastSequence = record.Sequence;
                    if (record.Sequence >= checkpoint)
                    {
                        records.Add(new SpoolEntry(record.Sequence, record.Key, record.SpooledAtMs, segment, offset, length));
                    }

                    offset += length;
                    continue;
                }

                var rest = data.Length - offset;
                if (isLast)
                {
                    SpoolLog.TornTail(_logger, path, rest, offset);
                    RandomAccess.SetLength(handle, offset);
                    RandomAccess.FlushToDisk(handle);
                    segment.Length = offset;
                }
                else
                {
                    SpoolLog.CorruptSegment(_logger, path, offset, rest);
                    segment.Damaged = true;
                }

                break;
            }

            _segments.Add(segment);
            Interlocked.Add(ref _bytes, segment.Length);
            foreach (var entry in records)
            {
                Index(entry);
            }
        }

        // Segments all of whose records were forwarded go, except the newest, which takes the next appends.
        foreach (var segment in _segments.Where(s => s.Pending == 0).ToList())
        {
            if (segment != _segments[^1] || segment.Damaged)
            {
                Retire(segment);
            }
        }

        _nextSequence = Math.Max(Math.Max(lastSequence + 1, checkpoint), 1);
        _written = _nextSequence - 1;
        Interlocked.Exchange(ref _durable, _written);
    }

    private long ReadCheckpoint()
    {
        var path = Path.Combine(Directory, CheckpointFileName);
        if (!File.Exists(path))
        {
            return 0;
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length != CheckpointSize || !bytes.AsSpan(0, 4).SequenceEqual("BRCK"u8)
            || BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(12)) != Crc32C.Compute(bytes.AsSpan(0, 12)))
        {
            // Without it every record in the segments is forwarded again: duplicates, never a loss.
            SpoolLog.CheckpointFailed(_logger, path, "the file is damaged; every spooled record is forwarded again");
            return 0;
        }

        return BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(4));
    }

    private void CloseFiles()
    {
        foreach (var segment in _segments)
        {
            segment.Handle.Dispose();
        }

        _segments.Clear();
        _unsynced.Clear();
        _lock?.Dispose();
        _lock = null;
    }

    private void TryTruncate(Segment segment, long length)
    {
        try
        {
            RandomAccess.SetLength(segment.Handle, length);
        }
        catch (IOException)
        {
            // The next append goes to a new segment; recovery ends this one at the damage.
            segment.Length = _segmentBytes;
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left behind; harmless.
        }
    }

    /// <summary>The file name of the segment whose first record has <paramref name="firstSequence"/>.</summary>
    internal static string SegmentName(long firstSequence) =>
        firstSequence.ToString("D20", CultureInfo.InvariantCulture) + SegmentExtension;

    private static long? ParseSegmentName(string path)
    {
        var name = Path.GetFileNameWithoutExtension(path);
        return name.Length == 20 && long.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var first) ? first : null;
    }

    /// <summary>One segment file.</summary>
    internal sealed class Segment(string path, SafeFileHandle handle, long length)
    {
        public string Path { get; } = path;

        public SafeFileHandle Handle { get; } = handle;

        /// <summary>Bytes in the file (where the next record goes).</summary>
        public long Length { get; set; } = length;

        /// <summary>Records in this file not yet forwarded.</summary>
        public int Pending { get; set; }

        /// <summary>Recovery found unreadable bytes in it; it is kept as <c>.corrupt</c> instead of deleted.</summary>
        public bool Damaged { get; set; }
    }

    /// <summary>The records of one key, oldest first; a record without key has a lane of its own.</summary>
    internal sealed class Lane(string? key)
    {
        public string? Key { get; } = key;

        public Queue<SpoolEntry> Entries { get; } = new();

        /// <summary>Its first record is on its way to Kafka.</summary>
        public bool InFlight { get; set; }

        /// <summary>It is in the queue of lanes ready to forward.</summary>
        public bool Queued { get; set; }
    }
}

/// <summary>A record in the spool's index: where it is and what it is for.</summary>
internal sealed class SpoolEntry(long sequence, string? key, long spooledAtMs, SpoolStore.Segment segment, long offset, int length)
{
    public long Sequence { get; } = sequence;

    public string? Key { get; } = key;

    public long SpooledAtMs { get; } = spooledAtMs;

    /// <summary>The Kafka publish still under way when the record was spooled (true when acknowledged); null if none.</summary>
    public Task<bool>? Original { get; init; }

    internal SpoolStore.Segment Segment { get; } = segment;

    internal long Offset { get; } = offset;

    internal int Length { get; } = length;

    internal SpoolStore.Lane Lane { get; set; } = null!;

    internal LinkedListNode<SpoolEntry>? Node { get; set; }
}
