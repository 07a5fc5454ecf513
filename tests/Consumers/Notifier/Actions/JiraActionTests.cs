using System.Text;
using System.Text.Json;
using Bridge.CloudEvents;
using Bridge.Notifier.Actions;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Tests.Actions;

public sealed class JiraActionTests : IAsyncLifetime
{
    private static readonly Dictionary<string, string> JiraMetadata = new() { ["jiraProject"] = "OPS", ["jiraIssue"] = "OPS-42" };

    private readonly ActionTestKit kit = new();
    private RecordingHttpServer server = null!;
    private string existingComments = """{"comments":[]}""";
    private string transitions = """{"transitions":[{"id":"21","name":"Start","to":{"name":"In Progress"}},{"id":"31","name":"Deploy","to":{"name":"Done"}}]}""";
    private string versions = """[{"id":"10000","name":"old","released":true},{"self":"https://acme.atlassian.net/rest/api/3/version/10001","id":"10001","name":"podinfo-85d557f47b","released":false}]""";

    public async Task InitializeAsync()
    {
        server = await RecordingHttpServer.StartAsync();
        // A small Jira: the answers its REST API gives to the calls the action makes.
        server.Responder = request => (request.Method, request.Path) switch
        {
            ("GET", "/rest/api/3/project/OPS/versions") => ScriptedResponse.Ok(versions),
            ("PUT", "/rest/api/3/version/10001") => ScriptedResponse.Ok("""{"id":"10001","released":true}"""),
            ("GET", "/rest/api/3/issue/OPS-42/comment") => ScriptedResponse.Ok(existingComments),
            ("POST", "/rest/api/3/issue/OPS-42/comment") => new ScriptedResponse(201, """{"self":"https://acme.atlassian.net/rest/api/3/issue/10042/comment/5","id":"5"}"""),
            ("GET", "/rest/api/3/issue/OPS-42/transitions") => ScriptedResponse.Ok(transitions),
            ("POST", "/rest/api/3/issue/OPS-42/transitions") => new ScriptedResponse(204),
            ("GET", "/rest/api/3/issue/OPS-42") => ScriptedResponse.Ok("""{"key":"OPS-42","fields":{"status":{"name":"Done"}}}"""),
            _ => new ScriptedResponse(404, """{"errorMessages":["Not found"]}"""),
        };
    }

    public async Task DisposeAsync()
    {
        await server.DisposeAsync();
        kit.Dispose();
    }

    private Dictionary<string, string?> Config(params string[] operations)
    {
        var config = new Dictionary<string, string?>
        {
            ["url"] = server.BaseAddress.AbsoluteUri,
            ["email"] = "ci@acme.io",
            ["token"] = "jira-token",
            ["transition"] = "Done",
        };
        for (int i = 0; i < operations.Length; i++)
        {
            config[$"operations:{i}"] = operations[i];
        }
        return config;
    }

    private static SinkMessage Promoted(IDictionary<string, string>? metadata = null) =>
        ActionTestKit.Message(ActionTestKit.Flagger("promoted", metadata: metadata ?? JiraMetadata));

    [Fact]
    public async Task DeliverAsync_AllOperations_ReleasesCommentsAndTransitionsWithPinnedRequests()
    {
        var sink = (JiraAction)kit.Create("jira", "jira", Config("transition", "comment", "releaseVersion"));
        string key = sink.IdempotencyKeyOf(Promoted().Notification);

        await sink.DeliverAsync(Promoted(), CancellationToken.None);

        IReadOnlyList<RecordedRequest> requests = server.Requests;
        Assert.Equal(
            [
                "GET /rest/api/3/project/OPS/versions",
                "PUT /rest/api/3/version/10001",
                "GET /rest/api/3/issue/OPS-42/comment?orderBy=-created&maxResults=100",
                "POST /rest/api/3/issue/OPS-42/comment",
                "GET /rest/api/3/issue/OPS-42/transitions",
                "POST /rest/api/3/issue/OPS-42/transitions",
            ],
            requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
        string basic = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ci@acme.io:jira-token"));
        Assert.All(requests, r => Assert.Equal(basic, r.Header("Authorization")));
        Assert.Equal("""{"released":true,"releaseDate":"2026-12-01"}""", requests[1].BodyText);
        Assert.Equal(
            """{"body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"Canary podinfo.test in cluster prod-eu was promoted (revision 85d557f47b): Promotion completed! Scaling down podinfo.test"}]},{"type":"paragraph","content":[{"type":"text","text":"flagger-bridge idempotency key: "},{"type":"text","text":"KEY","marks":[{"type":"code"}]}]}]}}""".Replace("KEY", key, StringComparison.Ordinal),
            requests[3].BodyText);
        Assert.Equal("""{"transition":{"id":"31"}}""", requests[5].BodyText);

        Assert.Equal(["jira.releaseVersion", "jira.comment", "jira.transition"], kit.Publisher.Events.Select(e => e.Data.ToJsonElement().GetProperty("action").GetString()));
        Assert.All(kit.Publisher.Events, e => Assert.Equal(ActionResultEvent.SucceededType, e.Type));
        JsonElement release = kit.Publisher.Events[0].Data.ToJsonElement();
        Assert.Equal("OPS/podinfo-85d557f47b", release.GetProperty("target").GetString());
        Assert.Equal("https://acme.atlassian.net/rest/api/3/version/10001", release.GetProperty("result").GetProperty("url").GetString());
        Assert.Equal("https://acme.atlassian.net/rest/api/3/issue/10042/comment/5", kit.Publisher.Events[1].Data.ToJsonElement().GetProperty("result").GetProperty("url").GetString());

        // Delivered again: nothing more reaches Jira.
        await sink.DeliverAsync(Promoted(), CancellationToken.None);
        Assert.Equal(6, server.Requests.Count);
    }

    [Fact]
    public async Task DeliverAsync_VersionFromMetadataNotFound_PublishesFailedAndThrows()
    {
        ISink sink = kit.Create("jira", "jira", Config("releaseVersion", "comment"));
        var metadata = new Dictionary<string, string>(JiraMetadata) { ["jiraVersion"] = "2.0.0" };

        SinkException error = await Assert.ThrowsAsync<SinkException>(() => sink.DeliverAsync(Promoted(metadata), CancellationToken.None));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.StatusCode);
        Assert.Contains("no version named '2.0.0'", error.Message);
        // The failed operation stops the run: the comment waits for a redelivery.
        Assert.Equal(["GET /rest/api/3/project/OPS/versions"], server.Requests.Select(r => $"{r.Method} {r.Path}"));
        CloudEvent failed = Assert.Single(kit.Publisher.Events);
        Assert.Equal(ActionResultEvent.FailedType, failed.Type);
        JsonElement data = failed.Data.ToJsonElement();
        Assert.Equal("jira.releaseVersion", data.GetProperty("action").GetString());
        Assert.Equal("OPS/2.0.0", data.GetProperty("target").GetString());
        Assert.Contains("no version named '2.0.0'", data.GetProperty("error").GetString());
    }

    [Fact]
    public async Task DeliverAsync_MissingIssueMetadata_FailsClearlyWithoutCallingJira()
    {
        ISink sink = kit.Create("jira", "jira", Config("comment"));

        SinkException error = await Assert.ThrowsAsync<SinkException>(() => sink.DeliverAsync(Promoted(new Dictionary<string, string>()), CancellationToken.None));

        Assert.False(error.IsTransient);
        Assert.Contains("metadata has no 'jiraIssue'", error.Message);
        Assert.Empty(server.Requests);
        CloudEvent failed = Assert.Single(kit.Publisher.Events);
        Assert.Equal(ActionResultEvent.FailedType, failed.Type);
        Assert.Contains("jiraIssue", failed.Data.ToJsonElement().GetProperty("error").GetString());
    }

    [Fact]
    public async Task DeliverAsync_InterruptedCommentAlreadyInJira_IsNotPostedAgain()
    {
        var sink = (JiraAction)kit.Create("jira", "jira", Config("comment"));
        string key = sink.IdempotencyKeyOf(Promoted().Notification);
        // The previous process recorded the start, posted the comment, and died before recording the end.
        sink.Ledger.Record(key + "/comment", ActionState.Started);
        existingComments = $$$"""{"comments":[{"self":"https://acme.atlassian.net/rest/api/3/issue/10042/comment/4","body":{"type":"doc","version":1,"content":[{"type":"paragraph","content":[{"type":"text","text":"{{{key}}}"}]}]}}]}""";

        await sink.DeliverAsync(Promoted(), CancellationToken.None);

        Assert.Equal(["GET /rest/api/3/issue/OPS-42/comment"], server.Requests.Select(r => $"{r.Method} {r.Path}"));
        JsonElement data = Assert.Single(kit.Publisher.Events).Data.ToJsonElement();
        Assert.Equal("comment already present", data.GetProperty("result").GetProperty("detail").GetString());
        Assert.Equal(ActionState.Succeeded, sink.Ledger.Get(key + "/comment")!.State);
    }

    [Fact]
    public async Task DeliverAsync_InterruptedWithSkipPolicy_ReportsAndNeverRuns()
    {
        Dictionary<string, string?> config = Config("transition");
        config["interrupted"] = "skip";
        var sink = (JiraAction)kit.Create("jira", "jira", config);
        string key = sink.IdempotencyKeyOf(Promoted().Notification);
        sink.Ledger.Record(key + "/transition", ActionState.Started);

        await sink.DeliverAsync(Promoted(), CancellationToken.None);
        await sink.DeliverAsync(Promoted(), CancellationToken.None);

        Assert.Empty(server.Requests);
        CloudEvent failed = Assert.Single(kit.Publisher.Events);
        Assert.Equal(ActionResultEvent.FailedType, failed.Type);
        Assert.Contains("not run again", failed.Data.ToJsonElement().GetProperty("error").GetString());
        Assert.Equal(ActionState.Abandoned, sink.Ledger.Get(key + "/transition")!.State);
    }

    [Fact]
    public async Task DeliverAsync_IssueAlreadyInTargetStatus_Succeeds()
    {
        transitions = """{"transitions":[{"id":"11","name":"Reopen","to":{"name":"Open"}}]}""";
        ISink sink = kit.Create("jira", "jira", Config("transition"));

        await sink.DeliverAsync(Promoted(), CancellationToken.None);

        Assert.DoesNotContain(server.Requests, r => r.Method == "POST");
        JsonElement data = Assert.Single(kit.Publisher.Events).Data.ToJsonElement();
        Assert.Equal("already Done", data.GetProperty("result").GetProperty("detail").GetString());
    }

    [Fact]
    public async Task DeliverAsync_TokenWithoutEmail_SendsBearer()
    {
        Dictionary<string, string?> config = Config("releaseVersion");
        config.Remove("email");
        ISink sink = kit.Create("jira", "jira", config);

        await sink.DeliverAsync(Promoted(), CancellationToken.None);

        Assert.All(server.Requests, r => Assert.Equal("Bearer jira-token", r.Header("Authorization")));
    }

    [Theory]
    [InlineData(null, "sinks.jira.operations")]
    [InlineData("deploy", "sinks.jira.operations")]
    [InlineData("url", "sinks.jira.url")]
    [InlineData("token", "sinks.jira.token")]
    [InlineData("transition", "sinks.jira.transition")]
    [InlineData("versionName", "sinks.jira.versionName")]
    public void Create_BadConfiguration_ErrorNamesKey(string? broken, string expectedKey)
    {
        Dictionary<string, string?> config = Config(broken is null ? [] : broken == "deploy" ? ["deploy"] : ["transition"]);
        if (broken is "url" or "token" or "transition")
        {
            config.Remove(broken);
        }
        if (broken == "versionName")
        {
            config["versionName"] = "{canary}-{version";
        }

        var error = Assert.Throws<NotifierConfigurationException>(() => kit.Create("jira", "jira", config));

        Assert.Equal(expectedKey, error.Key);
    }
}
