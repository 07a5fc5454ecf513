using System.Diagnostics;
using System.Threading.Channels;
using Bridge.CloudEvents;
using Bridge.CloudEvents.Kafka;
using Bridge.Server.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Subscriptions;

/// <summary>
/// One Subscribe stream: its own Kafka consumer in the subscription's consumer group, the records read
/// ahead of delivery, the deliveries in flight and the offsets to commit.
/// </summary>
/// <remarks>
/// <code>
///  consume thread:  Consume ─► decode ─► filter ─┬─ match ──► read-ahead buffer ──► TakeAsync (writer) ─► in flight ─► Ack (reader)
///                                                └─ skip / invalid ─► done                                              │
///                   every CommitInterval: commit each partition's first record not done  ◄─────────────── done ◄───────┘
/// </code>
/// Everything that touches the consumer (consume, commit, rebalance handlers, close) runs on one dedicated
/// thread, never on a request thread. Offsets are committed up to the first record that is not done, so a
/// record that was not acked is read again after a reconnect or rebalance. When a partition is revoked its
/// contiguous offsets are committed, its undelivered records dropped, and acks of its deliveries still in
/// flight are ignored: the partition's new owner delivers those records again. Past
/// <see cref="SubscriptionOptions.ReadAheadRecords"/> buffered records the consumer pauses fetching.
/// </remarks>
internal sealed class SubscriptionSession : IAsyncDisposable
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan StallBeforePause = TimeSpan.FromSeconds(1);

    // How often acked positions are handed to the consumer; a local call, librdkafka commits them every CommitInterval.
    private static readonly TimeSpan StoreInterval = TimeSpan.FromMilliseconds(10);

    private readonly SubscriptionRequest _request;
    private readonly KafkaConnection _kafka;
    private readonly SubscriptionOptions _options;
    private readonly SubscriptionRegistry _registry;
    private readonly SubscriptionMetrics _metrics;
    private readonly ILogger _logger;
    private readonly Func<CloudEvent, bool>? _admits;
    private readonly SubscriptionState _state;
    private readonly string _topic;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, PartitionOffsets> _partitions = [];
    private readonly LinkedList<Pending> _buffer = new();

    // Set by the writer once a paused read-ahead buffer has drained to half, so the consume loop resumes
    // at once rather than after sitting out a whole poll on paused partitions.
    private readonly ManualResetEventSlim _room = new(false);
    private readonly Dictionary<ulong, Outstanding> _inFlight = [];
    private readonly SemaphoreSlim _window;
    private readonly Channel<bool> _signal = Channel.CreateBounded<bool>(new BoundedChannelOptions(1)
    {
        FullMode = BoundedChannelFullMode.DropWrite,
        SingleReader = true,
    });

    private ulong _lastAckId;
    private bool _loopEnded;
    private TaskCompletionSource? _allAcked;

    // Set by the rebalance handlers: librdkafka keeps a partition's pause flag across revocation and
    // reassignment, and a revocation may empty the read-ahead buffer, so the pause state of the whole new
    // assignment is set again on the next round of the consume loop.
    private bool _assignmentChanged;

    private volatile bool _stopRequested;
    private Exception? _failure;
    private Task? _loop;
    private bool _paused;
    private long _lag = -1;
    private long _delivered;
    private long _acked;
    private int _left;

    /// <summary>
    /// Creates the session of a validated open request and registers it with its subscription; <c>admits</c>
    /// is an extra check every delivered event must pass (the caller's namespaces), null admits all.
    /// </summary>
    public SubscriptionSession(
        SubscriptionRequest request,
        Func<CloudEvent, bool>? admits,
        KafkaConnection kafka,
        SubscriptionOptions options,
        SubscriptionRegistry registry,
        SubscriptionMetrics metrics,
        ILogger logger)
    {
        _request = request;
        _admits = admits;
        _kafka = kafka;
        _options = options;
        _registry = registry;
        _metrics = metrics;
        _logger = logger;
        _topic = kafka.Topic;
        _window = new SemaphoreSlim(request.MaxInFlight, request.MaxInFlight);
        _state = registry.Join(request.Name, this);
        metrics.StreamOpened(request.Name);
    }

    /// <summary>The subscription.</summary>
    public string Name => _request.Name;

    /// <summary>Unacked deliveries the stream may have.</summary>
    public int MaxInFlight => _request.MaxInFlight;

    /// <summary>Deliveries sent so far.</summary>
    public long Delivered => Interlocked.Read(ref _delivered);

    /// <summary>Deliveries acked so far (acks of revoked partitions not counted).</summary>
    public long Acked => Interlocked.Read(ref _acked);

    /// <summary>Deliveries not yet acked.</summary>
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

    /// <summary>The partitions this stream holds now.</summary>
    public IReadOnlyList<int> Partitions
    {
        get
        {
            lock (_lock)
            {
                return [.. _partitions.Keys.Order()];
            }
        }
    }

    /// <summary>Whether the consumer paused its partitions because the client stopped taking deliveries.</summary>
    public bool IsPaused => Volatile.Read(ref _paused);

    /// <summary>Records behind the high watermark over the partitions held, or null before it is known.</summary>
    public long? Lag => Interlocked.Read(ref _lag) is var lag and >= 0 ? lag : null;

    /// <summary>Starts consuming on a dedicated thread.</summary>
    public void Start()
    {
        if (_loop is not null)
        {
            throw new InvalidOperationException("The session was already started.");
        }

        _loop = Task.Factory.StartNew(RunLoop, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    /// <summary>
    /// Waits until the stream may have one more delivery in flight and a record is ready, then returns it
    /// as a delivery with a new ack id.
    /// </summary>
    /// <exception cref="SubscriptionFailedException">The consumer failed or stopped.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired.</exception>
    public async ValueTask<Delivery> TakeAsync(CancellationToken cancellationToken)
    {
        await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                Pending? next = null;
                ulong ackId = 0;
                lock (_lock)
                {
                    if (_loopEnded)
                    {
                        throw Failure();
                    }

                    if (_buffer.First is { } node)
                    {
                        _buffer.RemoveFirst();
                        if (_buffer.Count <= _options.ReadAheadRecords / 2 && !_room.IsSet)
                        {
                            _room.Set();
                        }

                        next = node.Value;
                        ackId = ++_lastAckId;
                        _inFlight[ackId] = new Outstanding(next.Owner, next.Entry);
                    }
                }

                if (next is not null)
                {
                    var attempt = _state.Attempts.Next(next.Owner.Partition, next.Entry.Offset);
                    Interlocked.Increment(ref _delivered);
                    _metrics.Delivered(Name, attempt);
                    return new Delivery(ackId, next.Event, next.Owner.Partition, next.Entry.Offset, attempt, next.Key);
                }

                if (!await _signal.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw Failure();
                }

                _signal.Reader.TryRead(out _);
            }
        }
        catch
        {
            _window.Release();
            throw;
        }
    }

    /// <summary>Handles the ack of one delivery.</summary>
    public AckOutcome Ack(ulong ackId)
    {
        AckOutcome outcome;
        lock (_lock)
        {
            if (ackId == 0 || ackId > _lastAckId)
            {
                return AckOutcome.NeverIssued;
            }

            if (!_inFlight.Remove(ackId, out var delivery))
            {
                return AckOutcome.Duplicate;
            }

            if (_inFlight.Count == 0)
            {
                _allAcked?.TrySetResult();
            }

            if (_partitions.TryGetValue(delivery.Owner.Partition, out var owner) && ReferenceEquals(owner, delivery.Owner))
            {
                PartitionOffsets.Complete(delivery.Entry);
                outcome = AckOutcome.Acked;
            }
            else
            {
                outcome = AckOutcome.Revoked;
            }
        }

        if (outcome == AckOutcome.Acked)
        {
            Interlocked.Increment(ref _acked);
        }

        _window.Release();
        return outcome;
    }

    /// <summary>
    /// Waits until no delivery is in flight, at most <paramref name="timeout"/>; false when some still are.
    /// </summary>
    public async Task<bool> WaitForAcksAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        Task allAcked;
        lock (_lock)
        {
            if (_inFlight.Count == 0)
            {
                return true;
            }

            _allAcked ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            allAcked = _allAcked.Task;
        }

        try
        {
            await allAcked.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>
    /// Stops consuming, commits the contiguous acks, leaves the consumer group and unregisters the stream.
    /// Waits for the consumer at most <see cref="SubscriptionOptions.CloseTimeout"/>: past it (Kafka does not
    /// answer) the consumer finishes on its own thread and the acks it could not commit are delivered again.
    /// Safe to call more than once.
    /// </summary>
    public async Task StopAsync()
    {
        _stopRequested = true;
        if (_loop is { } loop && !loop.IsCompleted)
        {
            try
            {
                await loop.WaitAsync(_options.CloseTimeout).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                SubscriptionLog.CloseAbandoned(_logger, Name, _options.CloseTimeout);
            }
        }

        if (Interlocked.Exchange(ref _left, 1) == 0)
        {
            _registry.Leave(_state, this);
            _metrics.StreamClosed(Name);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private SubscriptionFailedException Failure() =>
        _failure is { } failure
            ? new SubscriptionFailedException($"Subscription '{Name}': the Kafka consumer failed: {failure.Message}", failure)
            : new SubscriptionFailedException($"Subscription '{Name}': the Kafka consumer stopped.");

    private void RunLoop()
    {
        try
        {
            var consumer = BuildConsumer();
            try
            {
                consumer.Subscribe(_topic);
                var clock = Stopwatch.StartNew();
                var nextStore = StoreInterval;
                var nextLag = _options.CommitInterval;
                while (!_stopRequested)
                {
                    FlowControl(consumer);
                    ConsumeResult<byte[]?, byte[]?>? result;
                    try
                    {
                        if (_paused)
                        {
                            // Paused partitions fetch nothing: wait for room, and still poll so rebalances are served.
                            _room.Wait(PollTimeout);
                            result = consumer.Consume(TimeSpan.Zero);
                        }
                        else
                        {
                            result = consumer.Consume(PollTimeout);
                        }
                    }
                    catch (ConsumeException e) when (!e.Error.IsFatal)
                    {
                        SubscriptionLog.ConsumerError(_logger, Name, e.Error.Reason, e.Error.Code.ToString());
                        continue;
                    }

                    if (result is { IsPartitionEOF: false, Message: not null })
                    {
                        Handle(consumer, result);
                    }

                    if (clock.Elapsed >= nextStore)
                    {
                        StoreReady(consumer, null);
                        nextStore = clock.Elapsed + StoreInterval;
                    }

                    if (clock.Elapsed >= nextLag)
                    {
                        UpdateLag(consumer);
                        nextLag = clock.Elapsed + _options.CommitInterval;
                    }
                }

                // The acks that arrived until now are committed by Close, which also leaves the group at once
                // instead of after the session timeout. Close waits for the coordinator as long as librdkafka
                // retries; StopAsync stops waiting for this thread after CloseTimeout.
                StoreReady(consumer, null);
                consumer.Close();
            }
            catch (KafkaException e) when (_stopRequested && !e.Error.IsFatal)
            {
                SubscriptionLog.CloseFailed(_logger, Name, e.Error.Reason);
            }
            finally
            {
                // Without Close (a failure), Dispose neither commits nor leaves the group: the group rebalances
                // after the session timeout and the uncommitted records are delivered again.
                consumer.Dispose();
            }
        }
        catch (Exception e)
        {
            _failure = e;
            SubscriptionLog.ConsumerFailed(_logger, Name, e);
        }
        finally
        {
            lock (_lock)
            {
                _loopEnded = true;
                _buffer.Clear();
            }

            Interlocked.Exchange(ref _lag, -1);
            _signal.Writer.TryComplete();
        }
    }

    private IConsumer<byte[]?, byte[]?> BuildConsumer()
    {
        var config = _kafka.CreateConsumerConfig(Name);
        config.AutoOffsetReset = _request.Start == StartKind.Earliest ? AutoOffsetReset.Earliest : AutoOffsetReset.Latest;
        config.SessionTimeoutMs = (int)_options.SessionTimeout.TotalMilliseconds;
        config.HeartbeatIntervalMs = (int)_options.HeartbeatInterval.TotalMilliseconds;
        config.EnablePartitionEof = false;

        // Acked positions are stored (StoreReady) and librdkafka commits them on its own thread every
        // CommitInterval, on revocation and on close. It skips the periodic commit while the group rebalances,
        // when the generation is in flux and a commit would fail with ILLEGAL_GENERATION and start the next
        // rebalance; the consume thread never waits for a commit, so it serves rebalances promptly.
        // An unnamed Watch never commits: its made-up group must not leave offsets behind for the retention period.
        config.EnableAutoCommit = !_request.Ephemeral;
        config.AutoCommitIntervalMs = (int)_options.CommitInterval.TotalMilliseconds;
        config.EnableAutoOffsetStore = false;
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetErrorHandler((_, error) => OnError(error))
            .SetLogHandler((_, message) => KafkaLog.Forward(_logger, message))
            .SetPartitionsAssignedHandler((consumer, partitions) => OnAssigned(consumer, partitions))
            .SetPartitionsRevokedHandler((consumer, partitions) => OnRevoked(consumer, partitions))
            .SetPartitionsLostHandler((_, partitions) => OnLost(partitions))
            .SetOffsetsCommittedHandler((_, committed) => OnCommitted(committed))
            .Build();
    }

    private void OnError(Error error)
    {
        if (error.IsFatal)
        {
            _failure ??= new KafkaException(error);
            _stopRequested = true;
        }

        // librdkafka reports every failed reconnect; the connection state is logged once by KafkaConnection, so
        // during an outage these stay at Debug instead of repeating a warning per stream and retry.
        if (!error.IsFatal && KafkaErrors.IsConnectivity(error.Code))
        {
            SubscriptionLog.ConsumerConnectivityError(_logger, Name, error.Reason, error.Code);
        }
        else
        {
            SubscriptionLog.ConsumerError(_logger, Name, error.Reason, error.Code.ToString());
        }
    }

    private void FlowControl(IConsumer<byte[]?, byte[]?> consumer)
    {
        bool full;
        lock (_lock)
        {
            full = _buffer.Count >= _options.ReadAheadRecords;
            if (full)
            {
                _room.Reset();
            }
        }

        if (_assignmentChanged)
        {
            // Whatever the assignment carried over (partitions paused before they were revoked or lost, a flag
            // that says paused while the buffer was emptied), the current assignment is paused exactly when the
            // buffer is full.
            _assignmentChanged = false;
            SetPaused(consumer, full);
            return;
        }

        if (full && !_paused)
        {
            // A full buffer is the normal rhythm of a fast topic and a slower client. Wait for the writer to
            // drain half of it without pausing: librdkafka drops its prefetched records on pause, and every
            // resume costs a fetch round. Pause only when the client stalls, so rebalances are still served.
            if (_room.Wait(StallBeforePause))
            {
                return;
            }

            SetPaused(consumer, true);
        }
        else if (_paused && !full && _room.IsSet)
        {
            SetPaused(consumer, false);
        }
    }

    private void SetPaused(IConsumer<byte[]?, byte[]?> consumer, bool paused)
    {
        try
        {
            if (paused)
            {
                consumer.Pause(consumer.Assignment);
            }
            else
            {
                consumer.Resume(consumer.Assignment);
            }

            _paused = paused;
        }
        catch (KafkaException e)
        {
            // A partition revoked meanwhile; the next round sets the pause state of the current assignment again.
            _assignmentChanged = true;
            SubscriptionLog.ConsumerError(_logger, Name, e.Error.Reason, e.Error.Code.ToString());
        }
    }

    private void Handle(IConsumer<byte[]?, byte[]?> consumer, ConsumeResult<byte[]?, byte[]?> result)
    {
        var partition = result.Partition.Value;
        var offset = result.Offset.Value;
        var record = KafkaMessageMapper.ToRecord(result);
        CloudEvent? cloudEvent = null;
        string? invalid = null;
        try
        {
            cloudEvent = KafkaBinding.FromRecord(record);
        }
        catch (CloudEventFormatException e)
        {
            invalid = e.Message;
        }
        catch (CloudEventUnsupportedMediaTypeException e)
        {
            invalid = e.Message;
        }

        var deliver = cloudEvent is not null && _request.Filter.Matches(cloudEvent) && (_admits?.Invoke(cloudEvent) ?? true);
        lock (_lock)
        {
            if (!_partitions.TryGetValue(partition, out var owner))
            {
                _partitions[partition] = owner = new PartitionOffsets(partition);
            }

            if (offset < owner.Next)
            {
                // Read again after a pause or position reset: the first reading is already tracked.
                return;
            }

            if (owner.SkipBefore is { } skipBefore)
            {
                if (result.Message.Timestamp.UnixTimestampMs < skipBefore)
                {
                    owner.Track(offset, done: true);
                    return;
                }

                owner.SkipBefore = null;
            }

            var entry = owner.Track(offset, done: !deliver);
            if (deliver)
            {
                _buffer.AddLast(new Pending(owner, entry, cloudEvent!, record.Key));
            }
        }

        if (invalid is not null)
        {
            _metrics.Invalid(Name);
            SubscriptionLog.InvalidRecord(_logger, Name, result.Topic, partition, offset, invalid);
        }
        else if (!deliver)
        {
            _metrics.Filtered(Name);
        }
        else
        {
            _signal.Writer.TryWrite(true);
        }

        if (_paused)
        {
            // Partitions assigned while paused are fetched; hold them too.
            try
            {
                consumer.Pause(consumer.Assignment);
            }
            catch (KafkaException e)
            {
                SubscriptionLog.ConsumerError(_logger, Name, e.Error.Reason, e.Error.Code.ToString());
            }
        }
    }

    private List<TopicPartitionOffset> OnAssigned(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartition> partitions)
    {
        var owners = new Dictionary<int, PartitionOffsets>();
        lock (_lock)
        {
            foreach (var tp in partitions)
            {
                owners[tp.Partition.Value] = _partitions[tp.Partition.Value] = new PartitionOffsets(tp.Partition.Value);
            }
        }

        var result = partitions.Select(tp => new TopicPartitionOffset(tp, Offset.Unset)).ToList();
        if (partitions.Count == 0)
        {
            return result;
        }

        try
        {
            var committed = consumer.Committed(partitions, _options.KafkaRequestTimeout);
            var fresh = new List<TopicPartition>();
            foreach (var tpo in committed)
            {
                if (tpo.Offset.Value >= 0)
                {
                    lock (_lock)
                    {
                        owners[tpo.Partition.Value].MarkCommitted(tpo.Offset.Value);
                    }
                }
                else
                {
                    fresh.Add(tpo.TopicPartition);
                }
            }

            if (_request.Start == StartKind.Timestamp && fresh.Count > 0)
            {
                var timestamp = new Timestamp(_request.StartTime!.Value);
                lock (_lock)
                {
                    foreach (var tp in fresh)
                    {
                        owners[tp.Partition.Value].SkipBefore = timestamp.UnixTimestampMs;
                    }
                }

                var found = consumer.OffsetsForTimes(fresh.Select(tp => new TopicPartitionTimestamp(tp, timestamp)), _options.KafkaRequestTimeout);
                foreach (var tpo in found)
                {
                    var index = result.FindIndex(r => r.TopicPartition == tpo.TopicPartition);
                    if (index >= 0)
                    {
                        // A broker that finds no record at or after the time (or cannot look it up, as librdkafka's
                        // embedded cluster) answers -1: read from the beginning and skip the older records instead.
                        result[index] = new TopicPartitionOffset(tpo.TopicPartition, tpo.Offset.Value >= 0 ? tpo.Offset : Offset.Beginning);
                    }
                }
            }
        }
        catch (KafkaException e)
        {
            SubscriptionLog.StartOffsetsUnknown(_logger, Name, e.Error.Reason, new OffsetList(partitions));
        }

        _assignmentChanged = true;
        SubscriptionLog.PartitionsAssigned(_logger, Name, new OffsetList(partitions));
        SubscriptionLog.StartOffsets(_logger, Name, new OffsetList(result));
        return result;
    }

    private void OnRevoked(IConsumer<byte[]?, byte[]?> consumer, List<TopicPartitionOffset> partitions)
    {
        var revoked = partitions.Select(p => p.Partition.Value).ToHashSet();

        // Stored before the partitions leave the assignment: librdkafka commits them as it removes them.
        StoreReady(consumer, revoked);
        var dropped = Drop(revoked);
        _assignmentChanged = true;
        SubscriptionLog.PartitionsRevoked(_logger, Name, new OffsetList(partitions), dropped);
    }

    private void OnLost(List<TopicPartitionOffset> partitions)
    {
        Drop(partitions.Select(p => p.Partition.Value).ToHashSet());
        _assignmentChanged = true;
        SubscriptionLog.PartitionsLost(_logger, Name, new OffsetList(partitions));
    }

    private void OnCommitted(CommittedOffsets committed)
    {
        if (committed.Error.IsError)
        {
            if (committed.Error.Code != ErrorCode.Local_NoOffset)
            {
                SubscriptionLog.CommitFailed(_logger, Name, new OffsetList(committed.Offsets.Select(o => o.TopicPartitionOffset)), committed.Error.Reason);
            }

            return;
        }

        var done = new List<TopicPartitionOffset>();
        foreach (var result in committed.Offsets)
        {
            if (result.Error.IsError)
            {
                SubscriptionLog.CommitFailed(_logger, Name, new OffsetList([result.TopicPartitionOffset]), result.Error.Reason);
            }
            else if (result.Offset.Value >= 0)
            {
                done.Add(result.TopicPartitionOffset);
            }
        }

        lock (_lock)
        {
            foreach (var tpo in done)
            {
                if (_partitions.TryGetValue(tpo.Partition.Value, out var owner))
                {
                    owner.MarkCommitted(tpo.Offset.Value);
                }
            }
        }

        foreach (var tpo in done)
        {
            _state.Attempts.Forget(tpo.Partition.Value, tpo.Offset.Value);
        }

        if (done.Count > 0)
        {
            SubscriptionLog.Committed(_logger, Name, new OffsetList(done));
        }
    }

    private int Drop(HashSet<int> partitions)
    {
        var dropped = 0;
        lock (_lock)
        {
            foreach (var partition in partitions)
            {
                _partitions.Remove(partition);
            }

            for (var node = _buffer.First; node is not null;)
            {
                var next = node.Next;
                if (partitions.Contains(node.Value.Owner.Partition))
                {
                    _buffer.Remove(node);
                    dropped++;
                }

                node = next;
            }

            if (_buffer.Count <= _options.ReadAheadRecords / 2)
            {
                _room.Set();
            }
        }

        return dropped;
    }

    /// <summary>
    /// Hands each partition's contiguous-ack position to the consumer, which commits it in the background;
    /// <paramref name="only"/> limits it to some partitions.
    /// </summary>
    private void StoreReady(IConsumer<byte[]?, byte[]?> consumer, HashSet<int>? only)
    {
        var stores = new List<(PartitionOffsets Owner, long Position)>();
        lock (_lock)
        {
            foreach (var (partition, owner) in _partitions)
            {
                if ((only is null || only.Contains(partition)) && owner.PendingStore() is { } position)
                {
                    stores.Add((owner, position));
                }
            }
        }

        foreach (var (owner, position) in stores)
        {
            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(_topic, owner.Partition, position));
            }
            catch (KafkaException e)
            {
                // The partition left the assignment meanwhile (lost); its new owner delivers the records again.
                SubscriptionLog.StoreFailed(_logger, Name, owner.Partition, position, e.Error.Reason);
                continue;
            }

            lock (_lock)
            {
                owner.MarkStored(position);
            }
        }
    }

    private void UpdateLag(IConsumer<byte[]?, byte[]?> consumer)
    {
        List<(int Partition, long? Base)> held;
        lock (_lock)
        {
            held = _partitions.Values.Select(o => (o.Partition, o.Committed ?? o.First)).ToList();
        }

        long total = 0;
        var known = false;
        foreach (var (partition, basePosition) in held)
        {
            var tp = new TopicPartition(_topic, partition);
            long high;
            long position;
            try
            {
                // Both read the client's cached state; no request goes to Kafka.
                high = consumer.GetWatermarkOffsets(tp).High.Value;
                position = basePosition ?? consumer.Position(tp).Value;
            }
            catch (KafkaException)
            {
                continue;
            }

            if (high < 0)
            {
                continue;
            }

            if (position < 0)
            {
                continue;
            }

            total += Math.Max(0, high - position);
            known = true;
        }

        Interlocked.Exchange(ref _lag, known || held.Count == 0 ? total : -1);
    }

    private sealed record Pending(PartitionOffsets Owner, PartitionOffsets.Entry Entry, CloudEvent Event, string? Key);

    private sealed record Outstanding(PartitionOffsets Owner, PartitionOffsets.Entry Entry);
}

/// <summary>One event handed to the subscriber.</summary>
/// <param name="AckId">Unique within the stream; the subscriber sends it back.</param>
/// <param name="Event">The event.</param>
/// <param name="Partition">The Kafka partition.</param>
/// <param name="Offset">The Kafka offset.</param>
/// <param name="Attempt">1 on the first delivery to the subscription (in this process), then 2, 3, ...</param>
/// <param name="Key">The record key, or null.</param>
internal sealed record Delivery(ulong AckId, CloudEvent Event, int Partition, long Offset, int Attempt, string? Key);

/// <summary>What an ack did.</summary>
internal enum AckOutcome
{
    /// <summary>The delivery is done; its offset may be committed.</summary>
    Acked,

    /// <summary>The delivery was acked before; nothing changed.</summary>
    Duplicate,

    /// <summary>The delivery's partition was revoked meanwhile; its new owner delivers it again.</summary>
    Revoked,

    /// <summary>The stream never issued this ack id.</summary>
    NeverIssued,
}

/// <summary>The stream's Kafka consumer failed or stopped; the stream ends with UNAVAILABLE.</summary>
internal sealed class SubscriptionFailedException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Partitions (and offsets) for a log message, rendered only when the message is written.</summary>
internal readonly struct OffsetList
{
    private readonly IEnumerable<TopicPartition>? _partitions;
    private readonly IEnumerable<TopicPartitionOffset>? _offsets;

    public OffsetList(IEnumerable<TopicPartition> partitions) => _partitions = partitions;

    public OffsetList(IEnumerable<TopicPartitionOffset> offsets) => _offsets = offsets;

    public override string ToString() => _offsets is not null
        ? string.Join(",", _offsets.OrderBy(o => o.Partition.Value).Select(o => o.Offset == Offset.Unset ? $"{o.Partition.Value}" : $"{o.Partition.Value}@{o.Offset}"))
        : string.Join(",", (_partitions ?? []).Select(p => p.Partition.Value).Order());
}
