using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class TeamsSinkTests
{
    [Fact]
    public async Task DeliverAsync_Default_PostsPinnedAdaptiveCard()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();
        server.Enqueue(new ScriptedResponse(202));

        await Create("teams", new Dictionary<string, string?> { ["url"] = server.Url("/workflows/abc/triggers/manual/paths/invoke?sig=x").AbsoluteUri }).DeliverAsync(Message(), CancellationToken.None);

        AssertJson("""
            {
              "type": "message",
              "attachments": [{
                "contentType": "application/vnd.microsoft.card.adaptive",
                "content": {
                  "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
                  "type": "AdaptiveCard", "version": "1.4",
                  "msteams": {"width": "Full"},
                  "body": [
                    {"type": "TextBlock", "text": "podinfo.test", "size": "Medium", "weight": "Bolder", "color": "Good", "wrap": true},
                    {"type": "TextBlock", "text": "Advance podinfo.test canary weight 10", "wrap": true},
                    {"type": "FactSet", "facts": [
                      {"title": "Phase", "value": "Progressing"}, {"title": "Severity", "value": "info"},
                      {"title": "Cluster", "value": "flagger-test"}, {"title": "Type", "value": "weight.advanced"}]},
                    {"type": "TextBlock", "text": "2025-01-10 09:06:40 UTC", "size": "Small", "isSubtle": true, "wrap": true}
                  ],
                  "actions": [{"type": "Action.OpenUrl", "title": "dashboard", "url": "https://grafana.example.com/d/podinfo?var-ns=test"}]
                }
              }]
            }
            """, Assert.Single(server.Requests).Json);
    }

    [Theory]
    [InlineData("warn", "Warning")]
    [InlineData("error", "Attention")]
    public async Task DeliverAsync_Severity_ColoursTheTitle(string severity, string color)
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("teams", new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri }).DeliverAsync(Message(Notification(severity: severity)), CancellationToken.None);

        Assert.Equal(color, Assert.Single(server.Requests).Json.GetProperty("attachments")[0].GetProperty("content").GetProperty("body")[0].GetProperty("color").GetString());
    }

    [Fact]
    public async Task DeliverAsync_WorkflowRefuses_ThrowsTransientSinkExceptionOn5xx()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();
        server.Enqueue(new ScriptedResponse(502, """{"error":{"code":"BadGateway"}}"""));

        SinkException e = await Assert.ThrowsAsync<SinkException>(() => Create("teams", new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri }).DeliverAsync(Message(), CancellationToken.None));

        Assert.True(e.IsTransient);
        Assert.Contains("BadGateway", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_MissingUrl_NamesTheKey()
    {
        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create("teams", new Dictionary<string, string?>()));

        Assert.Equal("sinks.chat.url", e.Key);
    }
}
