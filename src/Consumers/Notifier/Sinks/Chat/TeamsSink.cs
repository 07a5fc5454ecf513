using System.Text.Json.Serialization;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: teams</c>: a Teams Workflows webhook ("Post to a channel when a webhook request is received"), which takes
/// a message with an Adaptive Card 1.4 attachment: the title in the severity's colour, the message, a fact set, the
/// event time, and the metadata links as buttons.
/// </summary>
internal sealed class TeamsSinkFactory : ISinkFactory
{
    public string Kind => "teams";

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        return new TeamsSink(definition.Name, definition.GetRequiredUrl("url"), definition.Http);
    }
}

internal sealed record TeamsMessage(
    [property: JsonPropertyName("attachments")] IReadOnlyList<TeamsAttachment> Attachments)
{
    [JsonPropertyName("type")] public string Type { get; init; } = "message";
}

internal sealed record TeamsAttachment([property: JsonPropertyName("content")] AdaptiveCard Content)
{
    [JsonPropertyName("contentType")] public string ContentType { get; init; } = "application/vnd.microsoft.card.adaptive";
}

internal sealed record AdaptiveCard(
    [property: JsonPropertyName("body")] IReadOnlyList<AdaptiveElement> Body,
    [property: JsonPropertyName("actions")] IReadOnlyList<AdaptiveAction>? Actions)
{
    [JsonPropertyName("$schema")] public string Schema { get; init; } = "http://adaptivecards.io/schemas/adaptive-card.json";
    [JsonPropertyName("type")] public string Type { get; init; } = "AdaptiveCard";
    [JsonPropertyName("version")] public string Version { get; init; } = "1.4";

    // Without it Teams renders the card at a fraction of the channel's width.
    [JsonPropertyName("msteams")] public AdaptiveTeamsOptions Teams { get; init; } = new();
}

internal sealed record AdaptiveTeamsOptions
{
    [JsonPropertyName("width")] public string Width { get; init; } = "Full";
}

/// <summary>A TextBlock or a FactSet; only the members of its type are set.</summary>
internal sealed record AdaptiveElement
{
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("text")] public string? Text { get; init; }
    [JsonPropertyName("size")] public string? Size { get; init; }
    [JsonPropertyName("weight")] public string? Weight { get; init; }
    [JsonPropertyName("color")] public string? Color { get; init; }
    [JsonPropertyName("isSubtle")] public bool? IsSubtle { get; init; }
    [JsonPropertyName("wrap")] public bool? Wrap { get; init; }
    [JsonPropertyName("facts")] public IReadOnlyList<AdaptiveFact>? Facts { get; init; }
}

internal sealed record AdaptiveFact([property: JsonPropertyName("title")] string Title, [property: JsonPropertyName("value")] string Value);

internal sealed record AdaptiveAction([property: JsonPropertyName("title")] string Title, [property: JsonPropertyName("url")] string Url)
{
    [JsonPropertyName("type")] public string Type { get; init; } = "Action.OpenUrl";
}

internal sealed class TeamsSink(string name, Uri url, HttpClient http) : ISink
{
    public string Name => name;

    public string Kind => "teams";

    public TextEscaping Escaping => TextEscaping.Markdown;

    public static string Color(Severity severity) => severity switch
    {
        Severity.Error => "Attention",
        Severity.Warn => "Warning",
        _ => "Good",
    };

    // Teams takes a webhook message of at most 28 KB (learn.microsoft.com/microsoftteams/platform/webhooks-and-connectors/
    // how-to/add-incoming-webhook); users of Workflows webhooks report refusals (413) from about 20 KB, so the body is
    // kept under that.
    public const int BodyLimit = 20_000;

    public Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ChatContent content = ChatContent.From(message, MarkdownText.Escape);
        return ChatHttp.PostBodyAsync(http, url, message, () => ChatLimits.SerializeWithin(text => Card(content, text), content.Text, BodyLimit, Escaping, name), name, cancellationToken);
    }

    private static TeamsMessage Card(ChatContent content, string text)
    {
        AdaptiveElement[] body =
        [
            new() { Type = "TextBlock", Text = content.Title, Size = "Medium", Weight = "Bolder", Color = Color(content.Severity), Wrap = true },
            new() { Type = "TextBlock", Text = text, Wrap = true },
            new() { Type = "FactSet", Facts = content.Fields.Select(f => new AdaptiveFact(f.Name, f.Value)).ToList() },
            new() { Type = "TextBlock", Text = content.TimeText, Size = "Small", IsSubtle = true, Wrap = true },
        ];
        IReadOnlyList<AdaptiveAction>? actions = content.Links.Count == 0 ? null : content.Links.Select(l => new AdaptiveAction(l.Name, l.Url.AbsoluteUri)).ToList();
        return new TeamsMessage([new TeamsAttachment(new AdaptiveCard(body, actions))]);
    }
}
