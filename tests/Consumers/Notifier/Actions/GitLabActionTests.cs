using System.Text.Json;
using Bridge.CloudEvents;
using Bridge.Notifier.Actions;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Tests.Actions;

public sealed class GitLabActionTests : IAsyncLifetime
{
    private readonly ActionTestKit kit = new();
    private RecordingHttpServer server = null!;

    public async Task InitializeAsync() => server = await RecordingHttpServer.StartAsync();

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        kit.Dispose();
    }

    private Dictionary<string, string?> Config() => new()
    {
        ["project"] = "platform/podinfo",
        ["token"] = "glptt-secret",
        ["ref"] = "main",
        ["apiUrl"] = server.Url("api/v4").AbsoluteUri,
        ["variables:DEPLOY_ENV"] = "{cluster}",
        ["variables:FLAGGER_CLUSTER"] = "overridden-{cluster}",
    };

    [Fact]
    public async Task DeliverAsync_Failed_TriggersPipelineWithPinnedForm()
    {
        server.Enqueue(new ScriptedResponse(201, """{"id":4711,"web_url":"https://gitlab.example/platform/podinfo/-/pipelines/4711"}"""));
        Dictionary<string, string?> config = Config();
        config["on"] = "failed";
        ISink sink = kit.Create("gl", "gitlab", config);

        await sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("failed", phase: "Failed", severity: "error", message: "Canary failed! Scaling down podinfo.test")), CancellationToken.None);

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/api/v4/projects/platform%2Fpodinfo/trigger/pipeline", request.PathAndQuery);
        Assert.Equal("application/x-www-form-urlencoded", request.Header("Content-Type"));
        string key = ((GitLabAction)sink).IdempotencyKeyOf(ActionTestKit.Flagger("failed"));
        Assert.Equal(
            "token=glptt-secret&ref=main"
            + "&variables%5BDEPLOY_ENV%5D=prod-eu"
            + "&variables%5BFLAGGER_CANARY%5D=podinfo"
            + "&variables%5BFLAGGER_CHECKSUM%5D=85d557f47b"
            + "&variables%5BFLAGGER_CLUSTER%5D=overridden-prod-eu"
            + "&variables%5BFLAGGER_EVENT_ID%5D=test-podinfo-failed-85d557f47b"
            + $"&variables%5BFLAGGER_IDEMPOTENCY_KEY%5D={key}"
            + "&variables%5BFLAGGER_NAMESPACE%5D=test"
            + "&variables%5BFLAGGER_OUTCOME%5D=failed",
            request.BodyText);
        CloudEvent result = Assert.Single(kit.Publisher.Events);
        Assert.Equal(ActionResultEvent.SucceededType, result.Type);
        JsonElement data = result.Data.ToJsonElement();
        Assert.Equal("gitlab.pipeline", data.GetProperty("action").GetString());
        Assert.Equal("platform/podinfo@main", data.GetProperty("target").GetString());
        Assert.Equal("failed", data.GetProperty("outcome").GetString());
        Assert.Equal(201, data.GetProperty("result").GetProperty("status").GetInt32());
        Assert.Equal("https://gitlab.example/platform/podinfo/-/pipelines/4711", data.GetProperty("result").GetProperty("url").GetString());
    }

    [Fact]
    public async Task DeliverAsync_TargetRefuses_PublishesFailedAndThrows()
    {
        server.Enqueue(new ScriptedResponse(404, """{"message":"404 Project Not Found"}"""));
        ISink sink = kit.Create("gl", "gitlab", Config());

        SinkException error = await Assert.ThrowsAsync<SinkException>(() => sink.DeliverAsync(ActionTestKit.Message(ActionTestKit.Flagger("promoted")), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.False(error.IsTransient);
        CloudEvent failed = Assert.Single(kit.Publisher.Events);
        Assert.Equal(ActionResultEvent.FailedType, failed.Type);
        Assert.Contains("404 Project Not Found", failed.Data.ToJsonElement().GetProperty("error").GetString());
    }

    [Theory]
    [InlineData("project", "sinks.gl.project")]
    [InlineData("token", "sinks.gl.token")]
    [InlineData("ref", "sinks.gl.ref")]
    public void Create_MissingKey_ErrorNamesKey(string key, string expectedKey)
    {
        Dictionary<string, string?> config = Config();
        config.Remove(key);

        var error = Assert.Throws<NotifierConfigurationException>(() => kit.Create("gl", "gitlab", config));

        Assert.Equal(expectedKey, error.Key);
    }

    [Fact]
    public void Create_TokenFromMissingEnvironmentVariable_ErrorNamesKey()
    {
        Dictionary<string, string?> config = Config();
        config.Remove("token");
        config["tokenEnv"] = "NOTIFIER_TEST_GITLAB_TOKEN_THAT_IS_NOT_SET";

        var error = Assert.Throws<NotifierConfigurationException>(() => kit.Create("gl", "gitlab", config));

        Assert.Equal("sinks.gl.tokenEnv", error.Key);
    }
}
