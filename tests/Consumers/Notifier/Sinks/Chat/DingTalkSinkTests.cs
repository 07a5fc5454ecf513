using System.Security.Cryptography;
using System.Text;
using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class DingTalkSinkTests : IAsyncLifetime
{
    private RecordingHttpServer server = null!;

    public async Task InitializeAsync() => server = await RecordingHttpServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    private ISink Robot(params string[] pairs)
    {
        var keys = new Dictionary<string, string?> { ["url"] = server.Url("/robot/send?access_token=T0KEN").AbsoluteUri };
        for (int i = 0; i < pairs.Length; i += 2)
        {
            keys[pairs[i]] = pairs[i + 1];
        }
        return Create("dingtalk", keys);
    }

    [Fact]
    public async Task DeliverAsync_Default_PostsPinnedMarkdownUnsigned()
    {
        await Robot().DeliverAsync(Message(), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("/robot/send?access_token=T0KEN", request.PathAndQuery);
        AssertJson("""
            {
              "msgtype": "markdown",
              "markdown": {
                "title": "podinfo.test",
                "text": "### <font color=\"#2EB886\">podinfo.test</font>\n\nAdvance podinfo.test canary weight 10\n\n- **Phase**: Progressing\n- **Severity**: info\n- **Cluster**: flagger-test\n- **Type**: weight.advanced\n- [dashboard](https://grafana.example.com/d/podinfo?var-ns=test)\n\n2025-01-10 09:06:40 UTC"
              }
            }
            """, request.Json);
    }

    [Fact]
    public async Task DeliverAsync_TextWithMentions_PinsAtAndNamesMobilesInTheText()
    {
        await Robot("msgType", "text", "atMobiles:0", "13800000000", "atMobiles:1", "+86-13900000000", "atAll", "true")
            .DeliverAsync(Message(Notification(severity: "error", message: "Canary failed! Scaling down podinfo.test", type: "app.flagger.canary.failed", phase: "Failed")), CancellationToken.None);

        AssertJson("""
            {
              "msgtype": "text",
              "text": {"content": "podinfo.test\nCanary failed! Scaling down podinfo.test\nPhase: Failed\nSeverity: error\nCluster: flagger-test\nType: failed\nTime: 2025-01-10 09:06:40 UTC\ndashboard: https://grafana.example.com/d/podinfo?var-ns=test\n\n@13800000000 @+86-13900000000"},
              "at": {"atMobiles": ["13800000000", "+86-13900000000"], "isAtAll": true}
            }
            """, Assert.Single(server.Requests).Json);
    }

    [Fact]
    public async Task DeliverAsync_MarkdownWithMentions_NamesMobilesInTheText()
    {
        await Robot("atMobiles", "13800000000").DeliverAsync(Message(), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.EndsWith("\n\n@13800000000", request.Json.GetProperty("markdown").GetProperty("text").GetString(), StringComparison.Ordinal);
        AssertJson("""{"atMobiles": ["13800000000"], "isAtAll": false}""", request.Json.GetProperty("at"));
    }

    [Fact]
    public async Task DeliverAsync_Secret_SignsTheQueryAsDingTalkVerifiesIt()
    {
        const string secret = "SEC0123456789abcdef+/=";
        await Robot("secret", secret).DeliverAsync(Message(), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("T0KEN", request.Query["access_token"]);
        string timestamp = request.Query["timestamp"];
        Assert.Equal(Now.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp);
        // DingTalk's documented check: Base64(HMAC-SHA256(key = secret, data = timestamp + "\n" + secret)).
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(secret));
        string expected = Convert.ToBase64String(hmac.ComputeHash(Encoding.UTF8.GetBytes(timestamp + "\n" + secret)));
        Assert.Equal(expected, request.Query["sign"]);
        // '+' and '/' of Base64 survive only when the value is URL-encoded.
        Assert.Contains("&sign=" + Uri.EscapeDataString(expected), request.PathAndQuery, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(310000, "keywords not in content", false)]
    [InlineData(130101, "send too fast, exceed 20 times per minute", true)]
    public async Task DeliverAsync_ErrcodeInA200_ThrowsSinkException(int code, string text, bool transient)
    {
        server.Enqueue(ScriptedResponse.Ok($$"""{"errcode":{{code}},"errmsg":"{{text}}"}"""));

        SinkException e = await Assert.ThrowsAsync<SinkException>(() => Robot().DeliverAsync(Message(), CancellationToken.None));

        Assert.Contains(code.ToString(System.Globalization.CultureInfo.InvariantCulture), e.Message, StringComparison.Ordinal);
        Assert.Contains(text, e.Message, StringComparison.Ordinal);
        Assert.Equal(transient, e.IsTransient);
    }

    [Fact]
    public async Task DeliverAsync_ErrcodeZero_Succeeds()
    {
        server.Enqueue(ScriptedResponse.Ok("""{"errcode":0,"errmsg":"ok"}"""));

        await Robot().DeliverAsync(Message(), CancellationToken.None);

        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData(new[] { "secret", "s" }, "sinks.chat.url")]
    [InlineData(new[] { "url", "oapi.dingtalk.com/robot/send" }, "sinks.chat.url")]
    [InlineData(new[] { "url", "https://oapi.dingtalk.com/robot/send", "msgType", "actionCard" }, "sinks.chat.msgType")]
    [InlineData(new[] { "url", "https://oapi.dingtalk.com/robot/send", "atAll", "yes" }, "sinks.chat.atAll")]
    [InlineData(new[] { "url", "https://oapi.dingtalk.com/robot/send", "atMobiles", "alice" }, "sinks.chat.atMobiles")]
    [InlineData(new[] { "url", "https://oapi.dingtalk.com/robot/send", "secret", "s", "secretFile", "/run/secret" }, "sinks.chat.secret")]
    [InlineData(new[] { "url", "https://oapi.dingtalk.com/robot/send", "secretFile", "/nonexistent/dingtalk-secret" }, "sinks.chat.secretFile")]
    public void Create_BadConfiguration_NamesTheKey(string[] pairs, string key)
    {
        var keys = new Dictionary<string, string?>();
        for (int i = 0; i < pairs.Length; i += 2)
        {
            keys[pairs[i]] = pairs[i + 1];
        }

        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create("dingtalk", keys));

        Assert.Equal(key, e.Key);
    }
}
