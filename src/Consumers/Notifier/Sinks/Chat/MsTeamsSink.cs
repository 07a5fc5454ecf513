using System.Text.Json.Serialization;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: msteams</c>: the legacy Office 365 connector MessageCard Flagger posts (same summary, subtitle and theme
/// colours), with the message as the title, the phase, severity, cluster and type as facts, the event time, and the
/// metadata links as buttons.
/// </summary>
internal sealed class MsTeamsSinkFactory : ISinkFactory
{
    public string Kind => "msteams";

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new MsTeamsSink(definition.Name, definition.GetRequiredUrl("url"), definition.Http);
    }
}

internal sealed record MessageCard
{
    [JsonPropertyName("@type")] public string Type { get; init; } = "MessageCard";
    [JsonPropertyName("@context")] public string Context { get; init; } = "http://schema.org/extensions";
    [JsonPropertyName("themeColor")] public required string ThemeColor { get; init; }
    [JsonPropertyName("summary")] public required string Summary { get; init; }
    [JsonPropertyName("sections")] public required IReadOnlyList<MessageCardSection> Sections { get; init; }
    [JsonPropertyName("potentialAction")] public IReadOnlyList<MessageCardAction>? PotentialAction { get; init; }
}

internal sealed record MessageCardSection(
    [property: JsonPropertyName("activityTitle")] string ActivityTitle,
    [property: JsonPropertyName("activitySubtitle")] string ActivitySubtitle,
    [property: JsonPropertyName("facts")] IReadOnlyList<MessageCardFact> Facts,
    [property: JsonPropertyName("markdown")] bool Markdown = true);

internal sealed record MessageCardFact([property: JsonPropertyName("name")] string Name, [property: JsonPropertyName("value")] string Value);

internal sealed record MessageCardAction(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("targets")] IReadOnlyList<MessageCardTarget> Targets)
{
    [JsonPropertyName("@type")] public string Type { get; init; } = "OpenUri";
}

internal sealed record MessageCardTarget([property: JsonPropertyName("uri")] string Uri)
{
    [JsonPropertyName("os")] public string Os { get; init; } = "default";
}

internal sealed class MsTeamsSink(string name, Uri url, HttpClient http) : ISink
{
    public string Name => name;

    public string Kind => "msteams";

    public TextEscaping Escaping => TextEscaping.Markdown;

    /// <summary>Flagger's colours (<c>0076D7</c>, <c>FF0000</c> for error), with amber for warn.</summary>
    public static string ThemeColor(Severity severity) => severity switch
    {
        Severity.Error => "FF0000",
        Severity.Warn => "FFA500",
        _ => "0076D7",
    };

    // The connector takes a message of at most 28 KB (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/
    // how-to/add-incoming-webhook); refusals are reported from about 20 KB, so the body is kept under that.
    public const int BodyLimit = 20_000;

    public Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ChatContent content = ChatContent.From(message, MarkdownText.Escape);
        return ChatHttp.PostBodyAsync(http, url, message, () => ChatLimits.SerializeWithin(text => Card(content, text), content.Text, BodyLimit, Escaping, name), name, cancellationToken);
    }

    private static MessageCard Card(ChatContent content, string text)
    {
        var facts = content.Fields.Select(f => new MessageCardFact(f.Name, f.Value)).Append(new MessageCardFact("Time", content.TimeText)).ToList();
        return new MessageCard
        {
            ThemeColor = ThemeColor(content.Severity),
            Summary = content.Title,
            Sections = [new MessageCardSection(text, content.Title, facts)],
            PotentialAction = content.Links.Count == 0
                ? null
                : content.Links.Select(l => new MessageCardAction(l.Name, [new MessageCardTarget(l.Url.AbsoluteUri)])).ToList(),
        };
    }
}
