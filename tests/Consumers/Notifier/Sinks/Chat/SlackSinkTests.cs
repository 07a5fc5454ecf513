using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class SlackSinkTests
{
    [Fact]
    public async Task DeliverAsync_IncomingWebhook_PostsPinnedBlockKitMessage()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();
        ISink sink = Create("slack", new Dictionary<string, string?>
        {
            ["url"] = server.Url("/services/T0/B0/secret").AbsoluteUri,
            ["channel"] = "#deploys",
            ["username"] = "flagger",
            ["iconEmoji"] = ":rocket:",
        });

        await sink.DeliverAsync(Message(), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/services/T0/B0/secret", request.Path);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        AssertJson("""
            {
              "channel": "#deploys", "username": "flagger", "icon_emoji": ":rocket:",
              "text": "podinfo.test: Advance podinfo.test canary weight 10",
              "attachments": [{
                "color": "good",
                "blocks": [
                  {"type": "section", "text": {"type": "mrkdwn", "text": "*podinfo.test*\nAdvance podinfo.test canary weight 10"}},
                  {"type": "section", "fields": [
                    {"type": "mrkdwn", "text": "*Phase*\nProgressing"},
                    {"type": "mrkdwn", "text": "*Severity*\ninfo"},
                    {"type": "mrkdwn", "text": "*Cluster*\nflagger-test"},
                    {"type": "mrkdwn", "text": "*Type*\nweight.advanced"}]},
                  {"type": "section", "text": {"type": "mrkdwn", "text": "<https://grafana.example.com/d/podinfo?var-ns=test|dashboard>"}},
                  {"type": "context", "elements": [{"type": "mrkdwn", "text": "<!date^1736500000^{date_short_pretty} {time_secs}|2025-01-10 09:06:40 UTC>"}]}
                ]
              }]
            }
            """, request.Json);
    }

    [Theory]
    [InlineData("info", "good")]
    [InlineData("warn", "warning")]
    [InlineData("error", "danger")]
    public async Task DeliverAsync_Severity_ColoursTheAttachment(string severity, string color)
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();
        ISink sink = Create("slack", new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri });

        await sink.DeliverAsync(Message(Notification(severity: severity)), CancellationToken.None);

        Assert.Equal(color, Assert.Single(server.Requests).Json.GetProperty("attachments")[0].GetProperty("color").GetString());
    }

    [Fact]
    public async Task DeliverAsync_RouteText_IsUsedAsGivenAndEventTextIsEscaped()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();
        ISink sink = Create("slack", new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri });

        await sink.DeliverAsync(Message(Notification(message: "a <b> & c")), CancellationToken.None);
        await sink.DeliverAsync(Message(text: "*already* <escaped>"), CancellationToken.None);

        IReadOnlyList<RecordedRequest> requests = server.Requests;
        Assert.Equal("podinfo.test: a &lt;b&gt; &amp; c", requests[0].Json.GetProperty("text").GetString());
        Assert.Equal("podinfo.test: *already* <escaped>", requests[1].Json.GetProperty("text").GetString());
    }

    [Fact]
    public async Task DeliverAsync_WebhookRefuses_ThrowsSinkExceptionWithStatus()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();
        server.Enqueue(new ScriptedResponse(404, "no_service", "text/plain"));
        ISink sink = Create("slack", new Dictionary<string, string?> { ["url"] = server.Url("/hook").AbsoluteUri });

        SinkException e = await Assert.ThrowsAsync<SinkException>(() => sink.DeliverAsync(Message(), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, e.StatusCode);
        Assert.False(e.IsTransient);
        Assert.Contains("no_service", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "channel", "#x" }, "sinks.chat.url")]
    [InlineData(new[] { "url", "not a url" }, "sinks.chat.url")]
    [InlineData(new[] { "url", "ftp://hooks.slack.com/x" }, "sinks.chat.url")]
    [InlineData(new[] { "url", "https://hooks.slack.com/x", "urlFile", "/run/secrets/url" }, "sinks.chat.url")]
    [InlineData(new[] { "url", "https://hooks.slack.com/x", "token", "xoxb-1" }, "sinks.chat.token")]
    [InlineData(new[] { "token", "xoxb-1" }, "sinks.chat.channel")]
    [InlineData(new[] { "token", "xoxb-1", "channel", "C1", "apiUrl", "slack.com/api" }, "sinks.chat.apiUrl")]
    [InlineData(new[] { "token", "xoxb-1", "channel", "C1", "threads", "sometimes" }, "sinks.chat.threads")]
    [InlineData(new[] { "token", "xoxb-1", "channel", "C1", "threadCapacity", "0" }, "sinks.chat.threadCapacity")]
    [InlineData(new[] { "url", "https://hooks.slack.com/x", "iconEmoji", ":x:", "iconUrl", "https://x/i.png" }, "sinks.chat.iconUrl")]
    [InlineData(new[] { "tokenEnv", "BRIDGE_TEST_SLACK_TOKEN_THAT_IS_NOT_SET", "channel", "C1" }, "sinks.chat.tokenEnv")]
    public void Create_BadConfiguration_NamesTheKey(string[] pairs, string key)
    {
        var keys = new Dictionary<string, string?>();
        for (int i = 0; i < pairs.Length; i += 2)
        {
            keys[pairs[i]] = pairs[i + 1];
        }

        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create("slack", keys));

        Assert.Equal(key, e.Key);
        Assert.StartsWith(key + ": ", e.Message, StringComparison.Ordinal);
    }
}
