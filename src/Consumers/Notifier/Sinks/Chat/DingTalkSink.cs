using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: dingtalk</c>: a DingTalk group robot. <c>msgType: markdown</c> (the default) or <c>text</c>; <c>atMobiles</c>
/// and <c>atAll</c> mention people; with the robot's <c>secret</c> every request is signed (<c>timestamp</c> and
/// <c>sign</c> in the query, as the robot's "additional signature" security setting requires).
/// </summary>
internal sealed class DingTalkSinkFactory : ISinkFactory
{
    public string Kind => "dingtalk";

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri url = definition.GetRequiredUrl("url");
        string? secret = definition.GetSecret("secret");
        bool markdown = ChatConfig.MessageType(definition, "markdown", "text") == "markdown";
        IReadOnlyList<string> mobiles = definition.GetList("atMobiles");
        foreach (string mobile in mobiles)
        {
            if (!mobile.All(c => char.IsAsciiDigit(c) || c is '+' or '-'))
            {
                throw definition.Error("atMobiles", $"'{mobile}' is not a mobile number");
            }
        }
        bool atAll = definition.GetBool("atAll", defaultValue: false);
        return new DingTalkSink(definition.Name, url, secret, markdown, mobiles, atAll, definition.Http, definition.TimeProvider);
    }
}

internal sealed record DingTalkMessage
{
    [JsonPropertyName("msgtype")] public required string MsgType { get; init; }
    [JsonPropertyName("text")] public DingTalkText? Text { get; init; }
    [JsonPropertyName("markdown")] public DingTalkMarkdown? Markdown { get; init; }
    [JsonPropertyName("at")] public DingTalkAt? At { get; init; }
}

internal sealed record DingTalkText([property: JsonPropertyName("content")] string Content);

internal sealed record DingTalkMarkdown([property: JsonPropertyName("title")] string Title, [property: JsonPropertyName("text")] string Text);

internal sealed record DingTalkAt(
    [property: JsonPropertyName("atMobiles")] IReadOnlyList<string> AtMobiles,
    [property: JsonPropertyName("isAtAll")] bool IsAtAll);

internal sealed class DingTalkSink(string name, Uri url, string? secret, bool markdown, IReadOnlyList<string> atMobiles, bool atAll, HttpClient http, TimeProvider clock) : ISink
{
    // "Sending too fast": the robot allows 20 messages a minute.
    private const long RateLimited = 130101;

    // DingTalk publishes no size limit for a robot's text or markdown; WeCom's robot takes 4096 bytes of markdown, and
    // that is taken here too as a conservative bound.
    public static readonly ChatLimit ContentLimit = ChatLimit.Utf8Bytes(4096);

    public string Name => name;

    public string Kind => "dingtalk";

    public TextEscaping Escaping => markdown ? TextEscaping.Markdown : TextEscaping.None;

    /// <summary><c>sign</c> for a request at <paramref name="timestampMs"/>: Base64 of HMAC-SHA256 keyed with the secret over "timestamp\nsecret".</summary>
    public static string Sign(long timestampMs, string secret)
    {
        byte[] mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestampMs.ToString(CultureInfo.InvariantCulture)}\n{secret}"));
        return Convert.ToBase64String(mac);
    }

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        DingTalkMessage payload = markdown ? Markdown(ChatContent.From(message, MarkdownText.Escape)) : Text(ChatContent.From(message, static s => s));
        string answer = await ChatHttp.PostAsync(http, SignedUrl(), message, payload, name, cancellationToken).ConfigureAwait(false);
        JsonObject? result = ChatHttp.ParseObject(answer);
        if (ChatHttp.Integer(result, "errcode") is long code && code != 0)
        {
            throw new SinkException($"Sink '{name}': DingTalk answered errcode {code}: {ChatHttp.String(result, "errmsg")}", transient: code == RateLimited);
        }
    }

    private Uri SignedUrl()
    {
        if (secret is null)
        {
            return url;
        }
        long timestamp = clock.GetUtcNow().ToUnixTimeMilliseconds();
        string query = $"timestamp={timestamp.ToString(CultureInfo.InvariantCulture)}&sign={Uri.EscapeDataString(Sign(timestamp, secret))}";
        var builder = new UriBuilder(url);
        builder.Query = builder.Query.Length > 1 ? builder.Query[1..] + "&" + query : query;
        return builder.Uri;
    }

    private DingTalkAt? At => atMobiles.Count > 0 || atAll ? new DingTalkAt(atMobiles, atAll) : null;

    // DingTalk only notifies a mobile that also appears as @mobile in the text.
    private string Mentions => atMobiles.Count == 0 ? string.Empty : "\n\n" + string.Join(' ', atMobiles.Select(m => "@" + m));

    private DingTalkMessage Text(ChatContent content) => new()
    {
        MsgType = "text",
        Text = new DingTalkText(ChatLimits.Compose(
            text => $"{content.Title}\n{text}\n"
                + string.Join('\n', content.Fields.Append(new ChatField("Time", content.TimeText)).Select(f => $"{f.Name}: {f.Value}"))
                + string.Concat(content.Links.Select(l => $"\n{l.Name}: {l.Url.AbsoluteUri}"))
                + Mentions,
            content.Text,
            ContentLimit,
            TextEscaping.None)),
        At = At,
    };

    private DingTalkMessage Markdown(ChatContent content)
    {
        string text = ChatLimits.Compose(
            message => $"### <font color=\"{ChatColors.Hex(content.Severity)}\">{content.Title}</font>\n\n{message}\n\n"
                + string.Join('\n', content.Fields.Select(f => $"- **{f.Name}**: {f.Value}"))
                + string.Concat(content.Links.Select(l => "\n- " + MarkdownText.Link(l.Url, l.Name)))
                + $"\n\n{content.TimeText}"
                + Mentions,
            content.Text,
            ContentLimit,
            TextEscaping.Markdown);
        // The title is what the notification preview shows.
        return new DingTalkMessage { MsgType = "markdown", Markdown = new DingTalkMarkdown(content.Notification.Title, text), At = At };
    }
}
