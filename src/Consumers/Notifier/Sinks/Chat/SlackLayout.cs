using System.Text.Json.Serialization;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>A Slack message: incoming webhook body and <c>chat.postMessage</c> / <c>chat.update</c> arguments.</summary>
internal sealed record SlackPayload
{
    [JsonPropertyName("channel")] public string? Channel { get; init; }
    [JsonPropertyName("ts")] public string? Ts { get; init; }
    [JsonPropertyName("thread_ts")] public string? ThreadTs { get; init; }
    [JsonPropertyName("username")] public string? Username { get; init; }
    [JsonPropertyName("icon_emoji")] public string? IconEmoji { get; init; }
    [JsonPropertyName("icon_url")] public string? IconUrl { get; init; }
    [JsonPropertyName("text")] public required string Text { get; init; }
    [JsonPropertyName("attachments")] public IReadOnlyList<SlackAttachment>? Attachments { get; init; }
}

/// <summary>The attachment that carries the severity colour bar around the blocks.</summary>
internal sealed record SlackAttachment(
    [property: JsonPropertyName("color")] string Color,
    [property: JsonPropertyName("blocks")] IReadOnlyList<SlackBlock> Blocks);

/// <summary>A Block Kit block; only the members of its type are set.</summary>
internal sealed record SlackBlock
{
    [JsonPropertyName("type")] public required string Type { get; init; }
    [JsonPropertyName("text")] public SlackTextObject? Text { get; init; }
    [JsonPropertyName("fields")] public IReadOnlyList<SlackTextObject>? Fields { get; init; }
    [JsonPropertyName("elements")] public IReadOnlyList<SlackTextObject>? Elements { get; init; }
}

internal sealed record SlackTextObject(
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("text")] string Text)
{
    public static SlackTextObject Markdown(string text) => new("mrkdwn", text);
}

/// <summary>
/// The default Slack message: the severity colour bar (Flagger's <c>good</c>/<c>danger</c>, plus <c>warning</c> for
/// warn), the title in bold over the message, the fields two by two, the metadata links, and the event time in the
/// reader's time zone; the top-level <c>text</c> is the plain preview notifications show.
/// </summary>
internal static class SlackLayout
{
    // Block Kit reference (docs.slack.dev/reference/block-kit/blocks/section-block): a section's text takes 3000
    // characters, each of its fields 2000. The layout has at most four blocks and four fields, well within the 50
    // blocks of a message and the 10 fields of a section.
    private static readonly ChatLimit SectionText = ChatLimit.Chars(3000);
    private static readonly ChatLimit SectionField = ChatLimit.Chars(2000);

    // chat.postMessage reference: Slack truncates a top-level text longer than 40,000 characters.
    private static readonly ChatLimit MessageText = ChatLimit.Chars(40_000);

    public static string Color(Severity severity) => severity switch
    {
        Severity.Error => "danger",
        Severity.Warn => "warning",
        _ => "good",
    };

    public static SlackPayload Build(ChatContent content, string? channel, string? username, string? iconEmoji, Uri? iconUrl)
    {
        var blocks = new List<SlackBlock>
        {
            new() { Type = "section", Text = SlackTextObject.Markdown(ChatLimits.Compose(t => $"*{content.Title}*\n{t}", content.Text, SectionText, TextEscaping.Slack)) },
            new() { Type = "section", Fields = content.Fields.Select(f => SlackTextObject.Markdown(ChatLimits.Truncate($"*{f.Name}*\n{f.Value}", SectionField, TextEscaping.Slack))).ToList() },
        };
        if (content.Links.Count > 0)
        {
            blocks.Add(new SlackBlock { Type = "section", Text = SlackTextObject.Markdown(ChatLimits.Join(content.Links.Select(l => SlackText.Link(l.Url, l.Name)), " · ", SectionText)) });
        }
        // Slack shows <!date^...> in each reader's own time zone and falls back to the UTC text.
        blocks.Add(new SlackBlock
        {
            Type = "context",
            Elements = [SlackTextObject.Markdown($"<!date^{content.Time.ToUnixTimeSeconds()}^{{date_short_pretty}} {{time_secs}}|{content.TimeText}>")],
        });
        return new SlackPayload
        {
            Channel = channel,
            Username = username,
            IconEmoji = iconEmoji,
            IconUrl = iconUrl?.AbsoluteUri,
            Text = ChatLimits.Compose(t => $"{content.Title}: {t}", content.Text, MessageText, TextEscaping.Slack),
            Attachments = [new SlackAttachment(Color(content.Severity), blocks)],
        };
    }
}
