using System.Text.Json.Serialization;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: mattermost</c>: a Mattermost incoming webhook with a Slack-compatible attachment (severity colour, title,
/// message, short fields, links, the event time as footer) and the optional <c>channel</c>, <c>username</c> and icon.
/// </summary>
internal sealed class MattermostSinkFactory : ISinkFactory
{
    public string Kind => "mattermost";

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri url = definition.GetRequiredUrl("url");
        string? iconEmoji = definition.GetString("iconEmoji");
        Uri? iconUrl = ChatConfig.PublicUrl(definition, "iconUrl");
        if (iconEmoji is not null && iconUrl is not null)
        {
            throw definition.Error("iconUrl", "set either iconEmoji or iconUrl, not both");
        }
        return new MattermostSink(definition.Name, url, new SlackIdentity(definition.GetString("channel"), definition.GetString("username"), iconEmoji, iconUrl), definition.Http);
    }
}

internal sealed record MattermostMessage
{
    [JsonPropertyName("channel")] public string? Channel { get; init; }
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("icon_url")] public string? IconUrl { get; init; }
    [JsonPropertyName("icon_emoji")] public string? IconEmoji { get; init; }
    [JsonPropertyName("attachments")] public required IReadOnlyList<MattermostAttachment> Attachments { get; init; }
}

internal sealed record MattermostAttachment
{
    [JsonPropertyName("fallback")] public required string Fallback { get; init; }
    [JsonPropertyName("color")] public required string Color { get; init; }
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("text")] public required string Text { get; init; }
    [JsonPropertyName("fields")] public required IReadOnlyList<MattermostField> Fields { get; init; }
    [JsonPropertyName("footer")] public required string Footer { get; init; }
}

internal sealed record MattermostField(
    [property: JsonPropertyName("short")] bool Short,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("value")] string Value);

internal sealed class MattermostSink(string name, Uri url, SlackIdentity identity, HttpClient http) : ISink
{
    public string Name => name;

    public string Kind => "mattermost";

    public TextEscaping Escaping => TextEscaping.Markdown;

    // A post's message takes 16383 characters (Mattermost 5.0 and later; 4000 before). The attachment is kept to the
    // same, which is conservative: attachments travel in the post's props, whose own limit is far larger.
    public static readonly ChatLimit TextLimit = ChatLimit.Chars(16_383);

    public Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ChatContent content = ChatContent.From(message, MarkdownText.Escape);
        var fields = content.Fields.Select(f => new MattermostField(true, f.Name, f.Value)).ToList();
        if (content.Links.Count > 0)
        {
            fields.Add(new MattermostField(false, "Links", string.Join(" · ", content.Links.Select(l => MarkdownText.Link(l.Url, l.Name)))));
        }
        var payload = new MattermostMessage
        {
            Channel = identity.Channel,
            Username = identity.Username,
            IconUrl = identity.IconUrl?.AbsoluteUri,
            IconEmoji = identity.IconEmoji,
            Attachments =
            [
                new MattermostAttachment
                {
                    Fallback = ChatLimits.Compose(t => $"{content.Title}: {t}", content.Text, TextLimit, Escaping),
                    Color = ChatColors.Hex(content.Severity),
                    Title = content.Title,
                    Text = ChatLimits.Truncate(content.Text, TextLimit, Escaping),
                    Fields = fields,
                    Footer = content.TimeText,
                },
            ],
        };
        return ChatHttp.PostAsync(http, url, message, payload, name, cancellationToken);
    }
}
