using Bridge.CloudEvents;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Flagger;

/// <summary>
/// Turns one validated Flagger request into a CloudEvent. Pure and thread-safe; see docs/events.md
/// for the contract consumers rely on.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>id</c>: the first 16 bytes of SHA-256, as 32 lower-case hex digits, over the hook type and the
/// whole payload in a canonical form (<see cref="FlaggerEventId"/>). A repeated POST gets the same id; so do the
/// calls of a polled hook (gates, <c>rollout</c>, <c>rollback</c>), which carry no timestamp, while the
/// canary stays in one revision and phase and the hook's metadata stays the same, which lets the ingress
/// publish one event per poll series. Two hooks differing only in <c>metadata</c> get two ids.</item>
/// <item><c>source</c>: <see cref="FlaggerOptions.EffectiveSource"/>; <c>subject</c> and the
/// <c>partitionkey</c> extension: <c>&lt;namespace&gt;/&lt;name&gt;</c>.</item>
/// <item><c>time</c>: <c>metadata.timestamp</c> when present, else the receipt time.</item>
/// <item><c>type</c> and <c>severity</c>: event webhooks through <see cref="FlaggerEventClassifier"/>;
/// other hooks <c>app.flagger.canary.hook.&lt;hook type&gt;</c> with severity info, including
/// <c>rollback</c>: Flagger polls it every interval of every analysis, so a call is no sign of trouble,
/// and an actual rollback arrives as its own <c>rolledback</c> event.</item>
/// <item>Extensions <c>namespace</c>, <c>canary</c>, <c>phase</c> (unless empty), <c>cluster</c>
/// (<c>metadata.cluster</c>, else <see cref="FlaggerOptions.ClusterName"/>, else absent),
/// <c>checksum</c> (unless empty), <c>hooktype</c>, <c>eventtype</c> (only <c>Normal</c> or <c>Warning</c>).</item>
/// <item><c>datacontenttype</c> <c>application/json</c>; data: the request body byte for byte.</item>
/// </list>
/// </remarks>
internal sealed class FlaggerEventMapper
{
    /// <summary>Media type of the data: the Flagger payload.</summary>
    public const string DataContentType = "application/json";

    private readonly string _source;
    private readonly string? _clusterName;

    /// <param name="options">Validated options. Must not be null.</param>
    public FlaggerEventMapper(IOptions<FlaggerOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        _source = value.EffectiveSource;
        _clusterName = string.IsNullOrEmpty(value.ClusterName) ? null : value.ClusterName;
    }

    /// <summary>The <c>source</c> of every event this mapper produces.</summary>
    public string Source => _source;

    /// <summary>Builds the CloudEvent of one request.</summary>
    /// <param name="payload">The parsed payload. Must not be null.</param>
    /// <param name="hookType">The hook type from the URL.</param>
    /// <param name="receivedAt">When the bridge received the request; the event time when the payload has no timestamp.</param>
    /// <returns>A valid event. Never null.</returns>
    public CloudEvent Map(FlaggerPayload payload, FlaggerHookType hookType, DateTimeOffset receivedAt)
    {
        ArgumentNullException.ThrowIfNull(payload);
        var classification = hookType == FlaggerHookType.Event
            ? FlaggerEventClassifier.Classify(payload.EventMessage, payload.EventType)
            : new FlaggerEventClassification(FlaggerEventTypes.ForHook(hookType), FlaggerSeverity.Info);
        var canary = payload.Namespace + "/" + payload.Name;

        var cloudEvent = new CloudEvent
        {
            Id = ComputeId(payload, hookType),
            Source = _source,
            Type = classification.Type,
            Subject = canary,
            Time = payload.Timestamp ?? receivedAt,
            DataContentType = DataContentType,
            Data = CloudEventData.FromJson(payload.Utf8Json),
        };

        cloudEvent.SetExtension(FlaggerExtensions.PartitionKey, canary);
        cloudEvent.SetExtension(FlaggerExtensions.Namespace, payload.Namespace);
        cloudEvent.SetExtension(FlaggerExtensions.Canary, payload.Name);
        if (payload.Phase.Length > 0)
        {
            cloudEvent.SetExtension(FlaggerExtensions.Phase, payload.Phase);
        }

        cloudEvent.SetExtension(FlaggerExtensions.Severity, classification.Severity.ToWireValue());
        if ((payload.Cluster ?? _clusterName) is { } cluster)
        {
            cloudEvent.SetExtension(FlaggerExtensions.Cluster, cluster);
        }

        if (payload.Checksum.Length > 0)
        {
            cloudEvent.SetExtension(FlaggerExtensions.Checksum, payload.Checksum);
        }

        cloudEvent.SetExtension(FlaggerExtensions.HookType, hookType.ToSegment());
        if (payload.EventType is "Normal" or "Warning")
        {
            cloudEvent.SetExtension(FlaggerExtensions.EventType, payload.EventType);
        }

        return cloudEvent;
    }

    /// <summary>
    /// The deterministic event id: 32 lower-case hex digits of SHA-256 over the hook type and the whole
    /// payload in a canonical form, so that any change of the payload, <c>metadata</c> included, gives
    /// another id while member order, whitespace and escapes do not (docs/events.md).
    /// </summary>
    /// <param name="payload">The payload. Must not be null.</param>
    /// <param name="hookType">The hook type.</param>
    public static string ComputeId(FlaggerPayload payload, FlaggerHookType hookType)
    {
        ArgumentNullException.ThrowIfNull(payload);
        return FlaggerEventId.Compute(payload.Utf8Json.Span, hookType);
    }
}

/// <summary>Names of the CloudEvent extension attributes set on Flagger events.</summary>
internal static class FlaggerExtensions
{
    /// <summary><c>&lt;namespace&gt;/&lt;name&gt;</c>: the Kafka key, so one canary's events stay in order.</summary>
    public const string PartitionKey = "partitionkey";

    /// <summary>The canary namespace.</summary>
    public const string Namespace = "namespace";

    /// <summary>The canary name.</summary>
    public const string Canary = "canary";

    /// <summary>The canary phase; absent when Flagger sent none.</summary>
    public const string Phase = "phase";

    /// <summary><c>info</c>, <c>warn</c> or <c>error</c>.</summary>
    public const string Severity = "severity";

    /// <summary>The cluster Flagger runs in, when known.</summary>
    public const string Cluster = "cluster";

    /// <summary>Flagger's revision checksum, when sent.</summary>
    public const string Checksum = "checksum";

    /// <summary>The hook type of the request, <c>event</c> for event webhooks.</summary>
    public const string HookType = "hooktype";

    /// <summary>The Kubernetes event type, <c>Normal</c> or <c>Warning</c>, on event webhooks.</summary>
    public const string EventType = "eventtype";
}
