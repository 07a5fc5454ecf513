namespace Bridge.Server.Flagger;

/// <summary>
/// A validated Flagger webhook payload (<c>CanaryWebhookPayload</c>): what every hook type and the event
/// webhook POST. Built only by <see cref="FlaggerPayloadParser"/>.
/// </summary>
internal sealed class FlaggerPayload
{
    /// <summary>Metadata key of the Kubernetes event text, set by Flagger on event webhooks.</summary>
    public const string EventMessageKey = "eventMessage";

    /// <summary>Metadata key of the Kubernetes event type (<c>Normal</c> or <c>Warning</c>), set on event webhooks.</summary>
    public const string EventTypeKey = "eventType";

    /// <summary>Metadata key of the send time in Unix epoch milliseconds, set on event webhooks.</summary>
    public const string TimestampKey = "timestamp";

    /// <summary>Metadata key users conventionally set to name the cluster Flagger runs in.</summary>
    public const string ClusterKey = "cluster";

    internal static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>(0, StringComparer.Ordinal);

    /// <summary>The canary name: a DNS-1123 subdomain.</summary>
    public required string Name { get; init; }

    /// <summary>The canary namespace: a DNS-1123 label.</summary>
    public required string Namespace { get; init; }

    /// <summary>
    /// The canary phase: empty when absent or empty in the payload (before the first status sync),
    /// otherwise ASCII letters only, possibly a phase this version does not know (see <see cref="FlaggerPhases"/>).
    /// </summary>
    public string Phase { get; init; } = string.Empty;

    /// <summary>The revision checksum Flagger computes from the canary spec; empty when absent.</summary>
    public string Checksum { get; init; } = string.Empty;

    /// <summary>The <c>metadata</c> object (string values only); empty when absent. Keys are case-sensitive.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = NoMetadata;

    /// <summary>
    /// <c>metadata.timestamp</c> as Unix epoch milliseconds, already range-checked; null when absent.
    /// </summary>
    public long? TimestampMilliseconds { get; init; }

    /// <summary>The request body exactly as received: valid UTF-8 JSON, a single object.</summary>
    public required ReadOnlyMemory<byte> Utf8Json { get; init; }

    /// <summary><c>metadata.timestamp</c> as an instant (UTC), or null when absent.</summary>
    public DateTimeOffset? Timestamp =>
        TimestampMilliseconds is { } ms ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : null;

    /// <summary><c>metadata.eventMessage</c>, or null when absent.</summary>
    public string? EventMessage => Metadata.GetValueOrDefault(EventMessageKey);

    /// <summary><c>metadata.eventType</c>, or null when absent. Not restricted: hooks other than events may carry any user value.</summary>
    public string? EventType => Metadata.GetValueOrDefault(EventTypeKey);

    /// <summary><c>metadata.cluster</c>, or null when absent or empty.</summary>
    public string? Cluster => Metadata.GetValueOrDefault(ClusterKey) is { Length: > 0 } cluster ? cluster : null;
}
