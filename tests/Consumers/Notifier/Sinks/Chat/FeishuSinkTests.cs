using System.Security.Cryptography;
using System.Text;
using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class FeishuSinkTests : IAsyncLifetime
{
    private RecordingHttpServer server = null!;

    public async Task InitializeAsync() => server = await RecordingHttpServer.StartAsync();

    public async Task DisposeAsync() => await server.DisposeAsync();

    private ISink Bot(string kind = "feishu", params string[] pairs)
    {
        var keys = new Dictionary<string, string?> { ["url"] = server.Url("/open-apis/bot/v2/hook/0d9c-hook").AbsoluteUri };
        for (int i = 0; i < pairs.Length; i += 2)
        {
            keys[pairs[i]] = pairs[i + 1];
        }
        return Create(kind, keys);
    }

    [Fact]
    public async Task DeliverAsync_Default_PostsPinnedCardUnsigned()
    {
        await Bot().DeliverAsync(Message(), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("/open-apis/bot/v2/hook/0d9c-hook", request.Path);
        AssertJson("""
            {
              "msg_type": "interactive",
              "card": {
                "config": {"wide_screen_mode": true},
                "header": {"template": "green", "title": {"tag": "plain_text", "content": "podinfo.test"}},
                "elements": [
                  {"tag": "div", "text": {"tag": "lark_md", "content": "Advance podinfo.test canary weight 10"}},
                  {"tag": "div", "fields": [
                    {"is_short": true, "text": {"tag": "lark_md", "content": "**Phase**\nProgressing"}},
                    {"is_short": true, "text": {"tag": "lark_md", "content": "**Severity**\ninfo"}},
                    {"is_short": true, "text": {"tag": "lark_md", "content": "**Cluster**\nflagger-test"}},
                    {"is_short": true, "text": {"tag": "lark_md", "content": "**Type**\nweight.advanced"}}]},
                  {"tag": "action", "actions": [{"tag": "button", "type": "default", "text": {"tag": "plain_text", "content": "dashboard"}, "url": "https://grafana.example.com/d/podinfo?var-ns=test"}]},
                  {"tag": "note", "elements": [{"tag": "plain_text", "content": "2025-01-10 09:06:40 UTC"}]}
                ]
              }
            }
            """, request.Json);
    }

    [Fact]
    public async Task DeliverAsync_LarkText_PostsPinnedText()
    {
        await Bot("lark", "msgType", "text").DeliverAsync(Message(Notification(severity: "error", message: "Canary failed! Scaling down podinfo.test", type: "app.flagger.canary.failed", phase: "Failed")), CancellationToken.None);

        AssertJson("""
            {
              "msg_type": "text",
              "content": {"text": "podinfo.test\nCanary failed! Scaling down podinfo.test\nPhase: Failed\nSeverity: error\nCluster: flagger-test\nType: failed\nTime: 2025-01-10 09:06:40 UTC\ndashboard: https://grafana.example.com/d/podinfo?var-ns=test"}
            }
            """, Assert.Single(server.Requests).Json);
    }

    [Theory]
    [InlineData("warn", "orange")]
    [InlineData("error", "red")]
    public async Task DeliverAsync_Severity_ColoursTheHeader(string severity, string template)
    {
        await Bot().DeliverAsync(Message(Notification(severity: severity)), CancellationToken.None);

        Assert.Equal(template, Assert.Single(server.Requests).Json.GetProperty("card").GetProperty("header").GetProperty("template").GetString());
    }

    [Fact]
    public async Task DeliverAsync_Secret_SignsTheBodyAsFeishuVerifiesIt()
    {
        const string secret = "demo-secret+/=";
        await Bot("feishu", "secret", secret).DeliverAsync(Message(), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        string timestamp = request.Json.GetProperty("timestamp").GetString()!;
        Assert.Equal(Now.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), timestamp);
        // Feishu's documented check: the key is timestamp + "\n" + secret, the data signed is empty.
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(timestamp + "\n" + secret));
        Assert.Equal(Convert.ToBase64String(hmac.ComputeHash([])), request.Json.GetProperty("sign").GetString());
        Assert.Equal("interactive", request.Json.GetProperty("msg_type").GetString());
    }

    [Fact]
    public async Task DeliverAsync_SecretAndRouteBody_SignsTheRouteBody()
    {
        const string secret = "s3cret";
        await Bot("feishu", "secret", secret).DeliverAsync(Message(body: """{"msg_type":"text","content":{"text":"custom"}}"""), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        string timestamp = request.Json.GetProperty("timestamp").GetString()!;
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes(timestamp + "\n" + secret));
        AssertJson($$"""{"msg_type":"text","content":{"text":"custom"},"timestamp":"{{timestamp}}","sign":"{{Convert.ToBase64String(hmac.ComputeHash([]))}}"}""", request.Json);
    }

    [Theory]
    [InlineData("""{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}""", "19021", false)]
    [InlineData("""{"code":11232,"msg":"frequency limited"}""", "11232", true)]
    [InlineData("""{"StatusCode":9499,"StatusMessage":"Bad Request"}""", "9499", false)]
    public async Task DeliverAsync_CodeInA200_ThrowsSinkException(string answer, string code, bool transient)
    {
        server.Enqueue(ScriptedResponse.Ok(answer));

        SinkException e = await Assert.ThrowsAsync<SinkException>(() => Bot().DeliverAsync(Message(), CancellationToken.None));

        Assert.Contains(code, e.Message, StringComparison.Ordinal);
        Assert.Equal(transient, e.IsTransient);
    }

    [Theory]
    [InlineData("""{"code":0,"msg":"success","data":{}}""")]
    [InlineData("""{"StatusCode":0,"StatusMessage":"success"}""")]
    public async Task DeliverAsync_CodeZero_Succeeds(string answer)
    {
        server.Enqueue(ScriptedResponse.Ok(answer));

        await Bot().DeliverAsync(Message(), CancellationToken.None);

        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("feishu", new[] { "secret", "s" }, "sinks.chat.url")]
    [InlineData("lark", new[] { "url", "https://open.larksuite.com/open-apis/bot/v2/hook/x", "msgType", "post" }, "sinks.chat.msgType")]
    [InlineData("feishu", new[] { "url", "https://open.feishu.cn/open-apis/bot/v2/hook/x", "secretEnv", "BRIDGE_TEST_FEISHU_SECRET_THAT_IS_NOT_SET" }, "sinks.chat.secretEnv")]
    public void Create_BadConfiguration_NamesTheKey(string kind, string[] pairs, string key)
    {
        var keys = new Dictionary<string, string?>();
        for (int i = 0; i < pairs.Length; i += 2)
        {
            keys[pairs[i]] = pairs[i + 1];
        }

        NotifierConfigurationException e = Assert.Throws<NotifierConfigurationException>(() => Create(kind, keys));

        Assert.Equal(key, e.Key);
    }
}
