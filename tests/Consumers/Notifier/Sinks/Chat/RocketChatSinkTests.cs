using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class RocketChatSinkTests
{
    [Fact]
    public async Task DeliverAsync_Default_PostsPinnedAttachment()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("rocket", new Dictionary<string, string?>
        {
            ["url"] = server.Url("/hooks/abc/def").AbsoluteUri,
            ["channel"] = "#deploys",
            ["username"] = "flagger",
            ["iconEmoji"] = ":rocket:",
        }).DeliverAsync(Message(), CancellationToken.None);

        AssertJson("""
            {
              "channel": "#deploys", "alias": "flagger", "emoji": ":rocket:",
              "attachments": [{
                "color": "#0076D7", "title": "podinfo.test", "text": "Advance podinfo.test canary weight 10",
                "fields": [
                  {"short": true, "title": "Phase", "value": "Progressing"},
                  {"short": true, "title": "Severity", "value": "info"},
                  {"short": true, "title": "Cluster", "value": "flagger-test"},
                  {"short": true, "title": "Type", "value": "weight.advanced"},
                  {"short": false, "title": "Links", "value": "[dashboard](https://grafana.example.com/d/podinfo?var-ns=test)"}],
                "ts": "2025-01-10T09:06:40.123Z"
              }]
            }
            """, Assert.Single(server.Requests).Json);
    }

    [Fact]
    public async Task DeliverAsync_SuccessFalseInA200_ThrowsSinkException()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();
        server.Enqueue(ScriptedResponse.Ok("""{"success":false,"error":"invalid-channel"}"""));

        SinkException e = await Assert.ThrowsAsync<SinkException>(() =>
            Create("rocket", new Dictionary<string, string?> { ["url"] = server.Url("/hooks/a/b").AbsoluteUri }).DeliverAsync(Message(), CancellationToken.None));

        Assert.Contains("invalid-channel", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("error", "#FF0000")]
    [InlineData("warn", "#FFA500")]
    public async Task DeliverAsync_Severity_ColoursTheAttachment(string severity, string color)
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("rocket", new Dictionary<string, string?> { ["url"] = server.Url("/hooks/a/b").AbsoluteUri }).DeliverAsync(Message(Notification(severity: severity)), CancellationToken.None);

        Assert.Equal(color, Assert.Single(server.Requests).Json.GetProperty("attachments")[0].GetProperty("color").GetString());
    }

    [Fact]
    public void Create_BothIcons_NamesTheKey()
    {
        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create("rocket", new Dictionary<string, string?>
        {
            ["url"] = "https://chat.example.com/hooks/a/b", ["iconEmoji"] = ":rocket:", ["iconUrl"] = "https://x/i.png",
        }));

        Assert.Equal("sinks.chat.iconUrl", e.Key);
    }
}
