using Bridge.CloudEvents;
using Bridge.Server.Kafka;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Spool;

/// <summary>
/// Publishes to Kafka, and when Kafka has not acknowledged an event within <see cref="SpoolOptions.KafkaBudget"/>
/// (or refused it), writes it to the local spool instead and answers with a receipt marked
/// <see cref="PublishReceipt.Spooled"/>; the <see cref="SpoolForwarder"/> takes it to Kafka later.
/// </summary>
/// <remarks>
/// <para>Order per canary: once a key has events in the spool, later events of that key go into the spool
/// behind them without trying Kafka, until the forwarder has drained that key.</para>
/// <para>The Kafka attempt that outlived the budget is left running: librdkafka cannot withdraw one queued
/// message without purging every other, and it is ahead of anything produced later for its partition. If
/// Kafka acknowledges it after all, the forwarder skips the spooled copy; if the bridge stops first, the copy
/// is forwarded after the restart as a duplicate with the same id. A later event of the same key that Kafka
/// acknowledges directly cannot overtake it, because the budget is at most half the produce timeout: the
/// earlier event cannot have timed out in librdkafka's queue while the later one was acknowledged.</para>
/// <para>When the spool cannot take an event (full, disabled, disk failure) the publish fails as without a
/// spool: the Kafka attempt still under way is awaited to its end.</para>
/// </remarks>
internal sealed class SpoolingEventPublisher : IEventPublisher
{
    private readonly IEventPublisher _kafka;
    private readonly SpoolStore? _store;
    private readonly SpoolMetrics? _metrics;
    private readonly TimeSpan _budget;
    private readonly string _topic;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    /// <param name="kafka">The Kafka publisher. Must not be null.</param>
    /// <param name="store">The spool; null when the spool is disabled (every publish goes straight to Kafka).</param>
    /// <param name="metrics">Where spooled and refused events are counted. May be null.</param>
    /// <param name="budget">How long to wait for Kafka before spooling.</param>
    /// <param name="topic">The Kafka topic, named in spooled receipts.</param>
    /// <param name="logger">Must not be null.</param>
    /// <param name="time">The clock of the budget; null for the system's.</param>
    public SpoolingEventPublisher(IEventPublisher kafka, SpoolStore? store, SpoolMetrics? metrics, TimeSpan budget, string topic, ILogger<SpoolingEventPublisher> logger, TimeProvider? time = null)
    {
        _kafka = kafka;
        _store = store;
        _metrics = metrics;
        _budget = budget;
        _topic = topic;
        _logger = logger;
        _time = time ?? TimeProvider.System;
    }

    /// <summary>Whether events may be spooled.</summary>
    public bool SpoolEnabled => _store is not null;

    /// <summary>
    /// Publishes one valid event: completes with Kafka's receipt, or with a spooled receipt once the event is
    /// fsynced in the spool. Throws <see cref="PublishFailedException"/> when neither Kafka nor the spool took it.
    /// </summary>
    public async ValueTask<PublishReceipt> PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (_store is null)
        {
            return await _kafka.PublishAsync(cloudEvent, cancellationToken).ConfigureAwait(false);
        }

        var key = cloudEvent[CloudEventAttributes.PartitionKey.Name] as string;
        if (key is not null && _store.HasPending(key))
        {
            return await SpoolAsync(cloudEvent, key, attempt: null, SpoolMetrics.BehindKey, "earlier events of its canary are in the spool").ConfigureAwait(false);
        }

        // The attempt is not tied to the request: it keeps its place in librdkafka's queue whatever the caller does.
        var attempt = _kafka.PublishAsync(cloudEvent, CancellationToken.None).AsTask();
        try
        {
            return await attempt.WaitAsync(_budget, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (PublishFailedException e)
        {
            return await SpoolAsync(cloudEvent, key, attempt: null, SpoolMetrics.KafkaFailed, e.Message).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return await SpoolAsync(cloudEvent, key, attempt, SpoolMetrics.KafkaSlow, $"Kafka did not acknowledge it within {_budget.TotalSeconds:0.###} s (Spool:KafkaBudget)").ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Observe(attempt);
            throw;
        }
    }

    private async ValueTask<PublishReceipt> SpoolAsync(CloudEvent cloudEvent, string? key, Task<PublishReceipt>? attempt, string reason, string why)
    {
        var outcome = attempt?.ContinueWith(static t => t.IsCompletedSuccessfully, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        SpoolEntry entry;
        try
        {
            entry = await _store!.AppendAsync(key, ProtobufEventFormat.Encode(cloudEvent), outcome).ConfigureAwait(false);
        }
        catch (SpoolUnavailableException e)
        {
            _metrics?.Refused(e.IsFull ? "full" : "unavailable");
            SpoolLog.SpoolRefused(_logger, cloudEvent.Id, e.Message);
            if (attempt is not null)
            {
                // As without a spool: the publish ends with Kafka's own answer, within the produce timeout.
                return await attempt.ConfigureAwait(false);
            }

            throw new PublishFailedException($"{Capitalize(why)}, and {e.Message}", e);
        }

        _metrics?.Spooled(reason);
        SpoolLog.EventSpooled(_logger, cloudEvent.Id, key, entry.Sequence, why);
        return PublishReceipt.ForSpooled(_topic);
    }

    private static void Observe(Task task) =>
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private static string Capitalize(string text) =>
        text.Length == 0 || char.IsUpper(text[0]) ? text : char.ToUpperInvariant(text[0]) + text[1..];
}
