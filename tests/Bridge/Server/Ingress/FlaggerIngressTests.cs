using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bridge.Server.Ingress;
using Bridge.Server.Kafka;
using Bridge.Server.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Ingress;

public sealed class FlaggerIngressTests(IngressHostFixture fixture) : IClassFixture<IngressHostFixture>
{
    private BridgeTestServer Server => fixture.Server;

    [Fact]
    public async Task HandleEventAsync_FlaggerEvent_Returns202AfterRecordIsOnTopic()
    {
        var payload = FlaggerPayloads.Event(timestamp: 1736500000001);

        var response = await Server.PostJsonAsync("/v1/flagger/events", payload);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await BridgeTestServer.ReadJsonAsync(response);
        var id = body.GetProperty("ids")[0].GetString()!;
        var stored = body.GetProperty("events")[0];
        Assert.Equal(id, stored.GetProperty("id").GetString());
        Assert.Equal(fixture.Topic, stored.GetProperty("topic").GetString());
        var record = await fixture.ReadAsync(stored.GetProperty("partition").GetInt32(), stored.GetProperty("offset").GetInt64());
        Assert.Equal("test/podinfo", IngressHostFixture.Key(record));
        Assert.Equal(id, IngressHostFixture.Header(record, "ce_id"));
        Assert.Equal("1.0", IngressHostFixture.Header(record, "ce_specversion"));
        Assert.Equal("app.flagger.canary.weight.advanced", IngressHostFixture.Header(record, "ce_type"));
        Assert.Equal("test/podinfo", IngressHostFixture.Header(record, "ce_subject"));
        Assert.Equal("test/podinfo", IngressHostFixture.Header(record, "ce_partitionkey"));
        Assert.Equal("application/json", IngressHostFixture.Header(record, "content-type"));
        Assert.Equal(Encoding.UTF8.GetBytes(payload), record.Message.Value);
    }

    [Fact]
    public async Task HandleEventAsync_SameCanaryTwice_SamePartitionDifferentIds()
    {
        var first = await BridgeTestServer.ReadJsonAsync(await Server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(name: "frontend", timestamp: 1736500000010)));
        var second = await BridgeTestServer.ReadJsonAsync(await Server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(name: "frontend", message: "Advance frontend.test canary weight 20", timestamp: 1736500000020)));

        Assert.Equal(first.GetProperty("events")[0].GetProperty("partition").GetInt32(), second.GetProperty("events")[0].GetProperty("partition").GetInt32());
        Assert.NotEqual(first.GetProperty("ids")[0].GetString(), second.GetProperty("ids")[0].GetString());
        Assert.True(second.GetProperty("events")[0].GetProperty("offset").GetInt64() > first.GetProperty("events")[0].GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task HandleEventAsync_RepeatedPayload_PublishedAgainWithSameId()
    {
        var payload = FlaggerPayloads.Event(timestamp: 1736500000030);
        var before = fixture.RecordCount();

        var first = await BridgeTestServer.ReadJsonAsync(await Server.PostJsonAsync("/v1/flagger/events", payload));
        var second = await BridgeTestServer.ReadJsonAsync(await Server.PostJsonAsync("/v1/flagger/events", payload));

        Assert.Equal(first.GetProperty("ids")[0].GetString(), second.GetProperty("ids")[0].GetString());
        Assert.Equal(before + 2, fixture.RecordCount());
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/json;charset=UTF-8")]
    public async Task HandleEventAsync_JsonContentTypeVariants_Accepted(string contentType)
    {
        var response = await Server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(timestamp: 1736500000040), contentType);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    [Theory]
    [InlineData("pre-rollout", "Progressing")]
    [InlineData("post-rollout", "Succeeded")]
    [InlineData("event", "Progressing")]
    public async Task HandleHookAsync_NonGatingHook_Returns202WithHookType(string hookType, string phase)
    {
        var response = await Server.PostJsonAsync($"/v1/flagger/hooks/{hookType}", FlaggerPayloads.Hook(name: "hook-" + hookType, phase: phase));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = (await BridgeTestServer.ReadJsonAsync(response)).GetProperty("events")[0];
        var record = await fixture.ReadAsync(stored.GetProperty("partition").GetInt32(), stored.GetProperty("offset").GetInt64());
        Assert.Equal(hookType, IngressHostFixture.Header(record, "ce_hooktype"));
        Assert.Equal($"test/hook-{hookType}", IngressHostFixture.Key(record));
    }

    [Theory]
    [InlineData("confirm-rollout")]
    [InlineData("confirm-traffic-increase")]
    [InlineData("confirm-promotion")]
    public async Task HandleHookAsync_GatePolledTwice_OpenBothTimesPublishedOnce(string hookType)
    {
        var payload = FlaggerPayloads.Hook(name: "gate-" + hookType);
        var before = fixture.RecordCount();

        var first = await Server.PostJsonAsync($"/v1/flagger/hooks/{hookType}", payload);
        var second = await Server.PostJsonAsync($"/v1/flagger/hooks/{hookType}", payload);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        var firstBody = await BridgeTestServer.ReadJsonAsync(first);
        var secondBody = await BridgeTestServer.ReadJsonAsync(second);
        Assert.Equal("open", firstBody.GetProperty("gate").GetString());
        Assert.Equal("open", secondBody.GetProperty("gate").GetString());
        Assert.Equal(firstBody.GetProperty("ids")[0].GetString(), secondBody.GetProperty("ids")[0].GetString());
        Assert.True(firstBody.TryGetProperty("events", out _));
        Assert.False(secondBody.TryGetProperty("events", out _));
        Assert.Equal(before + 1, fixture.RecordCount());
    }

    [Fact]
    public async Task HandleHookAsync_RollbackPolledTwice_403NoRollbackPublishedOnce()
    {
        var payload = FlaggerPayloads.Hook(name: "rollback-target");
        var before = fixture.RecordCount();

        var first = await BridgeTestServer.ReadProblemAsync(await Server.PostJsonAsync("/v1/flagger/hooks/rollback", payload), 403);
        var second = await BridgeTestServer.ReadProblemAsync(await Server.PostJsonAsync("/v1/flagger/hooks/rollback", payload), 403);

        Assert.Equal("No rollback requested", first.GetProperty("title").GetString());
        Assert.Contains("test/rollback-target", first.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(first.GetProperty("ids")[0].GetString(), second.GetProperty("ids")[0].GetString());
        Assert.Equal(before + 1, fixture.RecordCount());
    }

    [Fact]
    public async Task HandleHookAsync_RolloutPolledTwice_202PublishedOnce()
    {
        var payload = FlaggerPayloads.Hook(name: "rollout-target");
        var before = fixture.RecordCount();

        var first = await Server.PostJsonAsync("/v1/flagger/hooks/rollout", payload);
        var second = await Server.PostJsonAsync("/v1/flagger/hooks/rollout", payload);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, second.StatusCode);
        Assert.Equal(before + 1, fixture.RecordCount());
    }

    [Fact]
    public async Task HandleHookAsync_GatePolledWithOtherMetadata_PublishedAgainWithOtherId()
    {
        var payload = FlaggerPayloads.Hook(name: "gate-metadata");
        var other = payload.Replace("\"type\":\"helmv3\"", "\"type\":\"kubectl\"", StringComparison.Ordinal);
        Assert.NotEqual(payload, other);
        var before = fixture.RecordCount();

        var first = await BridgeTestServer.ReadJsonAsync(await Server.PostJsonAsync("/v1/flagger/hooks/confirm-promotion", payload));
        var second = await BridgeTestServer.ReadJsonAsync(await Server.PostJsonAsync("/v1/flagger/hooks/confirm-promotion", other));

        Assert.NotEqual(first.GetProperty("ids")[0].GetString(), second.GetProperty("ids")[0].GetString());
        Assert.True(second.TryGetProperty("events", out _));
        Assert.Equal(before + 2, fixture.RecordCount());
    }

    [Theory]
    [InlineData("confirm-rollout", HttpStatusCode.OK)]
    [InlineData("rollout", HttpStatusCode.Accepted)]
    [InlineData("rollback", HttpStatusCode.Forbidden)]
    public async Task HandleHookAsync_ConcurrentIdenticalPolls_PublishedOnce(string hookType, HttpStatusCode expected)
    {
        var payload = FlaggerPayloads.Hook(name: "concurrent-" + hookType);
        var before = fixture.RecordCount();

        var responses = await Task.WhenAll(Enumerable.Range(0, 32).Select(_ => Server.PostJsonAsync($"/v1/flagger/hooks/{hookType}", payload)));

        Assert.All(responses, r => Assert.Equal(expected, r.StatusCode));
        var bodies = await Task.WhenAll(responses.Select(BridgeTestServer.ReadJsonAsync));
        Assert.Single(bodies.Select(b => b.GetProperty("ids")[0].GetString()).Distinct());
        Assert.Equal(before + 1, fixture.RecordCount());
    }

    [Fact]
    public async Task HandleEventAsync_GzipContentEncoding_415NothingPublished()
    {
        var content = new ByteArrayContent(Gzip(FlaggerPayloads.Event(timestamp: 1736500000060)));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        content.Headers.ContentEncoding.Add("gzip");

        var response = await fixture.AssertNothingPublishedAsync(() => Server.Client.PostAsync("/v1/flagger/events", content));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 415);
        Assert.Contains("Content-Encoding 'gzip'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("identity", string.Join(",", response.Headers.NonValidated["Accept-Encoding"]));
    }

    [Fact]
    public async Task HandleEventAsync_IdentityContentEncoding_Accepted()
    {
        var content = BridgeTestServer.Json(FlaggerPayloads.Event(timestamp: 1736500000061));
        content.Headers.ContentEncoding.Add("identity");

        Assert.Equal(HttpStatusCode.Accepted, (await Server.Client.PostAsync("/v1/flagger/events", content)).StatusCode);
    }

    internal static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Fastest))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }

        return output.ToArray();
    }

    [Fact]
    public async Task HandleHookAsync_UnknownHookType_404ListingTypes()
    {
        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.PostJsonAsync("/v1/flagger/hooks/confirm-everything", FlaggerPayloads.Hook()), 404));

        Assert.Contains("Unknown Flagger hook type 'confirm-everything'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("confirm-promotion", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    public static TheoryData<string, string> MalformedPayloads => new()
    {
        { "{\"name\":\"podinfo\",\"namespace\":", "not valid JSON" },
        { "[1,2]", "must be a JSON object" },
        { "{\"name\":5,\"namespace\":\"test\"}", "name" },
        { "{\"name\":\"podinfo\",\"namespace\":\"test\",\"metadata\":{\"a\":1}}", "metadata" },
        { "{\"name\":\"podinfo\"}", "namespace" },
        { "{\"namespace\":\"test\"}", "name" },
        { "{\"name\":\"podinfo\",\"namespace\":\"test\",\"metadata\":{\"timestamp\":\"yesterday\"}}", "timestamp" },
        { "", "empty" },
        { "   ", "empty" },
    };

    [Theory]
    [MemberData(nameof(MalformedPayloads))]
    public async Task HandleEventAsync_MalformedPayload_400NamingTheProblemNothingPublished(string payload, string expected)
    {
        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.PostJsonAsync("/v1/flagger/events", payload), 400));

        Assert.Contains(expected, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task HandleEventAsync_InvalidUtf8_400NothingPublished()
    {
        var bytes = Encoding.UTF8.GetBytes("{\"name\":\"pod\",\"namespace\":\"test\",\"phase\":\"X\"}");
        bytes[10] = 0xC3;
        bytes[11] = 0x28;
        var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.Client.PostAsync("/v1/flagger/events", content), 400));

        Assert.Contains("UTF-8", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/cloudevents+json")]
    [InlineData("application/jsonx")]
    public async Task HandleEventAsync_WrongContentType_415NothingPublished(string contentType)
    {
        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(), contentType), 415));

        Assert.Contains("Content-Type must be application/json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains(contentType, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleEventAsync_NoContentType_415()
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(FlaggerPayloads.Event()));

        var problem = await BridgeTestServer.ReadProblemAsync(await Server.Client.PostAsync("/v1/flagger/events", content), 415);

        Assert.Contains("got none", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleEventAsync_BodyOverLimit_413NothingPublished()
    {
        var payload = FlaggerPayloads.Event(message: new string('x', 5000));

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.PostJsonAsync("/v1/flagger/events", payload), 413));

        Assert.Contains("4096 bytes (Ingress:MaxBodyBytes)", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleEventAsync_ChunkedBodyOverLimit_413()
    {
        var content = new StreamContent(new NonSeekableStream(Encoding.UTF8.GetBytes(FlaggerPayloads.Event(message: new string('y', 20_000)))));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/flagger/events") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 413);
    }

    [Fact]
    public async Task HandleEventAsync_Phase_UpdatesCanaryStatusGauge()
    {
        await Server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(name: "gauge-canary", phase: "Failed", timestamp: 1736500000050));

        var metrics = await Server.Client.GetStringAsync("/metrics");

        Assert.Contains("bridge_canary_status{name=\"gauge-canary\",namespace=\"test\"} 2\n", metrics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/json", true)]
    [InlineData(" application/json ; charset=utf-8", true)]
    [InlineData("APPLICATION/JSON", true)]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("application/problem+json", false)]
    [InlineData("text/json", false)]
    public void IsJsonContentType_Value_MatchesOnlyApplicationJson(string? contentType, bool expected) =>
        Assert.Equal(expected, FlaggerIngress.IsJsonContentType(contentType));

    [Fact]
    public async Task HandleEventAsync_SpoolDisabledAllBrokersDown_503WithinProduceTimeoutThen202WhenBack()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Kafka:EmbeddedBrokers"] = "2",
            ["Kafka:ProduceTimeout"] = "00:00:01",
            ["Spool:Enabled"] = "false",
        });
        var cluster = server.Services.GetRequiredService<KafkaConnection>().EmbeddedCluster!;
        // The first produce also connects and fetches metadata; on a loaded machine that can outlast the 1 s timeout.
        await HealthEndpointsTests.Eventually(
            async () => (await server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(timestamp: 1736500003000))).StatusCode == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(20));
        cluster.SetBrokerDown(1);
        cluster.SetBrokerDown(2);

        var started = Stopwatch.StartNew();
        var response = await server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(timestamp: 1736500003001));
        var elapsed = started.Elapsed;

        var problem = await BridgeTestServer.ReadProblemAsync(response, 503);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"503 took {elapsed}");
        Assert.Equal("5", response.Headers.RetryAfter?.ToString());
        Assert.Contains("Kafka did not acknowledge", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        cluster.SetBrokerUp(1);
        cluster.SetBrokerUp(2);
        await HealthEndpointsTests.Eventually(
            async () => (await server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(timestamp: 1736500003002))).StatusCode == HttpStatusCode.Accepted,
            TimeSpan.FromSeconds(20));
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
