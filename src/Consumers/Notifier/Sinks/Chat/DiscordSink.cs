using System.Text.Json.Serialization;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: discord</c>: a native Discord webhook message with one embed (title, message, severity colour, inline
/// fields, links, timestamp). Flagger posted Slack's format to the <c>/slack</c> endpoint; a URL ending in
/// <c>/slack</c> is taken back to the native endpoint, so an address copied from an AlertProvider works.
/// </summary>
internal sealed class DiscordSinkFactory : ISinkFactory
{
    public string Kind => "discord";

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri url = definition.GetRequiredUrl("url");
        if (url.AbsolutePath.EndsWith("/slack", StringComparison.Ordinal))
        {
            var builder = new UriBuilder(url);
            builder.Path = builder.Path[..^"/slack".Length];
            url = builder.Uri;
        }
        return new DiscordSink(definition.Name, url, definition.GetString("username"), ChatConfig.PublicUrl(definition, "avatarUrl"), definition.Http);
    }
}

internal sealed record DiscordPayload
{
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("avatar_url")] public string? AvatarUrl { get; init; }

    // Nobody gets pinged by text that comes from an event (an "@everyone" in an error message, say).
    [JsonPropertyName("allowed_mentions")] public DiscordAllowedMentions AllowedMentions { get; init; } = new();
    [JsonPropertyName("embeds")] public required IReadOnlyList<DiscordEmbed> Embeds { get; init; }
}

internal sealed record DiscordAllowedMentions
{
    [JsonPropertyName("parse")] public IReadOnlyList<string> Parse { get; init; } = [];
}

internal sealed record DiscordEmbed
{
    [JsonPropertyName("title")] public required string Title { get; init; }
    [JsonPropertyName("description")] public required string Description { get; init; }
    [JsonPropertyName("color")] public required int Color { get; init; }
    [JsonPropertyName("fields")] public required IReadOnlyList<DiscordField> Fields { get; init; }
    [JsonPropertyName("timestamp")] public required string Timestamp { get; init; }
}

internal sealed record DiscordField(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("value")] string Value,
    [property: JsonPropertyName("inline")] bool Inline);

internal sealed class DiscordSink(string name, Uri url, string? username, Uri? avatarUrl, HttpClient http) : ISink
{
    public string Name => name;

    public string Kind => "discord";

    public TextEscaping Escaping => TextEscaping.Markdown;

    // Discord's embed limits (discord.com/developers/docs/resources/message#embed-object-embed-limits): title 256
    // characters, description 4096, field name 256, field value 1024, and 6000 for all of them together.
    private const int TitleLimit = 256;
    private const int DescriptionLimit = 4096;
    private const int FieldValueLimit = 1024;
    private const int EmbedLimit = 6000;

    public Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ChatContent content = ChatContent.From(message, MarkdownText.Escape);
        var fields = content.Fields.Select(f => new DiscordField(f.Name, ChatLimits.Truncate(f.Value, ChatLimit.Chars(FieldValueLimit), TextEscaping.Markdown), Inline: true)).ToList();
        if (content.Links.Count > 0)
        {
            fields.Add(new DiscordField("Links", ChatLimits.Join(content.Links.Select(l => MarkdownText.Link(l.Url, l.Name)), " · ", ChatLimit.Chars(FieldValueLimit)), Inline: false));
        }
        string title = ChatLimits.Truncate(content.Title, ChatLimit.Chars(TitleLimit), TextEscaping.Markdown);
        int rest = title.Length + fields.Sum(f => f.Name.Length + f.Value.Length);
        var payload = new DiscordPayload
        {
            Username = username,
            AvatarUrl = avatarUrl?.AbsoluteUri,
            Embeds =
            [
                new DiscordEmbed
                {
                    Title = title,
                    Description = ChatLimits.Truncate(content.Text, ChatLimit.Chars(Math.Min(DescriptionLimit, EmbedLimit - rest)), TextEscaping.Markdown),
                    Color = ChatColors.Rgb(content.Severity),
                    Fields = fields,
                    Timestamp = content.TimeIso,
                },
            ],
        };
        return ChatHttp.PostAsync(http, url, message, payload, name, cancellationToken);
    }
}
