using System.Text.Json;
using Bridge.CloudEvents;

namespace Bridge.Notifier.Model;

/// <summary>Flagger's alert severities, ordered so that a route's minimum selects itself and everything above.</summary>
internal enum Severity
{
    Info = 0,
    Warn = 1,
    Error = 2,
}

/// <summary>How a rollout ended, read from the event type; <see cref="None"/> for every event that is not an end.</summary>
internal enum RolloutOutcome
{
    None = 0,
    Promoted,
    Failed,
    RolledBack,
}

/// <summary>
/// One delivered event as routes, templates and sinks see it: the CloudEvent plus the Flagger fields the bridge put in
/// its extensions and data, read once. Events that did not come from Flagger have the CloudEvent fields and empty
/// Flagger fields.
/// </summary>
internal sealed class Notification
{
    /// <summary>Prefix of every type the bridge gives a Flagger event.</summary>
    public const string FlaggerTypePrefix = "app.flagger.canary.";

    private const string HookTypePrefix = FlaggerTypePrefix + "hook.";

    private Notification(CloudEvent cloudEvent)
    {
        Event = cloudEvent;
    }

    /// <summary>The event as delivered. Never null.</summary>
    public CloudEvent Event { get; }

    public string Id => Event.Id ?? string.Empty;

    public string Source => Event.Source ?? string.Empty;

    public string Type => Event.Type ?? string.Empty;

    /// <summary>The type after <c>app.flagger.canary.</c> (<c>promoted</c>, <c>hook.confirm-promotion</c>); the whole type for other events.</summary>
    public string ShortType => Type.StartsWith(FlaggerTypePrefix, StringComparison.Ordinal) ? Type[FlaggerTypePrefix.Length..] : Type;

    public string? Subject => Event.Subject;

    /// <summary>The event's time, else the time it was read.</summary>
    public DateTimeOffset Time { get; private init; }

    public string Namespace { get; private init; } = string.Empty;

    public string Canary { get; private init; } = string.Empty;

    public string Phase { get; private init; } = string.Empty;

    public Severity Severity { get; private init; }

    public string Cluster { get; private init; } = string.Empty;

    /// <summary>Flagger's revision checksum: one value per rollout of a canary. Empty when unknown.</summary>
    public string Checksum { get; private init; } = string.Empty;

    /// <summary>The Flagger webhook type (<c>event</c>, <c>confirm-promotion</c>, ...); empty for other events.</summary>
    public string HookType { get; private init; } = string.Empty;

    /// <summary>Kubernetes event type of an event webhook: <c>Normal</c>, <c>Warning</c> or empty.</summary>
    public string EventType { get; private init; } = string.Empty;

    /// <summary>
    /// The human text: Flagger's <c>eventMessage</c> for event webhooks, a sentence naming the hook for hook calls,
    /// and for other events a <c>message</c> member of JSON data or else the type. Never null.
    /// </summary>
    public string Message { get; private init; } = string.Empty;

    /// <summary>The Flagger payload's <c>metadata</c> (string values only, as Flagger sends them). Never null.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; private init; } = EmptyMetadata;

    /// <summary>The JSON data, or null when the data is not JSON.</summary>
    public JsonElement? Data { get; private init; }

    /// <summary>True for events the bridge mapped from a Flagger payload.</summary>
    public bool IsFlagger => Type.StartsWith(FlaggerTypePrefix, StringComparison.Ordinal);

    /// <summary>True for hook calls (<c>app.flagger.canary.hook.*</c>).</summary>
    public bool IsHook => Type.StartsWith(HookTypePrefix, StringComparison.Ordinal);

    /// <summary><c>name.namespace</c>, the way Flagger names a canary in its own alerts; the subject for other events.</summary>
    public string Title => Canary.Length > 0 ? $"{Canary}.{Namespace}" : Subject ?? Source;

    /// <summary>
    /// Identifies one rollout: a canary revision of one Flagger installation. Events without a checksum share the
    /// canary's key.
    /// </summary>
    public string RolloutKey => $"{Source}|{Namespace}/{Canary}|{Checksum}";

    /// <summary>Identifies the canary across its rollouts (the per-canary order key).</summary>
    public string CanaryKey => Canary.Length > 0 ? $"{Namespace}/{Canary}" : Event.Subject ?? string.Empty;

    /// <summary>How the rollout ended, when this event is an end.</summary>
    public RolloutOutcome Outcome => ShortType switch
    {
        _ when !IsFlagger => RolloutOutcome.None,
        "promoted" => RolloutOutcome.Promoted,
        "failed" => RolloutOutcome.Failed,
        "rolledback" => RolloutOutcome.RolledBack,
        _ => RolloutOutcome.None,
    };

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    /// <summary>Reads a delivered event. Never throws for a valid CloudEvent: fields it cannot read stay empty.</summary>
    public static Notification From(CloudEvent cloudEvent, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        JsonElement? data = ReadJson(cloudEvent.Data);
        Dictionary<string, string> metadata = ReadMetadata(data);
        string type = cloudEvent.Type ?? string.Empty;
        string hookType = Extension(cloudEvent, "hooktype");
        string message = metadata.TryGetValue("eventMessage", out string? eventMessage) && eventMessage.Length > 0
            ? eventMessage
            : type.StartsWith(HookTypePrefix, StringComparison.Ordinal)
                ? $"Flagger called the {hookType} webhook"
                : DataMessage(data) ?? type;
        return new Notification(cloudEvent)
        {
            Time = cloudEvent.Time ?? (clock ?? TimeProvider.System).GetUtcNow(),
            Namespace = Extension(cloudEvent, "namespace"),
            Canary = Extension(cloudEvent, "canary"),
            Phase = Extension(cloudEvent, "phase"),
            Severity = ParseSeverity(Extension(cloudEvent, "severity")) ?? Severity.Info,
            Cluster = Extension(cloudEvent, "cluster"),
            Checksum = Extension(cloudEvent, "checksum"),
            HookType = hookType,
            EventType = Extension(cloudEvent, "eventtype"),
            Message = message,
            Metadata = metadata,
            Data = data,
        };
    }

    /// <summary>
    /// This notification with <see cref="Cluster"/> set to <paramref name="cluster"/> when the event carries none
    /// (the configuration's <c>cluster:</c> label); this instance when it has one or <paramref name="cluster"/> is empty.
    /// </summary>
    public Notification WithDefaultCluster(string? cluster) =>
        Cluster.Length > 0 || string.IsNullOrEmpty(cluster)
            ? this
            : new Notification(Event)
            {
                Time = Time,
                Namespace = Namespace,
                Canary = Canary,
                Phase = Phase,
                Severity = Severity,
                Cluster = cluster,
                Checksum = Checksum,
                HookType = HookType,
                EventType = EventType,
                Message = Message,
                Metadata = Metadata,
                Data = Data,
            };

    /// <summary>Parses <c>info</c>, <c>warn</c> (or <c>warning</c>) and <c>error</c>, ignoring case; null for anything else.</summary>
    public static Severity? ParseSeverity(string? value) => value?.Trim().ToLowerInvariant() switch
    {
        "info" => Severity.Info,
        "warn" or "warning" => Severity.Warn,
        "error" => Severity.Error,
        _ => null,
    };

    /// <summary>The lower-case name Flagger uses for a severity.</summary>
    public static string SeverityName(Severity severity) => severity switch
    {
        Severity.Warn => "warn",
        Severity.Error => "error",
        _ => "info",
    };

    private static string Extension(CloudEvent cloudEvent, string name) =>
        cloudEvent[name] switch
        {
            null => string.Empty,
            string s => s,
            object o => Convert.ToString(o, System.Globalization.CultureInfo.InvariantCulture) ?? string.Empty,
        };

    private static JsonElement? ReadJson(CloudEventData data)
    {
        if (data.Kind != CloudEventDataKind.Json)
        {
            return null;
        }
        try
        {
            return data.ToJsonElement();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Dictionary<string, string> ReadMetadata(JsonElement? data)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (data is { ValueKind: JsonValueKind.Object } root
            && root.TryGetProperty("metadata", out JsonElement element)
            && element.ValueKind == JsonValueKind.Object)
        {
            foreach (JsonProperty property in element.EnumerateObject())
            {
                // Flagger's metadata is map[string]string; other values are kept as their JSON text.
                metadata[property.Name] = property.Value.ValueKind == JsonValueKind.String
                    ? property.Value.GetString()!
                    : property.Value.GetRawText();
            }
        }
        return metadata;
    }

    private static string? DataMessage(JsonElement? data) =>
        data is { ValueKind: JsonValueKind.Object } root
        && root.TryGetProperty("message", out JsonElement message)
        && message.ValueKind == JsonValueKind.String
            ? message.GetString()
            : null;
}
