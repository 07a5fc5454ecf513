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

    public Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ChatContent content = ChatContent.From(message, MarkdownText.Escape);
        var fields = content.Fields.Select(f => new DiscordField(f.Name, f.Value, Inline: true)).ToList();
        if (content.Links.Count > 0)
        {
            fields.Add(new DiscordField("Links", string.Join(" · ", content.Links.Select(l => MarkdownText.Link(l.Url, l.Name))), Inline: false));
        }
        var payload = new DiscordPayload
        {
            Username = username,
            AvatarUrl = avatarUrl?.AbsoluteUri,
            Embeds =
            [
                new DiscordEmbed
                {
                    Title = content.Title,
                    Description = content.Text,
                    Color = ChatColors.Rgb(content.Severity),
                    Fields = fields,
                    Timestamp = content.TimeIso,
                },
            ],
        };
        return ChatHttp.PostAsync(http, url, message, payload, name, cancellationToken);
    }
}
