using System.Text.Json;
using Bridge.CloudEvents;
using Bridge.Notifier.Actions;
using Bridge.Notifier.Sinks;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Bridge.Notifier.Tests.Actions;

public sealed class GitHubActionTests : IAsyncLifetime
{
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
            ["repository"] = "acme/podinfo-deploy",
            ["token"] = "ghp_secret",
            ["apiUrl"] = server.BaseAddress.AbsoluteUri,
        };
        foreach ((string key, string value) in extra)
        {
            config[key] = value;
        }
        return config;
    }

    [Fact]
    public async Task DeliverAsync_Promoted_PostsRepositoryDispatchWithPinnedPayload()
    {
        server.Enqueue(new ScriptedResponse(204));
        ISink sink = kit.Create("gh", "github", Config());

        await sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("promoted", metadata: new Dictionary<string, string> { ["team"] = "web" })), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/repos/acme/podinfo-deploy/dispatches", request.PathAndQuery);
        Assert.Equal("Bearer ghp_secret", request.Header("Authorization"));
        Assert.Equal("application/vnd.github+json", request.Header("Accept"));
        Assert.Equal("2022-11-28", request.Header("X-GitHub-Api-Version"));
        Assert.StartsWith("flagger-bridge-notifier/", request.Header("User-Agent"));
        Assert.Equal(
            """{"event_type":"flagger-promoted","client_payload":{"idempotency_key":"flagger-ebc422aac517b8a98e8dd0c8fbaa4b62","outcome":"promoted","namespace":"test","canary":"podinfo","checksum":"85d557f47b","cluster":"prod-eu","phase":"Succeeded","message":"Promotion completed! Scaling down podinfo.test","event":{"id":"test-podinfo-promoted-85d557f47b","source":"/flagger/prod-eu","type":"app.flagger.canary.promoted"},"metadata":{"eventMessage":"Promotion completed! Scaling down podinfo.test","team":"web"}}}""",
            request.BodyText);
        CloudEvent result = Assert.Single(kit.Publisher.Events);
        Assert.Equal(ActionResultEvent.SucceededType, result.Type);
        Assert.Equal("test/podinfo", result["partitionkey"]);
        JsonElement data = result.Data.ToJsonElement();
        Assert.Equal("github.repository_dispatch", data.GetProperty("action").GetString());
        Assert.Equal("acme/podinfo-deploy", data.GetProperty("target").GetString());
        Assert.Equal("promoted", data.GetProperty("outcome").GetString());
        Assert.Equal("test-podinfo-promoted-85d557f47b", data.GetProperty("eventId").GetString());
        Assert.Equal(204, data.GetProperty("result").GetProperty("status").GetInt32());
        Assert.Equal(server.Url("acme/podinfo-deploy/actions").AbsoluteUri, data.GetProperty("result").GetProperty("url").GetString());
        Assert.False(data.TryGetProperty("error", out _));
    }

    [Fact]
    public async Task DeliverAsync_Workflow_PostsWorkflowDispatchWithRenderedInputs()
    {
        server.Enqueue(new ScriptedResponse(204));
        ISink sink = kit.Create("gh", "github", Config(
            ("workflow", "post-rollout.yaml"), ("ref", "main"),
            ("inputs:canary", "{namespace}/{canary}"), ("inputs:key", "{idempotencyKey}"), ("inputs:version", "{metadata.version}")));

        await sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("promoted", metadata: new Dictionary<string, string> { ["version"] = "1.2.3" })), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("/repos/acme/podinfo-deploy/actions/workflows/post-rollout.yaml/dispatches", request.Path);
        Assert.Equal(
            """{"ref":"main","inputs":{"canary":"test/podinfo","key":"flagger-ebc422aac517b8a98e8dd0c8fbaa4b62","version":"1.2.3"}}""",
            request.BodyText);
    }

    [Fact]
    public async Task DeliverAsync_SameEventThreeTimesAndAfterRestart_CallsTargetOnce()
    {
        server.Responder = _ => new ScriptedResponse(204);
        ISink sink = kit.Create("gh", "github", Config());
        SinkMessage message = ActionTestKit.Message(ActionTestKit.Flagger("promoted"));

        for (int i = 0; i < 3; i++)
        {
            await sink.DeliverAsync(message, CancellationToken.None);
        }
        // A new process: new services, new ledger instance over the same data directory.
        kit.Stop();
        ISink restarted = kit.Create("gh", "github", Config());
        await restarted.DeliverAsync(message, CancellationToken.None);
        // Another event ending the same rollout the same way (Flagger repeating itself, a new id) is the same rollout.
        await restarted.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("promoted", id: "another-id")), CancellationToken.None);

        Assert.Single(server.Requests);
        Assert.Single(kit.Publisher.Events);
    }

    [Fact]
    public async Task DeliverAsync_ConcurrentDeliveriesThroughTwoRoutes_CallTargetOnce()
    {
        server.Responder = _ => new ScriptedResponse(204);
        ISink sink = kit.Create("gh", "github", Config());
        Bridge.Notifier.Model.Notification promoted = ActionTestKit.Flagger("promoted");

        await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            Task.Run(() => sink.DeliverAsync(ActionTestKit.Message(promoted, route: "route-" + (i % 2)), CancellationToken.None))));

        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task DeliverAsync_NextRollout_RunsAgain()
    {
        server.Responder = _ => new ScriptedResponse(204);
        ISink sink = kit.Create("gh", "github", Config());

        await sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("promoted", checksum: "aaaa")), CancellationToken.None);
        await sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("promoted", checksum: "bbbb")), CancellationToken.None);

        Assert.Equal(2, server.Requests.Count);
        Assert.NotEqual(server.Requests[0].Json.GetProperty("client_payload").GetProperty("idempotency_key").GetString(),
            server.Requests[1].Json.GetProperty("client_payload").GetProperty("idempotency_key").GetString());
    }

    [Fact]
    public async Task DeliverAsync_OutcomeNotSelected_DoesNothing()
    {
        server.Responder = _ => new ScriptedResponse(204);
        ISink onPromoted = kit.Create("gh", "github", Config());
        ISink onFailures = kit.Create("gh-fail", "github", Config(("on:0", "failed"), ("on:1", "rolledback")));

        await onPromoted.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("failed", phase: "Failed", severity: "error")), CancellationToken.None);
        await onPromoted.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("weight.advanced", phase: "Progressing")), CancellationToken.None);
        await onFailures.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("promoted")), CancellationToken.None);
        Assert.Empty(server.Requests);

        await onFailures.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("rolledback", phase: "Progressing", severity: "warn")), CancellationToken.None);
        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("flagger-rolledback", request.Json.GetProperty("event_type").GetString());
        Assert.Equal(0, new FileInfo(kit.LedgerPath("gh")).Length);
    }

    [Fact]
    public async Task DeliverAsync_TargetFailsAfterRetries_PublishesFailedAndThrows()
    {
        kit.Http = new HttpClient(new ResilienceHandler(new ResiliencePipelineBuilder<HttpResponseMessage>()
            .AddRetry(new HttpRetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.FromMilliseconds(1), BackoffType = DelayBackoffType.Constant })
            .Build())
        {
            InnerHandler = new SocketsHttpHandler(),
        });
        server.Responder = _ => new ScriptedResponse(500, """{"message":"Server Error"}""");
        ISink sink = kit.Create("gh", "github", Config());
        SinkMessage message = ActionTestKit.Message(ActionTestKit.Flagger("promoted"));

        SinkException error = await Assert.ThrowsAsync<SinkException>(() => sink.DeliverAsync(message, CancellationToken.None));

        Assert.Equal(3, server.Requests.Count);
        Assert.Equal(System.Net.HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.True(error.IsTransient);
        CloudEvent failed = Assert.Single(kit.Publisher.Events);
        Assert.Equal(ActionResultEvent.FailedType, failed.Type);
        JsonElement data = failed.Data.ToJsonElement();
        Assert.Equal(500, data.GetProperty("result").GetProperty("status").GetInt32());
        Assert.Contains("500", data.GetProperty("error").GetString());
        Assert.Equal("acme/podinfo-deploy", data.GetProperty("target").GetString());

        // A failure is not a run: the next delivery tries again, and its success is recorded.
        server.Responder = _ => new ScriptedResponse(204);
        await sink.DeliverAsync(message, CancellationToken.None);
        Assert.Equal(4, server.Requests.Count);
        Assert.Equal(ActionResultEvent.SucceededType, kit.Publisher.Events[^1].Type);
    }

    [Theory]
    [InlineData("repository", "acme", "sinks.gh.repository")]
    [InlineData("token", "", "sinks.gh.token")]
    [InlineData("apiUrl", "not a url", "sinks.gh.apiUrl")]
    [InlineData("eventType", "deploy-{nope}", "sinks.gh.eventType")]
    [InlineData("ref", "main", "sinks.gh.ref")]
    [InlineData("workflow", "deploy.yaml", "sinks.gh.ref")]
    [InlineData("on", "released", "sinks.gh.on")]
    [InlineData("interrupted", "maybe", "sinks.gh.interrupted")]
    [InlineData("ledger", "sqlite", "sinks.gh.ledger")]
    [InlineData("ledgerRetention", "soon", "sinks.gh.ledgerRetention")]
    public void Create_BadValue_ErrorNamesKey(string key, string value, string expectedKey)
    {
        Dictionary<string, string?> config = Config();
        config[key] = value;

        var error = Assert.Throws<NotifierConfigurationException>(() => kit.Create("gh", "github", config));

        Assert.Equal(expectedKey, error.Key);
    }

    [Fact]
    public void Create_NoDataDirectory_RequiresLedgerChoice()
    {
        var error = Assert.Throws<NotifierConfigurationException>(() => kit.Create("gh", "github", Config(), withDataDirectory: false));
        Assert.Equal("sinks.gh.ledger", error.Key);
        Assert.Contains("DataDirectory", error.Message);

        ISink sink = kit.Create("gh", "github", Config(("ledger", "memory")), withDataDirectory: false);
        Assert.Equal("github", sink.Kind);
    }
}
