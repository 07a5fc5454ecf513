using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class MattermostSinkTests
{
    [Fact]
    public async Task DeliverAsync_Default_PostsPinnedAttachment()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("mattermost", new Dictionary<string, string?>
        {
            ["url"] = server.Url("/hooks/xxx-generatedkey-xxx").AbsoluteUri,
            ["channel"] = "town-square",
            ["username"] = "flagger",
            ["iconUrl"] = "https://flagger.app/favicon.png",
        }).DeliverAsync(Message(Notification(severity: "error", message: "Canary failed! Scaling down podinfo.test", type: "app.flagger.canary.failed", phase: "Failed")), CancellationToken.None);

        AssertJson("""
            {
              "channel": "town-square", "username": "flagger", "icon_url": "https://flagger.app/favicon.png",
              "attachments": [{
                "fallback": "podinfo.test: Canary failed! Scaling down podinfo.test",
                "color": "#A30200", "title": "podinfo.test", "text": "Canary failed! Scaling down podinfo.test",
                "fields": [
                  {"short": true, "title": "Phase", "value": "Failed"},
                  {"short": true, "title": "Severity", "value": "error"},
                  {"short": true, "title": "Cluster", "value": "flagger-test"},
                  {"short": true, "title": "Type", "value": "failed"},
                  {"short": false, "title": "Links", "value": "[dashboard](https://grafana.example.com/d/podinfo?var-ns=test)"}],
                "footer": "2025-01-10 09:06:40 UTC"
              }]
            }
            """, Assert.Single(server.Requests).Json);
    }

    [Fact]
    public async Task DeliverAsync_ServerRefuses_ThrowsSinkException()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();
        server.Enqueue(new ScriptedResponse(400, """{"id":"web.incoming_webhook.text.app_error","message":"No text specified"}"""));

        SinkException e = await Assert.ThrowsAsync<SinkException>(() =>
            Create("mattermost", new Dictionary<string, string?> { ["url"] = server.Url("/hooks/k").AbsoluteUri }).DeliverAsync(Message(), CancellationToken.None));

        Assert.False(e.IsTransient);
        Assert.Contains("No text specified", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_RelativeIconUrl_NamesTheKey()
    {
        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create("mattermost", new Dictionary<string, string?>
        {
            ["url"] = "https://mattermost.example.com/hooks/k", ["iconUrl"] = "/favicon.png",
        }));

        Assert.Equal("sinks.chat.iconUrl", e.Key);
    }
}
