using System.Text;
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

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task DeliverAsync_64KiBEventText_KeepsTheBodyValidJsonWithTheTextWhole(string kind)
    {
        var text = new StringBuilder();
        while (text.Length < 64 * 1024)
        {
            text.Append(Hostile);
        }

        await Sink(kind).DeliverAsync(Message(Notification(message: text.ToString())), CancellationToken.None);

        string escaped = Escaped(kind, text.ToString());
        Assert.Contains(Strings(Assert.Single(server.Requests).Json), s => s.Contains(escaped, StringComparison.Ordinal));
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
