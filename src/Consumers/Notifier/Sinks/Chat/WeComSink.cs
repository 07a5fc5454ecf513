using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: wecom</c>: a WeCom (WeChat Work) group robot (<c>.../cgi-bin/webhook/send?key=...</c>).
/// <c>msgType: markdown</c> (the default) colours the title by severity; <c>msgType: text</c> can mention members by
/// user id (<c>mentionedList</c>, <c>@all</c> for everyone) or mobile (<c>mentionedMobiles</c>).
/// </summary>
internal sealed class WeComSinkFactory : ISinkFactory
{
    public string Kind => "wecom";

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri url = definition.GetRequiredUrl("url");
        bool markdown = ChatConfig.MessageType(definition, "markdown", "text") == "markdown";
        IReadOnlyList<string> users = definition.GetList("mentionedList");
        IReadOnlyList<string> mobiles = definition.GetList("mentionedMobiles");
        if (markdown && users.Count > 0)
        {
            throw definition.Error("mentionedList", "applies to msgType text only (the robot ignores it in markdown)");
        }
        if (markdown && mobiles.Count > 0)
        {
            throw definition.Error("mentionedMobiles", "applies to msgType text only (the robot ignores it in markdown)");
        }
        return new WeComSink(definition.Name, url, markdown, users, mobiles, definition.Http);
    }
}

internal sealed record WeComMessage
{
    [JsonPropertyName("msgtype")] public required string MsgType { get; init; }
    [JsonPropertyName("text")] public WeComText? Text { get; init; }
    [JsonPropertyName("markdown")] public WeComMarkdown? Markdown { get; init; }
}

internal sealed record WeComText
{
    [JsonPropertyName("content")] public required string Content { get; init; }
    [JsonPropertyName("mentioned_list")] public IReadOnlyList<string>? MentionedList { get; init; }
    [JsonPropertyName("mentioned_mobile_list")] public IReadOnlyList<string>? MentionedMobileList { get; init; }
}

internal sealed record WeComMarkdown([property: JsonPropertyName("content")] string Content);

internal sealed class WeComSink(string name, Uri url, bool markdown, IReadOnlyList<string> mentionedList, IReadOnlyList<string> mentionedMobiles, HttpClient http) : ISink
{
    // "API freq out of limit": the robot allows 20 messages a minute.
    private const long RateLimited = 45009;

    public string Name => name;

    public string Kind => "wecom";

    public TextEscaping Escaping => markdown ? TextEscaping.Markdown : TextEscaping.None;

    /// <summary>WeCom markdown knows three font colours: info (green), comment (grey) and warning (orange-red).</summary>
    // The group robot guide (developer.work.weixin.qq.com/document/path/91770): a text's content takes at most 2048
    // bytes, a markdown's 4096, both UTF-8.
    public static readonly ChatLimit TextLimit = ChatLimit.Utf8Bytes(2048);
    public static readonly ChatLimit MarkdownLimit = ChatLimit.Utf8Bytes(4096);

    public static string Color(Severity severity) => severity == Severity.Info ? "info" : "warning";

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        WeComMessage payload = markdown ? Markdown(ChatContent.From(message, MarkdownText.Escape)) : Text(ChatContent.From(message, static s => s));
        string answer = await ChatHttp.PostAsync(http, url, message, payload, name, cancellationToken).ConfigureAwait(false);
        JsonObject? result = ChatHttp.ParseObject(answer);
        if (ChatHttp.Integer(result, "errcode") is long code && code != 0)
        {
            throw new SinkException($"Sink '{name}': WeCom answered errcode {code}: {ChatHttp.String(result, "errmsg")}", transient: code == RateLimited);
        }
    }

    private WeComMessage Text(ChatContent content) => new()
    {
        MsgType = "text",
        Text = new WeComText
        {
            Content = ChatLimits.Compose(
                text => $"{content.Title}\n{text}\n"
                    + string.Join('\n', content.Fields.Append(new ChatField("Time", content.TimeText)).Select(f => $"{f.Name}: {f.Value}"))
                    + string.Concat(content.Links.Select(l => $"\n{l.Name}: {l.Url.AbsoluteUri}")),
                content.Text,
                TextLimit,
                TextEscaping.None),
            MentionedList = mentionedList.Count > 0 ? mentionedList : null,
            MentionedMobileList = mentionedMobiles.Count > 0 ? mentionedMobiles : null,
        },
    };

    private static WeComMessage Markdown(ChatContent content) => new()
    {
        MsgType = "markdown",
        Markdown = new WeComMarkdown(ChatLimits.Compose(
            text => $"**<font color=\"{Color(content.Severity)}\">{content.Title}</font>**\n{text}\n"
                + string.Join('\n', content.Fields.Select(f => $"> {f.Name}: <font color=\"comment\">{f.Value}</font>"))
                + string.Concat(content.Links.Select(l => "\n> " + MarkdownText.Link(l.Url, l.Name)))
                + $"\n> Time: <font color=\"comment\">{content.TimeText}</font>",
            content.Text,
            MarkdownLimit,
            TextEscaping.Markdown)),
    };
}
