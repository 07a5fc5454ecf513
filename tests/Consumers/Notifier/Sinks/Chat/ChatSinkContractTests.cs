using System.Text;
using System.Text.Json;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Sinks.Chat;
using Microsoft.Extensions.DependencyInjection;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

/// <summary>What every chat sink promises, whatever its provider: valid bodies for any text, route bodies, errors.</summary>
public sealed class ChatSinkContractTests : IAsyncLifetime
{
    private const string Hostile = "He said \"hi\"\nthen\r\n\t'quoted' *bold* _it_ ~strike~ `code` <b>tag</b> & [x](http://e) # | {{ canary }} {% raw %} \\ / "
        + "über 日本語 עברית 🚀👩‍👩‍👧 e\u0301 \u2028\u2029 \u0000 \u001f end";

    private RecordingHttpServer server = null!;

    public static TheoryData<string> Kinds => new() { "slack", "msteams", "teams", "discord", "gchat", "rocket", "mattermost", "dingtalk", "wecom", "feishu", "lark" };

    public async Task InitializeAsync() => server = await RecordingHttpServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    private ISink Sink(string kind) => Create(kind, new Dictionary<string, string?> { ["url"] = server.Url("/hook/" + kind).AbsoluteUri });

    /// <summary>The event's own text as the sink must show it: escaped for its markup.</summary>
    private static string Escaped(string kind, string text) => kind switch
    {
        "slack" => SlackText.Escape(text),
        "gchat" => HtmlText.Escape(text),
        _ => MarkdownText.Escape(text),
    };

    [Fact]
    public void AddChatSinks_RegistersEveryKindOnceEvenWhenCalledTwice()
    {
        IServiceProvider services = new ServiceCollection().AddChatSinks().AddChatSinks().BuildServiceProvider();

        Assert.Equal(
            ["dingtalk", "discord", "feishu", "gchat", "lark", "mattermost", "msteams", "rocket", "slack", "teams", "wecom"],
            services.GetServices<ISinkFactory>().Select(f => f.Kind).Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Create_Sink_HasTheNameKindAndEscapingOfItsMarkup(string kind)
    {
        ISink sink = Create(kind, new Dictionary<string, string?> { ["url"] = "https://chat.example.com/hook" }, name: "team-" + kind);

        Assert.Equal("team-" + kind, sink.Name);
        Assert.Equal(kind, sink.Kind);
        Assert.Equal(kind switch { "gchat" => TextEscaping.Html, "slack" => TextEscaping.Slack, _ => TextEscaping.Markdown }, sink.Escaping);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task DeliverAsync_HostileEventText_KeepsTheBodyValidJsonWithTheTextEscaped(string kind)
    {
        await Sink(kind).DeliverAsync(Message(Notification(message: Hostile)), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        string escaped = Escaped(kind, Hostile);
        Assert.Contains(Strings(request.Json), s => s.Contains(escaped, StringComparison.Ordinal));
    }

    /// <summary>Every kind in its default message type and in its text type where it has one, each with an ASCII and a multi-byte 64 KiB text.</summary>
    public static TheoryData<string, string?, bool> LongTexts
    {
        get
        {
            var data = new TheoryData<string, string?, bool>();
            string[] kinds = ["slack", "msteams", "teams", "discord", "gchat", "rocket", "mattermost", "dingtalk", "wecom", "feishu", "lark"];
            IEnumerable<(string Kind, string? MsgType)> layouts = kinds.Select(k => (k, (string?)null))
                .Concat([("gchat", "text"), ("dingtalk", "text"), ("wecom", "text"), ("feishu", "text")]);
            foreach ((string kind, string? msgType) in layouts)
            {
                data.Add(kind, msgType, false);
                data.Add(kind, msgType, true);
            }
            return data;
        }
    }

    private static string Repeat(string part, int length)
    {
        var text = new StringBuilder();
        while (text.Length < length)
        {
            text.Append(part);
        }
        return text.ToString();
    }

    [Theory]
    [MemberData(nameof(LongTexts))]
    public async Task DeliverAsync_64KiBEventText_IsShortenedToTheProvidersLimitsWithAMark(string kind, string? msgType, bool multiByte)
    {
        string text = Repeat(multiByte ? "日本語のエラー本文 🚀👩‍👩‍👧 e\u0301 " : Hostile, 64 * 1024);
        var keys = new Dictionary<string, string?> { ["url"] = server.Url("/hook/" + kind).AbsoluteUri, ["msgType"] = msgType };

        await Create(kind, keys).DeliverAsync(Message(Notification(message: text)), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        JsonElement json = request.Json;
        string shown = msgType == "text" ? text : Escaped(kind, text);
        string beginning = shown[..200];
        string body = Assert.Single(Strings(json), s => s.Contains(beginning, StringComparison.Ordinal) && s.Contains("… (truncated, ", StringComparison.Ordinal)
            && !(kind is "slack" or "mattermost" && s.StartsWith("podinfo.test: ", StringComparison.Ordinal)));
        int start = body.IndexOf(beginning, StringComparison.Ordinal);
        int mark = body.IndexOf("… (truncated, ", start, StringComparison.Ordinal);
        Assert.StartsWith(body[start..mark], shown, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(body[mark - 1]), "the shortened text ends with half a character");
        AssertWithinLimits(kind, msgType, request, json);
    }

    /// <summary>The limits each provider documents (or, where none is published, the bound the sink keeps to).</summary>
    private static void AssertWithinLimits(string kind, string? msgType, RecordedRequest request, JsonElement json)
    {
        static void AtMost(int max, int actual, string what) => Assert.True(actual <= max, $"{what} is {actual}, over {max}");
        static int Bytes(JsonElement e) => Encoding.UTF8.GetByteCount(e.GetString()!);
        switch (kind)
        {
            case "slack":
                AtMost(40_000, json.GetProperty("text").GetString()!.Length, "the text");
                JsonElement blocks = json.GetProperty("attachments")[0].GetProperty("blocks");
                AtMost(50, blocks.GetArrayLength(), "the blocks");
                foreach (JsonElement block in blocks.EnumerateArray())
                {
                    if (block.TryGetProperty("text", out JsonElement section))
                    {
                        AtMost(3000, section.GetProperty("text").GetString()!.Length, "a section's text");
                    }
                    if (block.TryGetProperty("fields", out JsonElement fields))
                    {
                        AtMost(10, fields.GetArrayLength(), "a section's fields");
                        foreach (JsonElement field in fields.EnumerateArray())
                        {
                            AtMost(2000, field.GetProperty("text").GetString()!.Length, "a field");
                        }
                    }
                }
                break;
            case "discord":
                JsonElement embed = json.GetProperty("embeds")[0];
                int title = embed.GetProperty("title").GetString()!.Length;
                int description = embed.GetProperty("description").GetString()!.Length;
                AtMost(256, title, "the title");
                AtMost(4096, description, "the description");
                int total = title + description;
                foreach (JsonElement field in embed.GetProperty("fields").EnumerateArray())
                {
                    AtMost(256, field.GetProperty("name").GetString()!.Length, "a field's name");
                    AtMost(1024, field.GetProperty("value").GetString()!.Length, "a field's value");
                    total += field.GetProperty("name").GetString()!.Length + field.GetProperty("value").GetString()!.Length;
                }
                AtMost(6000, total, "the embed");
                break;
            case "teams" or "msteams":
                AtMost(28 * 1024, request.Body.Length, "the body");
                break;
            case "gchat":
                AtMost(32_000, request.Body.Length, "the body");
                break;
            case "mattermost":
                JsonElement attachment = json.GetProperty("attachments")[0];
                AtMost(16_383, attachment.GetProperty("text").GetString()!.Length, "the text");
                AtMost(16_383, attachment.GetProperty("fallback").GetString()!.Length, "the fallback");
                break;
            case "rocket":
                AtMost(5000, json.GetProperty("attachments")[0].GetProperty("text").GetString()!.Length, "the text");
                break;
            case "dingtalk":
                AtMost(4096, Bytes(msgType == "text" ? json.GetProperty("text").GetProperty("content") : json.GetProperty("markdown").GetProperty("text")), "the content");
                break;
            case "wecom":
                if (msgType == "text")
                {
                    AtMost(2048, Bytes(json.GetProperty("text").GetProperty("content")), "the text's content");
                }
                else
                {
                    AtMost(4096, Bytes(json.GetProperty("markdown").GetProperty("content")), "the markdown's content");
                }
                break;
            default:
                AtMost(20 * 1024, request.Body.Length, "the body");
                break;
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task DeliverAsync_RouteText_IsShownAsRendered(string kind)
    {
        // The core renders route templates with the sink's escaping; the sink must not escape them again.
        await Sink(kind).DeliverAsync(Message(text: Hostile), CancellationToken.None);

        Assert.Contains(Strings(Assert.Single(server.Requests).Json), s => s.Contains(Hostile, StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task DeliverAsync_RouteBody_IsSentUnchangedAsJson(string kind)
    {
        const string body = """{ "text" : "custom \"body\" \n 🚀", "n": [1, 2.50, true, null] }""";

        await Sink(kind).DeliverAsync(Message(body: body), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal(body, request.BodyText);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task DeliverAsync_64KiBRouteBody_IsSentUnchanged(string kind)
    {
        // The route's author owns the body, its size included: the provider's answer is theirs to see.
        string body = "{\"text\":\"" + Repeat("0123456789abcdef", 64 * 1024) + "\"}";

        await Sink(kind).DeliverAsync(Message(body: body), CancellationToken.None);

        Assert.Equal(body, Assert.Single(server.Requests).BodyText);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task DeliverAsync_ServerError_ThrowsTransientSinkExceptionNamingTheSink(string kind)
    {
        server.Enqueue(new ScriptedResponse(503, "busy", "text/plain"));

        SinkException e = await Assert.ThrowsAsync<SinkException>(() => Create(kind, new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri }, name: "sink-" + kind).DeliverAsync(Message(), CancellationToken.None));

        Assert.True(e.IsTransient);
        Assert.Equal(System.Net.HttpStatusCode.ServiceUnavailable, e.StatusCode);
        Assert.Contains("sink-" + kind, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Create_UrlAndUrlFile_NamesTheKey(string kind)
    {
        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() =>
            Create(kind, new Dictionary<string, string?> { ["url"] = "https://chat.example.com/hook", ["urlFile"] = "/run/secrets/url" }, name: "prod"));

        Assert.Equal("sinks.prod.url", e.Key);
        Assert.Contains("urlFile", e.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Create_MissingUrl_NamesTheKey(string kind)
    {
        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create(kind, new Dictionary<string, string?>(), name: "prod"));

        Assert.Equal("sinks.prod.url", e.Key);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Create_UrlFromFile_PostsToIt(string kind)
    {
        string file = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(file, server.Url("/from-file").AbsoluteUri + "\n");

            await Create(kind, new Dictionary<string, string?> { ["urlFile"] = file }).DeliverAsync(Message(), CancellationToken.None);

            Assert.Equal("/from-file", Assert.Single(server.Requests).Path);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
