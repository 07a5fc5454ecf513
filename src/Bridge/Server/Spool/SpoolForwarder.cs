using Bridge.CloudEvents;
using Bridge.Server.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Spool;

/// <summary>
/// Drains the spool to Kafka: the oldest record of each key, one per key at a time (so each canary's events
/// arrive in spool order), up to <see cref="SpoolOptions.MaxForwardsInFlight"/> keys at once. A record
/// leaves the spool only once Kafka acknowledged it.
/// </summary>
/// <remarks>
/// When Kafka refuses a record the forwarder falls back to one record at a time, waiting
/// <see cref="SpoolOptions.RetryBackoff"/>, doubling up to <see cref="SpoolOptions.MaxRetryBackoff"/>, between
/// attempts; the first acknowledgement opens it up again. A record whose original publish was still under way
/// when it was spooled waits for that publish: when Kafka acknowledged it after all, the record is removed
/// without producing it again.
/// </remarks>
internal sealed class SpoolForwarder : BackgroundService
{
    /// <summary><c>how</c> of a record produced by the forwarder.</summary>
    public const string Produced = "produced";

    /// <summary><c>how</c> of a record whose original publish Kafka acknowledged after it was spooled.</summary>
    public const string AcknowledgedLate = "acknowledged_late";

    private static readonly TimeSpan CheckpointInterval = TimeSpan.FromMilliseconds(250);

    private readonly SpoolStore _store;
    private readonly IEventPublisher _kafka;
    private readonly SpoolMetrics? _metrics;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly int _maxInFlight;
    private readonly TimeSpan _initialBackoff;
    private readonly TimeSpan _maxBackoff;
    private readonly Lock _state = new();
    private readonly bool _enabled;

    private int _inFlight;
    private int _window;
    private TimeSpan _backoff;
    private long _retryAt;
    private bool _failing;
    private long _forwarded;

    /// <param name="store">The opened spool. Must not be null.</param>
    /// <param name="kafka">The Kafka publisher (not the spooling one). Must not be null.</param>
    /// <param name="options">The spool's options; nothing is forwarded when the spool is disabled. Must not be null.</param>
    /// <param name="metrics">Where forwarded and dropped records are counted. May be null.</param>
    /// <param name="logger">Must not be null.</param>
    /// <param name="time">The clock of backoffs; null for the system's.</param>
    public SpoolForwarder(SpoolStore store, IEventPublisher kafka, SpoolOptions options, SpoolMetrics? metrics, ILogger<SpoolForwarder> logger, TimeProvider? time = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _store = store;
        _kafka = kafka;
        _metrics = metrics;
        _logger = logger;
        _time = time ?? TimeProvider.System;
        _maxInFlight = options.MaxForwardsInFlight;
        _initialBackoff = options.RetryBackoff;
        _maxBackoff = options.MaxRetryBackoff;
        _window = _maxInFlight;
        _backoff = _initialBackoff;
        _enabled = options.Enabled;
    }

    /// <summary>Records forwarded (or found acknowledged) since start.</summary>
    public long Forwarded => Interlocked.Read(ref _forwarded);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!_enabled)
        {
            return;
        }

        var running = new List<Task>();
        var lastCheckpoint = _time.GetTimestamp();
        var hadRecords = _store.Count > 0;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                running.RemoveAll(t => t.IsCompleted);
                var wait = CheckpointInterval;
                lock (_state)
                {
                    var untilRetry = _time.GetElapsedTime(_time.GetTimestamp(), _retryAt);
                    if (untilRetry > TimeSpan.Zero)
                    {
                        wait = untilRetry < wait ? untilRetry : wait;
                    }
                    else
                    {
                        while (_inFlight < _window && _store.TryTake(out var entry))
                        {
                            _inFlight++;
                            running.Add(ForwardAsync(entry, stoppingToken));
                        }
                    }
                }

                if (_time.GetElapsedTime(lastCheckpoint) >= CheckpointInterval)
                {
                    _store.SaveCheckpoint();
                    lastCheckpoint = _time.GetTimestamp();
                }

                var count = _store.Count;
                if (hadRecords && count == 0)
                {
                    SpoolLog.Drained(_logger, Forwarded);
                }

                hadRecords = count > 0;
                await _store.WaitForWorkAsync(wait, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: what is on its way to Kafka finishes (within the produce timeout) and is recorded.
        }

        await Task.WhenAll(running).ConfigureAwait(false);
        _store.SaveCheckpoint();
    }

    private async Task ForwardAsync(SpoolEntry entry, CancellationToken stoppingToken)
    {
        // Off the loop's thread: the loop holds its lock while it starts forwards.
        await Task.Yield();
        string? failure = null;
        var complete = false;
        var how = Produced;
        string? eventId = null;
        try
        {
            if (entry.Original is { } original && await original.WaitAsync(stoppingToken).ConfigureAwait(false))
            {
                complete = true;
                how = AcknowledgedLate;
            }
            else
            {
                CloudEvent cloudEvent;
                try
                {
                    cloudEvent = ProtobufEventFormat.Decode(_store.Read(entry).Event.Span);
                }
                catch (Exception e) when (e is InvalidDataException or CloudEventFormatException)
                {
                    SpoolLog.RecordDropped(_logger, entry.Sequence, entry.Segment.Path, e.Message);
                    _metrics?.Dropped();
                    _store.Complete(entry);
                    return;
                }

                eventId = cloudEvent.Id;
                await _kafka.PublishAsync(cloudEvent, CancellationToken.None).ConfigureAwait(false);
                complete = true;
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping while the original publish is still out: the record stays for the next start.
        }
        catch (Exception e) when (e is PublishFailedException or IOException or InvalidOperationException or ObjectDisposedException)
        {
            failure = e.Message;
        }
        finally
        {
            lock (_state)
            {
                _inFlight--;
                if (complete)
                {
                    OnSuccess();
                }
                else if (failure is not null)
                {
                    OnFailure(entry.Sequence, failure);
                }
            }

            if (complete)
            {
                Interlocked.Increment(ref _forwarded);
                _metrics?.Forwarded(how);
                SpoolLog.Forwarded(_logger, entry.Sequence, eventId, how);
                _store.Complete(entry);
            }
            else
            {
                _store.Return(entry);
            }
        }
    }

    // Called with _state held.
    private void OnSuccess()
    {
        _window = _maxInFlight;
        _backoff = _initialBackoff;
        if (_failing)
        {
            _failing = false;
            SpoolLog.ForwardingResumed(_logger, _store.Count);
        }
    }

    // Called with _state held.
    private void OnFailure(long sequence, string reason)
    {
        _window = 1;
        _retryAt = _time.GetTimestamp() + (long)(_backoff.TotalSeconds * _time.TimestampFrequency);
        if (!_failing)
        {
            _failing = true;
            SpoolLog.ForwardingPaused(_logger, sequence, _backoff, reason);
        }

        var doubled = _backoff * 2;
        _backoff = doubled < _maxBackoff ? doubled : _maxBackoff;
    }
}
