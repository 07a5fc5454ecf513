using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class DiscordSinkTests
{
    [Fact]
    public async Task DeliverAsync_Default_PostsPinnedEmbed()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("discord", new Dictionary<string, string?>
        {
            ["url"] = server.Url("/api/webhooks/123/tok").AbsoluteUri,
            ["username"] = "flagger",
            ["avatarUrl"] = "https://flagger.app/favicon.png",
        }).DeliverAsync(Message(), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("/api/webhooks/123/tok", request.Path);
        AssertJson("""
            {
              "username": "flagger", "avatar_url": "https://flagger.app/favicon.png",
              "allowed_mentions": {"parse": []},
              "embeds": [{
                "title": "podinfo.test",
                "description": "Advance podinfo.test canary weight 10",
                "color": 3061894,
                "fields": [
                  {"name": "Phase", "value": "Progressing", "inline": true},
                  {"name": "Severity", "value": "info", "inline": true},
                  {"name": "Cluster", "value": "flagger-test", "inline": true},
                  {"name": "Type", "value": "weight.advanced", "inline": true},
                  {"name": "Links", "value": "[dashboard](https://grafana.example.com/d/podinfo?var-ns=test)", "inline": false}],
                "timestamp": "2025-01-10T09:06:40.123Z"
              }]
            }
            """, request.Json);
    }

    [Fact]
    public async Task DeliverAsync_FlaggerSlackCompatibleUrl_PostsToTheNativeEndpoint()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("discord", new Dictionary<string, string?> { ["url"] = server.Url("/api/webhooks/123/tok/slack").AbsoluteUri }).DeliverAsync(Message(), CancellationToken.None);

        Assert.Equal("/api/webhooks/123/tok", Assert.Single(server.Requests).Path);
    }

    [Theory]
    [InlineData("warn", 0xDAA038)]
    [InlineData("error", 0xA30200)]
    public async Task DeliverAsync_Severity_ColoursTheEmbed(string severity, int color)
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();

        await Create("discord", new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri }).DeliverAsync(Message(Notification(severity: severity)), CancellationToken.None);

        Assert.Equal(color, Assert.Single(server.Requests).Json.GetProperty("embeds")[0].GetProperty("color").GetInt32());
    }

    [Theory]
    [InlineData(new[] { "username", "flagger" }, "sinks.chat.url")]
    [InlineData(new[] { "url", "https://discord.com/api/webhooks/1/t", "avatarUrl", "avatar.png" }, "sinks.chat.avatarUrl")]
    public void Create_BadConfiguration_NamesTheKey(string[] pairs, string key)
    {
        var keys = new Dictionary<string, string?>();
        for (int i = 0; i < pairs.Length; i += 2)
        {
            keys[pairs[i]] = pairs[i + 1];
        }

        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create("discord", keys));

        Assert.Equal(key, e.Key);
    }
}
