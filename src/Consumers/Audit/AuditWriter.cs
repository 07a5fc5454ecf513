using System.Diagnostics;
using System.Text.Json;
using Bridge.Audit.Api;
using Bridge.Audit.Live;
using Bridge.Audit.Observability;
using Bridge.Audit.Storage;
using Bridge.Client;
using Microsoft.Extensions.Logging;

namespace Bridge.Audit;

/// <summary>
/// Stores every delivered event. Returning acknowledges the delivery, and it returns only after the transaction
/// committed; an event stored before (a redelivery after a crash between commit and ack) is acknowledged again and
/// changes nothing.
/// </summary>
internal sealed class AuditWriter(AuditStore store, LiveFeed feed, AuditMetrics metrics, DoraSnapshot dora, ILogger<AuditWriter> logger) : ICloudEventHandler
{
    public async Task HandleAsync(CloudEventDelivery delivery, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(delivery);
        var started = Stopwatch.GetTimestamp();
        // The live stream is fed in the store's commit callback, so that concurrent deliveries sharing a commit
        // reach it in chain order.
        var result = await store.AppendAsync(delivery.Event, Publish, cancellationToken);
        var row = result.Event;
        if (result.Duplicate)
        {
            metrics.Duplicate();
            AuditLog.Duplicate(logger, row.Source, row.Id, row.Seq);
            return;
        }

        metrics.Stored(Stopwatch.GetElapsedTime(started));
        AuditLog.Stored(logger, row.Seq, row.Source, row.Id, row.Type);
        foreach (var rollout in result.Ended)
        {
            AuditLog.RolloutEnded(logger, rollout.Id, rollout.Namespace, rollout.Canary, rollout.Status);
            dora.Invalidate();
        }
    }

    private void Publish(AppendResult result)
    {
        var row = result.Event;
        feed.Publish(new LiveMessage("stored", row.Namespace, row.Canary, JsonSerializer.Serialize(EventView.From(row, withEvent: false), AuditJson.Options)));
        foreach (var rollout in result.Rollouts)
        {
            feed.Publish(new LiveMessage("rollout", rollout.Namespace, rollout.Canary, JsonSerializer.Serialize(RolloutSummary.From(rollout), AuditJson.Options)));
        }
    }
}
