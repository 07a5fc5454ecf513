using System.Net;
using System.Net.Http.Headers;
using Bridge.Server.Tests.Hosting;

namespace Bridge.Server.Tests.Ingress;

/// <summary>
/// <c>POST /v1/events</c> with a token limited to namespace <c>test</c>: every attribute a consumer may
/// attribute a namespace by must name <c>test</c>, and Flagger's source and types stay Flagger's.
/// </summary>
public sealed class CloudEventIngressScopeTests(AuthHostFixture fixture) : IClassFixture<AuthHostFixture>
{
    private BridgeTestServer Server => fixture.Server;

    [Fact]
    public async Task HandleAsync_ScopedTokenPostsProdFlaggerEventUnderOwnNamespace_403NothingPublished()
    {
        using var request = Event(AuthHostFixture.TestOnlyToken, "forged-1", source: "/flagger", type: "app.flagger.canary.rolledback",
            partitionKey: "prod/podinfo", subject: "prod/podinfo", @namespace: "test");

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 403));

        Assert.Contains("partitionkey 'prod/podinfo'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ScopedTokenSubjectInOtherNamespace_403()
    {
        using var request = Event(AuthHostFixture.TestOnlyToken, "subject-1", partitionKey: "test/app", subject: "prod/app");

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 403));

        Assert.Contains("subject 'prod/app'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ScopedTokenPartitionKeyWithoutNamespace_403()
    {
        using var request = Event(AuthHostFixture.TestOnlyToken, "key-1", partitionKey: "podinfo", @namespace: "test");

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 403));

        Assert.Contains("partitionkey 'podinfo'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/flagger")]
    [InlineData("/flagger/clusters/prod-eu")]
    [InlineData("/FLAGGER")]
    public async Task HandleAsync_ScopedTokenWithFlaggerSource_403NamingTheReservation(string source)
    {
        using var request = Event(AuthHostFixture.TestOnlyToken, "source-1", source: source, partitionKey: "test/podinfo");

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 403));

        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("Flagger:Source", detail, StringComparison.Ordinal);
        Assert.Contains("/v1/flagger/events", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ScopedTokenWithFlaggerType_403()
    {
        using var request = Event(AuthHostFixture.TestOnlyToken, "type-1", type: "app.flagger.canary.promoted", partitionKey: "test/podinfo");

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 403));

        Assert.Contains("app.flagger.canary.", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ScopedTokenBatchWithOneFlaggerSource_403NothingPublished()
    {
        const string Batch = """
            [{"specversion":"1.0","id":"sb-ok","source":"/ci","type":"t","partitionkey":"test/a","subject":"test/a"},
             {"specversion":"1.0","id":"sb-no","source":"/flagger","type":"t","partitionkey":"test/a"}]
            """;

        var response = await fixture.AssertNothingPublishedAsync(() =>
            Server.PostJsonAsync($"/v1/events?token={AuthHostFixture.TestOnlyToken}", Batch, "application/cloudevents-batch+json"));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 403);
        Assert.Contains("event 1 of the batch (id 'sb-no')", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_ScopedTokenEverythingInScope_202()
    {
        using var request = Event(AuthHostFixture.TestOnlyToken, "in-scope-1", partitionKey: "test/podinfo", subject: "test/podinfo", @namespace: "test");

        Assert.Equal(HttpStatusCode.Accepted, (await Server.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task HandleAsync_UnscopedTokenReplaysFlaggerEvent_202()
    {
        using var request = Event(AuthHostFixture.AdminToken, "replay-1", source: "/flagger", type: "app.flagger.canary.rolledback",
            partitionKey: "prod/podinfo", subject: "prod/podinfo", @namespace: "prod");

        Assert.Equal(HttpStatusCode.Accepted, (await Server.Client.SendAsync(request)).StatusCode);
    }

    private static HttpRequestMessage Event(
        string token, string id, string source = "/ci", string type = "com.example.build.finished",
        string? partitionKey = null, string? subject = null, string? @namespace = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = BridgeTestServer.Json("{}") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", id);
        request.Headers.Add("ce-source", source);
        request.Headers.Add("ce-type", type);
        if (partitionKey is not null)
        {
            request.Headers.Add("ce-partitionkey", partitionKey);
        }

        if (subject is not null)
        {
            request.Headers.Add("ce-subject", subject);
        }

        if (@namespace is not null)
        {
            request.Headers.Add("ce-namespace", @namespace);
        }

        return request;
    }
}
