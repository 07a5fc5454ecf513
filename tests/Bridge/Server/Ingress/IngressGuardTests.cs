using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using Bridge.Server.Tests.Hosting;

namespace Bridge.Server.Tests.Ingress;

/// <summary>A host with tokens: one for every namespace, one limited to "test", one read from a file.</summary>
public sealed class AuthHostFixture : IngressHostFixture
{
    public const string AdminToken = "admin-token-0123456789";
    public const string TestOnlyToken = "test-only-token-abcdef";
    public const string FileToken = "file-token-zyxwvutsrq";

    private readonly string _tokenFile = Path.Combine(Path.GetTempPath(), $"bridge-token-{Guid.NewGuid():N}");

    protected override IEnumerable<KeyValuePair<string, string?>> Settings()
    {
        File.WriteAllText(_tokenFile, FileToken + "\n");
        return new Dictionary<string, string?>
        {
            ["Auth:Tokens:0:Name"] = "admin",
            ["Auth:Tokens:0:Token"] = AdminToken,
            ["Auth:Tokens:1:Name"] = "test-only",
            ["Auth:Tokens:1:Token"] = TestOnlyToken,
            ["Auth:Tokens:1:Namespaces:0"] = "test",
            ["Auth:Tokens:2:Name"] = "mounted",
            ["Auth:Tokens:2:TokenFile"] = _tokenFile,
        };
    }
}

public sealed class IngressGuardTests(AuthHostFixture fixture) : IClassFixture<AuthHostFixture>
{
    private BridgeTestServer Server => fixture.Server;

    [Fact]
    public async Task AdmitAsync_NoCredentials_401WithChallengeNothingPublished()
    {
        var response = await fixture.AssertNothingPublishedAsync(() => Server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event()));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 401);
        Assert.StartsWith("Bearer", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("Authorization: Bearer <token>", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_WrongBearerToken_401NothingPublished()
    {
        using var request = Post("/v1/flagger/events", FlaggerPayloads.Event());
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "wrong-token-0123456789");

        var response = await fixture.AssertNothingPublishedAsync(() => Server.Client.SendAsync(request));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 401);
        Assert.Contains("invalid_token", response.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Contains("not accepted", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_WrongQueryToken_401()
    {
        var response = await fixture.AssertNothingPublishedAsync(() => Server.PostJsonAsync("/v1/flagger/events?token=nope-nope-nope-nope", FlaggerPayloads.Event()));

        await BridgeTestServer.ReadProblemAsync(response, 401);
    }

    [Fact]
    public async Task AdmitAsync_BasicAuthorization_401Malformed()
    {
        using var request = Post("/v1/flagger/events", FlaggerPayloads.Event());
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", "YWRtaW46eA==");

        var problem = await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 401);

        Assert.Contains("must be 'Bearer <token>'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_BearerToken_202()
    {
        using var request = Post("/v1/flagger/events", FlaggerPayloads.Event(timestamp: 1736500001001));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AuthHostFixture.AdminToken);

        Assert.Equal(HttpStatusCode.Accepted, (await Server.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task AdmitAsync_QueryToken_202()
    {
        var response = await Server.PostJsonAsync($"/v1/flagger/events?token={AuthHostFixture.AdminToken}", FlaggerPayloads.Event(timestamp: 1736500001002));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task AdmitAsync_TokenFromFile_202()
    {
        var response = await Server.PostJsonAsync($"/v1/flagger/events?token={AuthHostFixture.FileToken}", FlaggerPayloads.Event(timestamp: 1736500001003));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task Identify_ValidHmacSignature_202()
    {
        var payload = FlaggerPayloads.Event(timestamp: 1736500001004);
        using var request = Post("/v1/flagger/events", payload);
        request.Headers.Add("X-Signature", Sign(AuthHostFixture.AdminToken, payload));

        Assert.Equal(HttpStatusCode.Accepted, (await Server.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task Identify_SignatureOfOtherBody_401NothingPublished()
    {
        using var request = Post("/v1/flagger/events", FlaggerPayloads.Event(timestamp: 1736500001005));
        request.Headers.Add("X-Signature", Sign(AuthHostFixture.AdminToken, FlaggerPayloads.Event(timestamp: 1)));

        var response = await fixture.AssertNothingPublishedAsync(() => Server.Client.SendAsync(request));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 401);
        Assert.Contains("X-Signature header does not match the body", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identify_SignatureWithUnknownKey_401()
    {
        var payload = FlaggerPayloads.Event(timestamp: 1736500001006);
        using var request = Post("/v1/flagger/events", payload);
        request.Headers.Add("X-Signature", Sign("some-other-key-0123456789", payload));

        await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 401);
    }

    [Fact]
    public async Task AdmitAsync_MalformedSignature_401()
    {
        using var request = Post("/v1/flagger/events", FlaggerPayloads.Event());
        request.Headers.Add("X-Signature", "md5=abc");

        var problem = await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 401);

        Assert.Contains("sha256=", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizeAsync_RestrictedTokenOtherNamespace_403NamingItNothingPublished()
    {
        var response = await fixture.AssertNothingPublishedAsync(() =>
            Server.PostJsonAsync($"/v1/flagger/events?token={AuthHostFixture.TestOnlyToken}", FlaggerPayloads.Event(ns: "prod")));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 403);
        Assert.Contains("'test-only' may not send events for namespace 'prod'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizeAsync_RestrictedTokenOwnNamespace_202()
    {
        var response = await Server.PostJsonAsync($"/v1/flagger/hooks/pre-rollout?token={AuthHostFixture.TestOnlyToken}", FlaggerPayloads.Hook(ns: "test"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public async Task AuthorizeAsync_CloudEventsOfRestrictedToken_CheckedPerEvent()
    {
        using var allowed = CloudEventIngressTests.Binary("auth-1", partitionKey: "test/app", data: "{}");
        allowed.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AuthHostFixture.TestOnlyToken);
        using var otherNamespace = CloudEventIngressTests.Binary("auth-2", partitionKey: "test/app", data: "{}", @namespace: "prod");
        otherNamespace.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AuthHostFixture.TestOnlyToken);
        using var noNamespace = CloudEventIngressTests.Binary("auth-3", partitionKey: null, data: "{}");
        noNamespace.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AuthHostFixture.TestOnlyToken);

        Assert.Equal(HttpStatusCode.Accepted, (await Server.Client.SendAsync(allowed)).StatusCode);
        var denied = await fixture.AssertNothingPublishedAsync(async () => await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(otherNamespace), 403));
        var anonymous = await fixture.AssertNothingPublishedAsync(async () => await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(noNamespace), 403));
        Assert.Contains("namespace 'prod'", denied.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("names no namespace", anonymous.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthorizeAsync_BatchWithOneForbiddenEvent_403NothingPublished()
    {
        const string Batch = """
            [{"specversion":"1.0","id":"b-ok","source":"/s","type":"t","partitionkey":"test/a"},
             {"specversion":"1.0","id":"b-no","source":"/s","type":"t","partitionkey":"prod/a"}]
            """;

        var response = await fixture.AssertNothingPublishedAsync(() =>
            Server.PostJsonAsync($"/v1/events?token={AuthHostFixture.TestOnlyToken}", Batch, "application/cloudevents-batch+json"));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 403);
        Assert.Contains("event 1 of the batch (id 'b-no')", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Identify_SignedCloudEvent_202()
    {
        const string Event = """{"specversion":"1.0","id":"signed-1","source":"/s","type":"t","partitionkey":"test/a"}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = BridgeTestServer.Json(Event, "application/cloudevents+json") };
        request.Headers.Add("X-Signature", Sign(AuthHostFixture.TestOnlyToken, Event));

        var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Fact]
    public void Start_WithTokens_LogsTokenNamesNotOpenWarning()
    {
        var entries = Server.Logs.Entries;

        Assert.DoesNotContain(entries, e => e.EventId.Id == 1450);
        var loaded = Assert.Single(entries, e => e.EventId.Id == 1451);
        Assert.Contains("admin, test-only, mounted", loaded.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(AuthHostFixture.AdminToken, string.Join("\n", entries.Select(e => e.Message)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmitAsync_OverRateLimit_429WithRetryAfterNothingPublished()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Kafka:EmbeddedBrokers"] = "1",
            ["Ingress:RateLimit:PermitsPerSecond"] = "1",
            ["Ingress:RateLimit:Burst"] = "2",
        });

        // All arrive within milliseconds: the bucket of 2 lets 2 through (3 if a refill tick falls between).
        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(timestamp: 1736500004000 + i))));
        var health = await server.Client.GetAsync("/healthz");

        var accepted = responses.Count(r => r.StatusCode == HttpStatusCode.Accepted);
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToArray();
        Assert.InRange(accepted, 2, 3);
        Assert.Equal(6, accepted + limited.Length);
        var problem = await BridgeTestServer.ReadProblemAsync(limited[0], 429);
        Assert.InRange(limited[0].Headers.RetryAfter?.Delta?.TotalSeconds ?? 0, 1, 2);
        Assert.Contains("Ingress:RateLimit", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        var metrics = await server.Client.GetStringAsync("/metrics");
        Assert.Contains($"bridge_ingress_events_accepted_total{{type=\"app.flagger.canary.weight.advanced\"}} {accepted}\n", metrics, StringComparison.Ordinal);
    }

    private static HttpRequestMessage Post(string path, string json) =>
        new(HttpMethod.Post, path) { Content = BridgeTestServer.Json(json) };

    private static string Sign(string key, string body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(key), Encoding.UTF8.GetBytes(body)));
}
