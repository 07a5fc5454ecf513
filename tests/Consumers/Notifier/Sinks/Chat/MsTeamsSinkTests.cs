using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class MsTeamsSinkTests
{
    [Fact]
    public async Task DeliverAsync_Default_PostsPinnedMessageCard()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("msteams", new Dictionary<string, string?> { ["url"] = server.Url("/webhookb2/abc/IncomingWebhook/def").AbsoluteUri }).DeliverAsync(Message(), CancellationToken.None);

        AssertJson("""
            {
              "@type": "MessageCard", "@context": "http://schema.org/extensions",
              "themeColor": "0076D7", "summary": "podinfo.test",
              "sections": [{
                "activityTitle": "Advance podinfo.test canary weight 10", "activitySubtitle": "podinfo.test", "markdown": true,
                "facts": [
                  {"name": "Phase", "value": "Progressing"}, {"name": "Severity", "value": "info"},
                  {"name": "Cluster", "value": "flagger-test"}, {"name": "Type", "value": "weight.advanced"},
                  {"name": "Time", "value": "2025-01-10 09:06:40 UTC"}]
              }],
              "potentialAction": [{"@type": "OpenUri", "name": "dashboard", "targets": [{"os": "default", "uri": "https://grafana.example.com/d/podinfo?var-ns=test"}]}]
            }
            """, Assert.Single(server.Requests).Json);
    }

    [Theory]
    [InlineData("warn", "FFA500")]
    [InlineData("error", "FF0000")]
    public async Task DeliverAsync_Severity_SetsThemeColor(string severity, string color)
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("msteams", new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri }).DeliverAsync(Message(Notification(severity: severity)), CancellationToken.None);

        Assert.Equal(color, Assert.Single(server.Requests).Json.GetProperty("themeColor").GetString());
    }

    [Theory]
    [InlineData(null, "sinks.chat.url")]
    [InlineData("outlook.office.com/webhook", "sinks.chat.url")]
    public void Create_BadUrl_NamesTheKey(string? url, string key)
    {
        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create("msteams", new Dictionary<string, string?> { ["url"] = url }));

        Assert.Equal(key, e.Key);
    }
}
