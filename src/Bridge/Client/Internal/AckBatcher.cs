namespace Bridge.Client.Internal;

/// <summary>
/// Coalesces acknowledgements into few <c>Ack</c> messages: each written ack is a write and flush on the
/// client and a wake-up on the server, the costliest part of a delivery, so ids given within
/// <c>delay</c> of each other travel together. A batch goes out early once it holds <c>maxBatch</c> ids.
/// </summary>
internal sealed class AckBatcher : IAsyncDisposable
{
    private readonly Func<IReadOnlyList<ulong>, Task> _write;
    private readonly TimeSpan _delay;
    private readonly int _maxBatch;
    private readonly object _lock = new();
    private readonly SemaphoreSlim _scheduled = new(0);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private List<ulong> _pending = [];
    private TaskCompletionSource _batch = NewSource();
    private TaskCompletionSource _early = NewSource();
    private Task _lastWrite = Task.CompletedTask;
    private bool _flushScheduled;
    private bool _closed;
    private Exception? _failure;

    /// <param name="write">Writes one ack message carrying the ids; called by one batch at a time.</param>
    /// <param name="ready">Completes when writes may start (the stream's first message is out).</param>
    /// <param name="delay">How long a batch waits for more ids; zero sends what accumulated during the previous write.</param>
    /// <param name="maxBatch">Ids after which a batch goes out without waiting.</param>
    public AckBatcher(Func<IReadOnlyList<ulong>, Task> write, Task ready, TimeSpan delay, int maxBatch)
    {
        _write = write;
        _delay = delay;
        _maxBatch = Math.Max(1, maxBatch);
        _loop = RunAsync(ready);
    }

    /// <summary>Number of ack messages written.</summary>
    public long MessagesWritten { get; private set; }

    /// <summary>
    /// Queues ids; the task completes when the message carrying them was written, and fails when it
    /// could not be (the call is over).
    /// </summary>
    public Task AckAsync(ReadOnlySpan<ulong> ids)
    {
        lock (_lock)
        {
            if (_failure is not null)
            {
                return Task.FromException(_failure);
            }
            if (_closed)
            {
                return Task.FromException(new InvalidOperationException("The subscription was completed or disposed; no more acks can be sent."));
            }
            if (ids.IsEmpty)
            {
                return _flushScheduled ? _batch.Task : _lastWrite;
            }
            foreach (ulong id in ids)
            {
                _pending.Add(id);
            }
            if (!_flushScheduled)
            {
                _flushScheduled = true;
                _scheduled.Release();
            }
            if (_pending.Count >= _maxBatch)
            {
                _early.TrySetResult();
            }
            return _batch.Task;
        }
    }

    /// <summary>Sends pending ids now; completes when everything queued so far was written.</summary>
    public Task FlushAsync()
    {
        lock (_lock)
        {
            if (_failure is not null)
            {
                return Task.FromException(_failure);
            }
            if (!_flushScheduled)
            {
                return _lastWrite;
            }
            _early.TrySetResult();
            return _batch.Task;
        }
    }

    /// <summary>Refuses further ids; those already queued still go out.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
        }
    }

    public async ValueTask DisposeAsync()
    {
        Close();
        _stop.Cancel();
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopping is the point.
        }
        lock (_lock)
        {
            _failure ??= new ObjectDisposedException(nameof(EventSubscription), "The subscription was disposed before the acks were sent.");
            _batch.TrySetException(_failure);
        }
        _stop.Dispose();
        _scheduled.Dispose();
    }

    private async Task RunAsync(Task ready)
    {
        try
        {
            await ready.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Fail(ex);
            return;
        }
        while (true)
        {
            await _scheduled.WaitAsync(_stop.Token).ConfigureAwait(false);
            if (_delay > TimeSpan.Zero)
            {
                Task early;
                lock (_lock)
                {
                    early = _early.Task;
                }
                if (!early.IsCompleted)
                {
                    using var delayCts = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                    await Task.WhenAny(Task.Delay(_delay, delayCts.Token), early).ConfigureAwait(false);
                    delayCts.Cancel();
                    _stop.Token.ThrowIfCancellationRequested();
                }
            }
            List<ulong> ids;
            TaskCompletionSource batch;
            lock (_lock)
            {
                ids = _pending;
                batch = _batch;
                _pending = [];
                _batch = NewSource();
                _early = NewSource();
                _flushScheduled = false;
                _lastWrite = batch.Task;
            }
            try
            {
                await _write(ids).ConfigureAwait(false);
                MessagesWritten++;
                batch.TrySetResult();
            }
            catch (Exception ex)
            {
                batch.TrySetException(ex);
                Fail(ex);
                return;
            }
        }
    }

    private void Fail(Exception ex)
    {
        lock (_lock)
        {
            _failure = ex;
            _batch.TrySetException(ex);
            _lastWrite = Task.FromException(ex);
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
