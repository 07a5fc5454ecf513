using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: rocket</c>: a Rocket.Chat incoming webhook with one attachment in Flagger's colours (<c>#0076D7</c>,
/// <c>#FF0000</c> for error, amber for warn): title, message, short fields, links and the event time.
/// </summary>
internal sealed class RocketChatSinkFactory : ISinkFactory
{
    public string Kind => "rocket";

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri url = definition.GetRequiredUrl("url");
        string? emoji = definition.GetString("iconEmoji");
        Uri? avatar = ChatConfig.PublicUrl(definition, "iconUrl");
        if (emoji is not null && avatar is not null)
        {
            throw definition.Error("iconUrl", "set either iconEmoji or iconUrl, not both");
        }
        return new RocketChatSink(definition.Name, url, definition.GetString("channel"), definition.GetString("username"), emoji, avatar, definition.Http);
    }
}

internal sealed record RocketChatMessage
{
    [JsonPropertyName("channel")] public string? Channel { get; init; }
    [JsonPropertyName("alias")] public string? Alias { get; init; }
    [JsonPropertyName("emoji")] public string? Emoji { get; init; }
    [JsonPropertyName("avatar")] public string? Avatar { get; init; }
    [JsonPropertyName("attachments")] public required IReadOnlyList<RocketChatAttachment> Attachments { get; init; }
}

internal sealed record RocketChatAttachment
{
    [JsonPropertyName("color")] public required string Color { get; init; }
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("text")] public required string Text { get; init; }
    [JsonPropertyName("fields")] public required IReadOnlyList<RocketChatField> Fields { get; init; }
    [JsonPropertyName("ts")] public required string Ts { get; init; }
}

internal sealed record RocketChatField(
    [property: JsonPropertyName("short")] bool Short,
    [property: JsonPropertyName("title")] string Title,
    [property: JsonPropertyName("value")] string Value);

internal sealed class RocketChatSink(string name, Uri url, string? channel, string? alias, string? emoji, Uri? avatar, HttpClient http) : ISink
{
    public string Name => name;

    public string Kind => "rocket";

    public TextEscaping Escaping => TextEscaping.Markdown;

    public static string Color(Severity severity) => severity switch
    {
        Severity.Error => "#FF0000",
        Severity.Warn => "#FFA500",
        _ => "#0076D7",
    };

    // Rocket.Chat refuses a message longer than its "Maximum Allowed Message Size" (Message_MaxAllowedSize, in
    // characters; 5000 by default unless an admin changed it). Whether attachments count is not documented, so their
    // text is kept to it too.
    public static readonly ChatLimit TextLimit = ChatLimit.Chars(5000);

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ChatContent content = ChatContent.From(message, MarkdownText.Escape);
        var fields = content.Fields.Select(f => new RocketChatField(true, f.Name, f.Value)).ToList();
        if (content.Links.Count > 0)
        {
            fields.Add(new RocketChatField(false, "Links", string.Join(" · ", content.Links.Select(l => MarkdownText.Link(l.Url, l.Name)))));
        }
        var payload = new RocketChatMessage
        {
            Channel = channel,
            Alias = alias,
            Emoji = emoji,
            Avatar = avatar?.AbsoluteUri,
            Attachments = [new RocketChatAttachment { Color = Color(content.Severity), Title = content.Title, Text = ChatLimits.Truncate(content.Text, TextLimit, Escaping), Fields = fields, Ts = content.TimeIso }],
        };
        string answer = await ChatHttp.PostAsync(http, url, message, payload, name, cancellationToken).ConfigureAwait(false);
        // Rocket.Chat reports some refusals (an unknown channel) as {"success":false} with a 200.
        if (ChatHttp.ParseObject(answer) is { } result && result["success"] is JsonValue success && success.TryGetValue(out bool ok) && !ok)
        {
            throw new SinkException($"Sink '{name}': Rocket.Chat refused the message: {ChatHttp.String(result, "error") ?? answer}");
        }
    }
}
