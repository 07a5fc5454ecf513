using System.Globalization;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>A name and value shown as a field of a chat message, both already escaped for the sink's markup.</summary>
internal sealed record ChatField(string Name, string Value);

/// <summary>A link taken from the event's metadata: the metadata key names it.</summary>
internal sealed record ChatLink(string Name, Uri Url);

/// <summary>
/// What every chat sink's default message shows, read once from a <see cref="SinkMessage"/>: the canary's
/// <c>name.namespace</c> title, the text (the route's rendered message, else the event's message escaped for the sink's
/// markup), the phase, severity, cluster and type fields, links found in the metadata, and the event's time.
/// </summary>
internal sealed record ChatContent
{
    // Keys of Flagger's event metadata that the message already shows in other ways.
    private static readonly HashSet<string> ReservedMetadata = new(StringComparer.Ordinal) { "eventMessage", "eventType", "timestamp", "cluster" };

    public required Notification Notification { get; init; }

    /// <summary>The canary's <c>name.namespace</c> (the subject for other events), escaped.</summary>
    public required string Title { get; init; }

    /// <summary>The message text, escaped for the sink's markup.</summary>
    public required string Text { get; init; }

    /// <summary>Phase (when known), severity, cluster (when known) and type, values escaped.</summary>
    public required IReadOnlyList<ChatField> Fields { get; init; }

    /// <summary>Metadata values that are absolute http(s) URLs, in key order.</summary>
    public required IReadOnlyList<ChatLink> Links { get; init; }

    public Severity Severity => Notification.Severity;

    public DateTimeOffset Time => Notification.Time;

    /// <summary>The event time as people read it in every sink: <c>2025-01-10 09:06:40 UTC</c>.</summary>
    public string TimeText => Time.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>The time in ISO 8601 with milliseconds, for providers that format it themselves.</summary>
    public string TimeIso => Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    public static ChatContent From(SinkMessage message, Func<string, string> escape)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(escape);
        Notification n = message.Notification;
        var fields = new List<ChatField>(4);
        if (n.Phase.Length > 0)
        {
            fields.Add(new ChatField("Phase", escape(n.Phase)));
        }
        fields.Add(new ChatField("Severity", Notification.SeverityName(n.Severity)));
        if (n.Cluster.Length > 0)
        {
            fields.Add(new ChatField("Cluster", escape(n.Cluster)));
        }
        fields.Add(new ChatField("Type", escape(n.ShortType)));
        var links = new List<ChatLink>();
        foreach ((string key, string value) in n.Metadata.OrderBy(m => m.Key, StringComparer.Ordinal))
        {
            if (!ReservedMetadata.Contains(key)
                && Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? url)
                && (url.Scheme == Uri.UriSchemeHttps || url.Scheme == Uri.UriSchemeHttp))
            {
                links.Add(new ChatLink(key, url));
            }
        }
        return new ChatContent
        {
            Notification = n,
            Title = escape(n.Title),
            Text = message.Text ?? escape(n.Message),
            Fields = fields,
            Links = links,
        };
    }
}

/// <summary>The severity colours chat sinks use: green for info, amber for warn, red for error.</summary>
internal static class ChatColors
{
    /// <summary>Slack's palette (<c>good</c>, <c>warning</c>, <c>danger</c>) as <c>#RRGGBB</c>.</summary>
    public static string Hex(Severity severity) => severity switch
    {
        Severity.Error => "#A30200",
        Severity.Warn => "#DAA038",
        _ => "#2EB886",
    };

    /// <summary>The same colour as an integer (Discord).</summary>
    public static int Rgb(Severity severity) => int.Parse(Hex(severity).AsSpan(1), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
}
