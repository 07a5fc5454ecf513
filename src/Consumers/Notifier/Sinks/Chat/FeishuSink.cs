using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: feishu</c> (or <c>lark</c>): a Feishu / Lark custom bot. <c>msgType: interactive</c> (the default) posts a
/// card with a header in the severity's colour, the message, the fields two by two, the links as buttons and the event
/// time; <c>msgType: text</c> a text message. With the bot's <c>secret</c> each body carries <c>timestamp</c> and
/// <c>sign</c> (the "signature verification" security setting).
/// </summary>
internal sealed class FeishuSinkFactory(string kind) : ISinkFactory
{
    public string Kind => kind;

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri url = definition.GetRequiredUrl("url");
        string? secret = definition.GetSecret("secret");
        bool card = ChatConfig.MessageType(definition, "interactive", "text") == "interactive";
        return new FeishuSink(definition.Name, kind, url, secret, card, definition.Http, definition.TimeProvider);
    }
}

internal sealed record FeishuMessage
{
    [JsonPropertyName("timestamp")] public string? Timestamp { get; init; }
    [JsonPropertyName("sign")] public string? Sign { get; init; }
    [JsonPropertyName("msg_type")] public required string MsgType { get; init; }
    [JsonPropertyName("content")] public FeishuTextContent? Content { get; init; }
    [JsonPropertyName("card")] public FeishuCard? Card { get; init; }
}

internal sealed record FeishuTextContent([property: JsonPropertyName("text")] string Text);

internal sealed record FeishuCard(
    [property: JsonPropertyName("header")] FeishuHeader Header,
    [property: JsonPropertyName("elements")] IReadOnlyList<FeishuElement> Elements)
{
    [JsonPropertyName("config")] public FeishuCardConfig Config { get; init; } = new();
}

internal sealed record FeishuCardConfig
{
    [JsonPropertyName("wide_screen_mode")] public bool WideScreenMode { get; init; } = true;
}

internal sealed record FeishuHeader(
    [property: JsonPropertyName("template")] string Template,
    [property: JsonPropertyName("title")] FeishuText Title);

/// <summary>A text object: <c>plain_text</c> or <c>lark_md</c>.</summary>
internal sealed record FeishuText([property: JsonPropertyName("tag")] string Tag, [property: JsonPropertyName("content")] string Content);

/// <summary>A card element (<c>div</c>, <c>action</c>, <c>note</c>); only the members of its tag are set.</summary>
internal sealed record FeishuElement
{
    [JsonPropertyName("tag")] public required string Tag { get; init; }
    [JsonPropertyName("text")] public FeishuText? Text { get; init; }
    [JsonPropertyName("fields")] public IReadOnlyList<FeishuField>? Fields { get; init; }
    [JsonPropertyName("actions")] public IReadOnlyList<FeishuButton>? Actions { get; init; }
    [JsonPropertyName("elements")] public IReadOnlyList<FeishuText>? Elements { get; init; }
}

internal sealed record FeishuField([property: JsonPropertyName("is_short")] bool IsShort, [property: JsonPropertyName("text")] FeishuText Text);

internal sealed record FeishuButton(
    [property: JsonPropertyName("text")] FeishuText Text,
    [property: JsonPropertyName("url")] string Url)
{
    [JsonPropertyName("tag")] public string Tag { get; init; } = "button";
    [JsonPropertyName("type")] public string Type { get; init; } = "default";
}

internal sealed class FeishuSink(string name, string kind, Uri url, string? secret, bool card, HttpClient http, TimeProvider clock) : ISink
{
    // "Request frequency limited".
    private const long RateLimited = 11232;

    // The custom bot guide (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot) is reported to keep a request
    // body within 20 KB and a card within 30 KB; neither could be confirmed from the guide itself, so the smaller
    // bounds the body whatever the message type.
    public const int BodyLimit = 20_000;

    public string Name => name;

    public string Kind => kind;

    public TextEscaping Escaping => card ? TextEscaping.Markdown : TextEscaping.None;

    /// <summary><c>sign</c> at <paramref name="timestampSeconds"/>: Base64 of HMAC-SHA256 keyed with "timestamp\nsecret" over no data.</summary>
    public static string Sign(long timestampSeconds, string secret)
    {
        byte[] key = Encoding.UTF8.GetBytes($"{timestampSeconds.ToString(CultureInfo.InvariantCulture)}\n{secret}");
        return Convert.ToBase64String(HMACSHA256.HashData(key, Array.Empty<byte>()));
    }

    public static string Template(Severity severity) => severity switch
    {
        Severity.Error => "red",
        Severity.Warn => "orange",
        _ => "green",
    };

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        string? timestamp = null;
        string? sign = null;
        if (secret is not null)
        {
            long now = clock.GetUtcNow().ToUnixTimeSeconds();
            timestamp = now.ToString(CultureInfo.InvariantCulture);
            sign = Sign(now, secret);
        }
        ChatContent content = card ? ChatContent.From(message, MarkdownText.Escape) : ChatContent.From(message, static s => s);
        byte[] body;
        if (message.Body is null)
        {
            body = ChatLimits.SerializeWithin(
                text => (card ? Card(content, text) : Text(content, text)) with { Timestamp = timestamp, Sign = sign },
                content.Text,
                BodyLimit,
                Escaping,
                name);
        }
        else if (secret is null)
        {
            body = Encoding.UTF8.GetBytes(message.Body);
        }
        else
        {
            // A signed bot refuses unsigned bodies, so the route's body gets the signature too.
            JsonObject signed = ChatHttp.OverrideObject(message.Body, name);
            signed["timestamp"] = timestamp;
            signed["sign"] = sign;
            body = Encoding.UTF8.GetBytes(signed.ToJsonString(ChatHttp.JsonOptions));
        }
        string answer = await ChatHttp.PostBytesAsync(http, url, body, name, cancellationToken).ConfigureAwait(false);
        JsonObject? result = ChatHttp.ParseObject(answer);
        // Current bots answer {"code":0,"msg":"success"}; older ones {"StatusCode":0,"StatusMessage":"success"}.
        long? code = ChatHttp.Integer(result, "code") ?? ChatHttp.Integer(result, "StatusCode");
        if (code is long failure && failure != 0)
        {
            string? text = ChatHttp.String(result, "msg") ?? ChatHttp.String(result, "StatusMessage");
            throw new SinkException($"Sink '{name}': Feishu answered code {failure}: {text}", transient: failure == RateLimited);
        }
    }

    private static FeishuMessage Text(ChatContent content, string text) => new()
    {
        MsgType = "text",
        Content = new FeishuTextContent(
            $"{content.Title}\n{text}\n"
            + string.Join('\n', content.Fields.Append(new ChatField("Time", content.TimeText)).Select(f => $"{f.Name}: {f.Value}"))
            + string.Concat(content.Links.Select(l => $"\n{l.Name}: {l.Url.AbsoluteUri}"))),
    };

    private static FeishuMessage Card(ChatContent content, string text)
    {
        var elements = new List<FeishuElement>
        {
            new() { Tag = "div", Text = new FeishuText("lark_md", text) },
            new() { Tag = "div", Fields = content.Fields.Select(f => new FeishuField(true, new FeishuText("lark_md", $"**{f.Name}**\n{f.Value}"))).ToList() },
        };
        if (content.Links.Count > 0)
        {
            elements.Add(new FeishuElement { Tag = "action", Actions = content.Links.Select(l => new FeishuButton(new FeishuText("plain_text", l.Name), l.Url.AbsoluteUri)).ToList() });
        }
        elements.Add(new FeishuElement { Tag = "note", Elements = [new FeishuText("plain_text", content.TimeText)] });
        return new FeishuMessage
        {
            MsgType = "interactive",
            Card = new FeishuCard(new FeishuHeader(Template(content.Severity), new FeishuText("plain_text", content.Notification.Title)), elements),
        };
    }
}
