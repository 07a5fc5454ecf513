using System.Text.Json;
using System.Text.Json.Serialization;
using Bridge.CloudEvents;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Actions;

/// <summary>What an action's target answered.</summary>
/// <param name="Status">The HTTP status of the call that did the work.</param>
/// <param name="ResourceUrl">What the call created or changed (a pipeline, a version, a comment), when the target says.</param>
/// <param name="Detail">A short human note (e.g. "already released").</param>
internal sealed record ActionResult(int? Status, string? ResourceUrl = null, string? Detail = null)
{
    public override string ToString() =>
        string.Join(", ", new[] { Status is { } s ? $"HTTP {s}" : null, ResourceUrl, Detail }.Where(p => p is not null));
}

/// <summary>
/// Builds the CloudEvents that record an action's result: <c>app.flagger.bridge.action.succeeded</c> and
/// <c>app.flagger.bridge.action.failed</c>, keyed like the canary's own events so they land on its partition.
/// </summary>
internal static class ActionResultEvent
{
    public const string SucceededType = "app.flagger.bridge.action.succeeded";
    public const string FailedType = "app.flagger.bridge.action.failed";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
    };

    /// <summary>
    /// Builds the event. A success has an id derived from the idempotency key alone, so a result published twice is
    /// one event to consumers that deduplicate; each failure is an event of its own.
    /// </summary>
    public static CloudEvent Create(string source, ActionRun run, ActionResult? result, string? error, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(run);
        Notification n = run.Message.Notification;
        bool succeeded = error is null;
        var data = new ResultData(
            Action: run.Action,
            Sink: run.SinkName,
            Route: run.Message.Route,
            Target: run.Target,
            Outcome: ActionTemplate.OutcomeName(n.Outcome),
            Namespace: n.Namespace,
            Canary: n.Canary,
            Checksum: n.Checksum,
            Cluster: n.Cluster.Length > 0 ? n.Cluster : null,
            EventId: n.Id,
            EventSource: n.Source,
            IdempotencyKey: run.IdempotencyKey,
            Result: result is null ? null : new ResultDetail(result.Status, result.ResourceUrl, result.Detail),
            Error: error);
        var cloudEvent = new CloudEvent
        {
            Id = succeeded
                ? $"{run.IdempotencyKey}.{run.Action}.succeeded"
                : $"{run.IdempotencyKey}.{run.Action}.failed.{now.ToUnixTimeMilliseconds()}",
            Source = source,
            Type = succeeded ? SucceededType : FailedType,
            Time = now,
            DataContentType = "application/json",
            Data = CloudEventData.FromJson(JsonSerializer.SerializeToUtf8Bytes(data, JsonOptions)),
        };
        if (n.CanaryKey.Length > 0)
        {
            cloudEvent.Subject = n.CanaryKey;
            cloudEvent.SetExtension("partitionkey", n.CanaryKey);
        }
        SetIfAny(cloudEvent, "namespace", n.Namespace);
        SetIfAny(cloudEvent, "canary", n.Canary);
        SetIfAny(cloudEvent, "checksum", n.Checksum);
        SetIfAny(cloudEvent, "cluster", n.Cluster);
        // Continues the trace of the event that triggered the action.
        if (n.Event["traceparent"] is string traceParent && traceParent.Length > 0)
        {
            cloudEvent.SetExtension("traceparent", traceParent);
        }
        return cloudEvent;
    }

    private static void SetIfAny(CloudEvent cloudEvent, string name, string value)
    {
        if (value.Length > 0)
        {
            cloudEvent.SetExtension(name, value);
        }
    }

    private sealed record ResultData(
        string Action,
        string Sink,
        string Route,
        string Target,
        string Outcome,
        string Namespace,
        string Canary,
        string Checksum,
        string? Cluster,
        string EventId,
        string EventSource,
        string IdempotencyKey,
        ResultDetail? Result,
        string? Error);

    private sealed record ResultDetail(int? Status, string? Url, string? Detail);
}
