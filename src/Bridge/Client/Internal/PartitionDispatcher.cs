using System.Threading.Channels;

namespace Bridge.Client.Internal;

/// <summary>
/// Runs deliveries one at a time per partition, in arrival order, with partitions in parallel; at most
/// <c>maxInFlight</c> deliveries are queued or running in total. A partition whose delivery was not handled
/// (the handler failed) skips the rest of its queue: handling later events first would break its order, and
/// they are delivered again after the reconnect anyway.
/// </summary>
internal sealed class PartitionDispatcher : IDisposable
{
    private static readonly TimeSpan AfterCancelWait = TimeSpan.FromSeconds(2);

    private readonly Func<CloudEventDelivery, CancellationToken, Task<bool>> _process;
    private readonly SemaphoreSlim _window;
    private readonly CancellationTokenSource _handlerCts = new();
    private readonly object _lock = new();
    private readonly Dictionary<int, Channel<CloudEventDelivery>> _queues = [];
    private readonly List<Task> _workers = [];
    private volatile bool _stopping;

    /// <param name="process">Handles one delivery; false when it was not handled (the partition then stops).</param>
    /// <param name="maxInFlight">Deliveries queued or running at most.</param>
    public PartitionDispatcher(Func<CloudEventDelivery, CancellationToken, Task<bool>> process, int maxInFlight)
    {
        _process = process;
        _window = new SemaphoreSlim(maxInFlight, maxInFlight);
    }

    /// <summary>Queues a delivery on its partition; false when dispatching stopped (the delivery is dropped, unacknowledged).</summary>
    /// <param name="delivery">The delivery.</param>
    /// <param name="cancellationToken">Stops waiting for room in the window.</param>
    public async Task<bool> DispatchAsync(CloudEventDelivery delivery, CancellationToken cancellationToken)
    {
        try
        {
            await _window.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        lock (_lock)
        {
            if (!_stopping)
            {
                if (!_queues.TryGetValue(delivery.Partition, out Channel<CloudEventDelivery>? queue))
                {
                    queue = Channel.CreateUnbounded<CloudEventDelivery>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
                    _queues.Add(delivery.Partition, queue);
                    _workers.Add(Task.Run(() => RunPartitionAsync(queue.Reader), CancellationToken.None));
                }
                if (queue.Writer.TryWrite(delivery))
                {
                    return true;
                }
            }
        }
        _window.Release();
        return false;
    }

    /// <summary>
    /// Stops taking deliveries, lets running handlers finish within <paramref name="drainTimeout"/>, then cancels
    /// the ones still running. Queued deliveries are dropped.
    /// </summary>
    /// <returns>True when every handler finished within the timeout.</returns>
    public async Task<bool> StopAsync(TimeSpan drainTimeout)
    {
        Task all;
        lock (_lock)
        {
            _stopping = true;
            foreach (Channel<CloudEventDelivery> queue in _queues.Values)
            {
                queue.Writer.TryComplete();
            }
            all = Task.WhenAll(_workers);
        }
        if (await WaitAsync(all, drainTimeout).ConfigureAwait(false))
        {
            return true;
        }
        _handlerCts.Cancel();
        // A handler that ignores its token is left behind; its ack can no longer be sent.
        await WaitAsync(all, AfterCancelWait).ConfigureAwait(false);
        return false;
    }

    public void Dispose()
    {
        // A handler left behind after the drain timeout still releases the window and reads its token: keep
        // both alive for it. The semaphore never allocates a wait handle, so it holds nothing to free.
        bool finished;
        lock (_lock)
        {
            finished = _workers.TrueForAll(w => w.IsCompleted);
        }
        if (finished)
        {
            _handlerCts.Dispose();
        }
    }

    private async Task RunPartitionAsync(ChannelReader<CloudEventDelivery> reader)
    {
        bool failed = false;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (reader.TryRead(out CloudEventDelivery? delivery))
            {
                try
                {
                    if (!failed && !_stopping)
                    {
                        failed = !await _process(delivery, _handlerCts.Token).ConfigureAwait(false);
                    }
                }
                catch (Exception)
                {
                    // The processing function handles handler failures itself; anything escaping it still
                    // means the delivery was not handled, so the partition must not move on.
                    failed = true;
                }
                finally
                {
                    _window.Release();
                }
            }
        }
    }

    private static async Task<bool> WaitAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }
}
