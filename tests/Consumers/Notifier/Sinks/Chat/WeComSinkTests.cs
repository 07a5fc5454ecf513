using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class WeComSinkTests : IAsyncLifetime
{
    private RecordingHttpServer server = null!;

    public async Task InitializeAsync() => server = await RecordingHttpServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    private ISink Robot(params string[] pairs)
    {
        var keys = new Dictionary<string, string?> { ["url"] = server.Url("/cgi-bin/webhook/send?key=K3Y").AbsoluteUri };
        for (int i = 0; i < pairs.Length; i += 2)
        {
            keys[pairs[i]] = pairs[i + 1];
        }
        return Create("wecom", keys);
    }

    [Fact]
    public async Task DeliverAsync_Default_PostsPinnedMarkdown()
    {
        await Robot().DeliverAsync(Message(), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("/cgi-bin/webhook/send?key=K3Y", request.PathAndQuery);
        AssertJson("""
            {
              "msgtype": "markdown",
              "markdown": {
                "content": "**<font color=\"info\">podinfo.test</font>**\nAdvance podinfo.test canary weight 10\n> Phase: <font color=\"comment\">Progressing</font>\n> Severity: <font color=\"comment\">info</font>\n> Cluster: <font color=\"comment\">flagger-test</font>\n> Type: <font color=\"comment\">weight.advanced</font>\n> [dashboard](https://grafana.example.com/d/podinfo?var-ns=test)\n> Time: <font color=\"comment\">2025-01-10 09:06:40 UTC</font>"
              }
            }
            """, request.Json);
    }

    [Fact]
    public async Task DeliverAsync_TextWithMentions_PostsPinnedText()
    {
        await Robot("msgType", "text", "mentionedList:0", "wangqing", "mentionedList:1", "@all", "mentionedMobiles", "13800001111")
            .DeliverAsync(Message(Notification(severity: "warn", message: "Halt podinfo.test advancement waiting for approval gate", type: "app.flagger.canary.approval.waiting", phase: "Waiting")), CancellationToken.None);

        AssertJson("""
            {
              "msgtype": "text",
              "text": {
                "content": "podinfo.test\nHalt podinfo.test advancement waiting for approval gate\nPhase: Waiting\nSeverity: warn\nCluster: flagger-test\nType: approval.waiting\nTime: 2025-01-10 09:06:40 UTC\ndashboard: https://grafana.example.com/d/podinfo?var-ns=test",
                "mentioned_list": ["wangqing", "@all"],
                "mentioned_mobile_list": ["13800001111"]
              }
            }
            """, Assert.Single(server.Requests).Json);
    }

    [Theory]
    [InlineData("warn", "warning")]
    [InlineData("error", "warning")]
    public async Task DeliverAsync_WarnOrError_ColoursTheTitleWarning(string severity, string color)
    {
        await Robot().DeliverAsync(Message(Notification(severity: severity)), CancellationToken.None);

        Assert.StartsWith($"**<font color=\"{color}\">", Assert.Single(server.Requests).Json.GetProperty("markdown").GetProperty("content").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(93000, "invalid webhook url", false)]
    [InlineData(45009, "api freq out of limit", true)]
    public async Task DeliverAsync_ErrcodeInA200_ThrowsSinkException(int code, string text, bool transient)
    {
        server.Enqueue(ScriptedResponse.Ok($$"""{"errcode":{{code}},"errmsg":"{{text}}"}"""));

        SinkException e = await Assert.ThrowsAsync<SinkException>(() => Robot().DeliverAsync(Message(), CancellationToken.None));

        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.Equal(transient, e.IsTransient);
    }

    [Theory]
    [InlineData(new[] { "msgType", "text" }, "sinks.chat.url")]
    [InlineData(new[] { "url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "msgType", "news" }, "sinks.chat.msgType")]
    [InlineData(new[] { "url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "mentionedList", "@all" }, "sinks.chat.mentionedList")]
    [InlineData(new[] { "url", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k", "msgType", "markdown", "mentionedMobiles", "138" }, "sinks.chat.mentionedMobiles")]
    [InlineData(new[] { "urlEnv", "BRIDGE_TEST_WECOM_URL_THAT_IS_NOT_SET" }, "sinks.chat.urlEnv")]
    public void Create_BadConfiguration_NamesTheKey(string[] pairs, string key)
    {
        var keys = new Dictionary<string, string?>();
        for (int i = 0; i < pairs.Length; i += 2)
        {
            keys[pairs[i]] = pairs[i + 1];
        }

        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create("wecom", keys));

        Assert.Equal(key, e.Key);
    }
}
