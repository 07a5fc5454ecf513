using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class GoogleChatSinkTests
{
    [Fact]
    public async Task DeliverAsync_Default_PostsPinnedCardV2()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("gchat", new Dictionary<string, string?> { ["url"] = server.Url("/v1/spaces/AAA/messages?key=k&token=t").AbsoluteUri }).DeliverAsync(Message(), CancellationToken.None);

        AssertJson("""
            {
              "cardsV2": [{
                "cardId": "flagger",
                "card": {
                  "header": {"title": "Flagger", "subtitle": "podinfo.test", "imageUrl": "https://flagger.app/favicon.png"},
                  "sections": [
                    {"widgets": [{"textParagraph": {"text": "<font color=\"#2EB886\"><b>Advance podinfo.test canary weight 10</b></font>"}}]},
                    {"widgets": [
                      {"decoratedText": {"topLabel": "Phase", "text": "Progressing"}},
                      {"decoratedText": {"topLabel": "Severity", "text": "info"}},
                      {"decoratedText": {"topLabel": "Cluster", "text": "flagger-test"}},
                      {"decoratedText": {"topLabel": "Type", "text": "weight.advanced"}},
                      {"decoratedText": {"topLabel": "Time", "text": "2025-01-10 09:06:40 UTC"}}]},
                    {"widgets": [{"buttonList": {"buttons": [{"text": "dashboard", "onClick": {"openLink": {"url": "https://grafana.example.com/d/podinfo?var-ns=test"}}}]}}]}
                  ]
                }
              }]
            }
            """, Assert.Single(server.Requests).Json);
    }

    [Fact]
    public async Task DeliverAsync_Text_PostsPinnedTextUnescaped()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("gchat", new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri, ["msgType"] = "text" })
            .DeliverAsync(Message(Notification(message: "Halt podinfo.test advancement success rate 90.00% < 99%")), CancellationToken.None);

        AssertJson("""
            {"text": "*podinfo.test*\nHalt podinfo.test advancement success rate 90.00% < 99%\nPhase: Progressing · Severity: info · Cluster: flagger-test · Type: weight.advanced\n2025-01-10 09:06:40 UTC"}
            """, Assert.Single(server.Requests).Json);
    }

    [Fact]
    public async Task DeliverAsync_HtmlInMessage_IsEscapedInTheCard()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("gchat", new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri })
            .DeliverAsync(Message(Notification(message: "rate 90% < 99% & <b>\"x\"</b>")), CancellationToken.None);

        string text = Assert.Single(server.Requests).Json.GetProperty("cardsV2")[0].GetProperty("card").GetProperty("sections")[0]
            .GetProperty("widgets")[0].GetProperty("textParagraph").GetProperty("text").GetString()!;
        Assert.Equal("<font color=\"#2EB886\"><b>rate 90% &lt; 99% &amp; &lt;b&gt;&quot;x&quot;&lt;/b&gt;</b></font>", text);
    }

    [Fact]
    public void Create_UnknownMsgType_NamesTheKey()
    {
        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() =>
            Create("gchat", new Dictionary<string, string?> { ["url"] = "https://chat.googleapis.com/v1/spaces/A/messages", ["msgType"] = "cardsV1" }));

        Assert.Equal("sinks.chat.msgType", e.Key);
        Assert.Contains("cards, text", e.Message, StringComparison.Ordinal);
    }
}
