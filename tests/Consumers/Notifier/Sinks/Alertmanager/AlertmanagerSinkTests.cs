using System.Text;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Sinks.Alertmanager;
using Bridge.Notifier.Tests.Actions;

namespace Bridge.Notifier.Tests.Sinks.Alertmanager;

public sealed class AlertmanagerSinkTests : IAsyncLifetime
{
    private const string FiringJson =
        """[{"labels":{"alertname":"FlaggerCanaryFailed","canary":"podinfo","cluster":"prod-eu","namespace":"test","phase":"Failed","severity":"critical","team":"web"},"annotations":{"description":"Canary failed! Scaling down podinfo.test","summary":"Canary podinfo.test failed"},"startsAt":"2026-12-01T15:00:00.000Z","endsAt":"2026-12-02T15:00:00.000Z"}]""";

    private const string ResolvedJson =
        """[{"labels":{"alertname":"FlaggerCanaryFailed","canary":"podinfo","cluster":"prod-eu","namespace":"test","phase":"Failed","severity":"critical","team":"web"},"annotations":{"description":"Canary failed! Scaling down podinfo.test","summary":"Canary podinfo.test failed"},"startsAt":"2026-12-01T15:00:00.000Z","endsAt":"2026-12-01T15:30:00.000Z"}]""";

    private readonly ActionTestKit kit = new();
    private RecordingHttpServer server = null!;

    public async Task InitializeAsync() => server = await RecordingHttpServer.StartAsync();

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        kit.Dispose();
    }

    private Dictionary<string, string?> Config(params (string Key, string Value)[] extra)
    {
        var config = new Dictionary<string, string?>
        {
            ["url"] = server.BaseAddress.AbsoluteUri,
            ["labels:team"] = "web",
        };
        foreach ((string key, string value) in extra)
        {
            config[key] = value;
        }
        return config;
    }

    private static SinkMessage Failed(string phase = "Failed", string severity = "error") =>
        ActionTestKit.Message(ActionTestKit.Flagger("failed", phase: phase, severity: severity, message: "Canary failed! Scaling down podinfo.test"));

    private static SinkMessage Promoted() => ActionTestKit.Message(ActionTestKit.Flagger("promoted"));

    [Fact]
    public async Task DeliverAsync_FailedThenPromoted_FiresThenResolvesWithIdenticalLabels()
    {
        ISink sink = kit.Create("am", "alertmanager", Config());

        await sink.DeliverAsync(Failed(), CancellationToken.None);
        kit.Clock.Now += TimeSpan.FromMinutes(30);
        await sink.DeliverAsync(Promoted(), CancellationToken.None);

        IReadOnlyList<RecordedRequest> requests = server.Requests;
        Assert.Equal(2, requests.Count);
        Assert.All(requests, r => Assert.Equal("POST /api/v2/alerts", $"{r.Method} {r.PathAndQuery}"));
        Assert.All(requests, r => Assert.StartsWith("application/json", r.Header("Content-Type")));
        Assert.Equal(FiringJson, requests[0].BodyText);
        Assert.Equal(ResolvedJson, requests[1].BodyText);
        Assert.Equal(requests[0].Json[0].GetProperty("labels").GetRawText(), requests[1].Json[0].GetProperty("labels").GetRawText());
    }

    [Fact]
    public async Task DeliverAsync_PromotedAfterRestart_ResolvesFromTheDataDirectory()
    {
        await kit.Create("am", "alertmanager", Config()).DeliverAsync(Failed(), CancellationToken.None);
        kit.Stop();
        kit.Clock.Now += TimeSpan.FromMinutes(30);

        await kit.Create("am", "alertmanager", Config()).DeliverAsync(Promoted(), CancellationToken.None);

        Assert.Equal(ResolvedJson, server.Requests[1].BodyText);
    }

    [Fact]
    public async Task DeliverAsync_PromotedAfterReloadWithoutDataDirectory_ResolvesFromTheProcessState()
    {
        await kit.Create("am", "alertmanager", Config(), withDataDirectory: false).DeliverAsync(Failed(), CancellationToken.None);
        kit.Clock.Now += TimeSpan.FromMinutes(30);

        // A configuration reload: a new sink of the same name in the same process.
        await kit.Create("am", "alertmanager", Config(), withDataDirectory: false).DeliverAsync(Promoted(), CancellationToken.None);

        Assert.Equal(ResolvedJson, server.Requests[1].BodyText);
        Assert.False(Directory.Exists(Path.Combine(kit.DataDirectory, "alertmanager")));
    }

    [Fact]
    public async Task DeliverAsync_PromotedWithNothingFiring_SendsNothing()
    {
        ISink sink = kit.Create("am", "alertmanager", Config(), withDataDirectory: false);

        await sink.DeliverAsync(Promoted(), CancellationToken.None);
        await sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("weight.advanced", phase: "Progressing", message: "Advance podinfo.test canary weight 10")), CancellationToken.None);
        await sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("halted", phase: "Progressing", severity: "warn")), CancellationToken.None);

        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task DeliverAsync_RepeatedFailure_RefiresSameAlertWithNewEndsAt()
    {
        ISink sink = kit.Create("am", "alertmanager", Config(("resolveTimeout", "1h")));

        await sink.DeliverAsync(Failed(), CancellationToken.None);
        kit.Clock.Now += TimeSpan.FromMinutes(50);
        await sink.DeliverAsync(Failed(), CancellationToken.None);

        RecordedRequest second = server.Requests[1];
        Assert.Equal(1, second.Json.GetArrayLength());
        Assert.Equal("2026-12-01T15:00:00.000Z", second.Json[0].GetProperty("startsAt").GetString());
        Assert.Equal("2026-12-01T16:50:00.000Z", second.Json[0].GetProperty("endsAt").GetString());
    }

    [Fact]
    public async Task DeliverAsync_LaterFailureWithOtherLabels_ResolvesTheEarlierAlertInTheSameRequest()
    {
        ISink sink = kit.Create("am", "alertmanager", Config());
        await sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("rolledback", phase: "Progressing", severity: "warn", message: "Rolling back podinfo.test failed checks threshold reached 5")), CancellationToken.None);
        kit.Clock.Now += TimeSpan.FromMinutes(1);

        await sink.DeliverAsync(Failed(), CancellationToken.None);
        kit.Clock.Now += TimeSpan.FromMinutes(1);
        await sink.DeliverAsync(Promoted(), CancellationToken.None);

        RecordedRequest second = server.Requests[1];
        Assert.Equal(2, second.Json.GetArrayLength());
        Assert.Equal("warning", second.Json[0].GetProperty("labels").GetProperty("severity").GetString());
        Assert.Equal("2026-12-01T15:01:00.000Z", second.Json[0].GetProperty("endsAt").GetString());
        Assert.Equal("critical", second.Json[1].GetProperty("labels").GetProperty("severity").GetString());
        Assert.Equal("2026-12-01T15:01:00.000Z", second.Json[1].GetProperty("startsAt").GetString());
        RecordedRequest resolve = server.Requests[2];
        Assert.Equal(1, resolve.Json.GetArrayLength());
        Assert.Equal(second.Json[1].GetProperty("labels").GetRawText(), resolve.Json[0].GetProperty("labels").GetRawText());
        Assert.Equal("2026-12-01T15:02:00.000Z", resolve.Json[0].GetProperty("endsAt").GetString());
    }

    [Fact]
    public async Task DeliverAsync_ConfiguredLabelsAuthAndLinks_AreSent()
    {
        ISink sink = kit.Create("am", "alertmanager", Config(
            ("url", server.Url("alertmanager/").AbsoluteUri),
            ("alertname", "CanaryRolloutFailed"),
            ("severities:error", "page"),
            ("username", "flagger"), ("password", "s3cret"),
            ("annotations:runbook_url", "https://runbooks.example/{namespace}/{canary}"),
            ("generatorUrl", "https://grafana.example/d/flagger?var-canary={title}&var-msg={metadata.eventMessage}")));
        SinkMessage message = Failed();
        message = new SinkMessage { Notification = message.Notification, Route = message.Route, IdempotencyKey = message.IdempotencyKey, Text = "podinfo \"failed\"\nsee the runbook" };

        await sink.DeliverAsync(message, CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("/alertmanager/api/v2/alerts", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("flagger:s3cret")), request.Header("Authorization"));
        Assert.Equal(
            """[{"labels":{"alertname":"CanaryRolloutFailed","canary":"podinfo","cluster":"prod-eu","namespace":"test","phase":"Failed","severity":"page","team":"web"},"annotations":{"description":"podinfo \"failed\"\nsee the runbook","runbook_url":"https://runbooks.example/test/podinfo","summary":"Canary podinfo.test failed"},"startsAt":"2026-12-01T15:00:00.000Z","endsAt":"2026-12-02T15:00:00.000Z","generatorURL":"https://grafana.example/d/flagger?var-canary=podinfo.test&var-msg=Canary%20failed%21%20Scaling%20down%20podinfo.test"}]""",
            request.BodyText);
    }

    [Fact]
    public async Task DeliverAsync_EventWithoutClusterUsesStaticClusterLabel_AndBearerToken()
    {
        ISink sink = kit.Create("am", "alertmanager", Config(("labels:cluster", "fallback"), ("token", "am-token")));

        await sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("failed", phase: "Failed", severity: "error", cluster: "")), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("Bearer am-token", request.Header("Authorization"));
        Assert.Equal("fallback", request.Json[0].GetProperty("labels").GetProperty("cluster").GetString());
    }

    [Fact]
    public async Task DeliverAsync_AlertmanagerRefuses_ThrowsAndDoesNotRememberTheAlert()
    {
        server.Enqueue(new ScriptedResponse(400, """{"code":400,"message":"invalid label set"}"""));
        ISink sink = kit.Create("am", "alertmanager", Config());

        SinkException error = await Assert.ThrowsAsync<SinkException>(() => sink.DeliverAsync(Failed(), CancellationToken.None));
        await sink.DeliverAsync(Promoted(), CancellationToken.None);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Contains("invalid label set", error.Message);
        Assert.Single(server.Requests);
    }

    [Theory]
    [InlineData("url", null, "sinks.am.url")]
    [InlineData("url", "alertmanager:9093", "sinks.am.url")]
    [InlineData("labels:alertname", "Other", "sinks.am.labels.alertname")]
    [InlineData("labels:team-name", "web", "sinks.am.labels.team-name")]
    [InlineData("annotations:runbook-url", "x", "sinks.am.annotations.runbook-url")]
    [InlineData("resolveTimeout", "soon", "sinks.am.resolveTimeout")]
    [InlineData("resolveTimeout", "10s", "sinks.am.resolveTimeout")]
    [InlineData("severities:fatal", "page", "sinks.am.severities.fatal")]
    [InlineData("generatorUrl", "https://grafana/{nope}", "sinks.am.generatorUrl")]
    [InlineData("username", "flagger", "sinks.am.password")]
    [InlineData("password", "s3cret", "sinks.am.username")]
    public void Create_BadConfiguration_ErrorNamesKey(string key, string? value, string expectedKey)
    {
        Dictionary<string, string?> config = Config();
        config[key] = value;

        var error = Assert.Throws<NotifierConfigurationException>(() => kit.Create("am", "alertmanager", config));

        Assert.Equal(expectedKey, error.Key);
    }

    [Fact]
    public void Create_TokenAndBasicAuth_ErrorNamesToken()
    {
        var error = Assert.Throws<NotifierConfigurationException>(() => kit.Create("am", "alertmanager", Config(("token", "t"), ("username", "u"), ("password", "p"))));

        Assert.Equal("sinks.am.token", error.Key);
    }

    [Fact]
    public void Fires_SelectsFailuresAndErrors()
    {
        Assert.True(AlertmanagerSink.Fires(ActionTestKit.Flagger("failed", severity: "warn")));
        Assert.True(AlertmanagerSink.Fires(ActionTestKit.Flagger("rolledback", severity: "warn")));
        Assert.True(AlertmanagerSink.Fires(ActionTestKit.Flagger("event", severity: "error")));
        Assert.False(AlertmanagerSink.Fires(ActionTestKit.Flagger("promoted")));
        Assert.False(AlertmanagerSink.Fires(ActionTestKit.Flagger("halted", severity: "warn")));
    }
}
