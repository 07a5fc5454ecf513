using System.Net;
using Bridge.Server.Ingress;
using Bridge.Server.Tests.Hosting;

namespace Bridge.Server.Tests.Ingress;

/// <summary>A host whose Kafka producer takes records of at most 2000 bytes, below its 4096-byte body limit.</summary>
public sealed class SmallRecordLimitFixture : IngressHostFixture
{
    public const int MaxRecordBytes = 2000;

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() =>
        new Dictionary<string, string?> { ["Kafka:Producer:message.max.bytes"] = "2000" };
}

/// <summary>Bodies within <c>Ingress:MaxBodyBytes</c> whose Kafka record would be too large are a 413, never a 503.</summary>
public sealed class IngressRecordLimitTests(SmallRecordLimitFixture fixture) : IClassFixture<SmallRecordLimitFixture>
{
    private BridgeTestServer Server => fixture.Server;

    [Fact]
    public async Task CloudEvent_RecordOverKafkaLimit_413NamingTheLimitNothingPublished()
    {
        using var request = CloudEventIngressTests.Binary("large-1", partitionKey: "a/b", data: Quoted(3000));

        var response = await fixture.AssertNothingPublishedAsync(() => Server.Client.SendAsync(request));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 413);
        var detail = problem.GetProperty("detail").GetString();
        Assert.Contains("2000 bytes", detail, StringComparison.Ordinal);
        Assert.Contains("message.max.bytes", detail, StringComparison.Ordinal);
        Assert.DoesNotContain("retry", detail, StringComparison.OrdinalIgnoreCase);
        Assert.Null(response.Headers.RetryAfter);
    }

    [Fact]
    public async Task CloudEvent_BatchWithOneRecordOverKafkaLimit_413NothingPublished()
    {
        var batch = $$"""
            [{"specversion":"1.0","id":"small","source":"/s","type":"t","data":"x"},
             {"specversion":"1.0","id":"large","source":"/s","type":"t","data":{{Quoted(2500)}}}]
            """;

        var response = await fixture.AssertNothingPublishedAsync(() => Server.PostJsonAsync("/v1/events", batch, "application/cloudevents-batch+json"));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 413);
        Assert.Contains("event 1 of the batch (id 'large')", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task FlaggerEvent_RecordOverKafkaLimit_413NothingPublished()
    {
        var payload = FlaggerPayloads.Event(message: new string('m', 2500), timestamp: 1736500009000);

        var response = await fixture.AssertNothingPublishedAsync(() => Server.PostJsonAsync("/v1/flagger/events", payload));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 413);
        Assert.Contains("message.max.bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CloudEvent_RecordWithinKafkaLimit_202()
    {
        using var request = CloudEventIngressTests.Binary("fits-1", partitionKey: "a/b", data: Quoted(1500));

        Assert.Equal(HttpStatusCode.Accepted, (await Server.Client.SendAsync(request)).StatusCode);
    }

    [Fact]
    public async Task DefaultLimits_BodyUnderMaxBodyBytesButRecordTooLarge_413()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?> { ["Kafka:EmbeddedBrokers"] = "1" });
        using var request = CloudEventIngressTests.Binary("default-large", partitionKey: "a/b", data: Quoted(new IngressOptions().MaxBodyBytes - 10));

        var response = await server.Client.SendAsync(request);

        var problem = await BridgeTestServer.ReadProblemAsync(response, 413);
        Assert.Contains("1000000 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void IngressOptions_DefaultMaxBodyBytes_IsKafkasDefaultRecordLimit() =>
        Assert.Equal(1_000_000, new IngressOptions().MaxBodyBytes);

    private static string Quoted(int length) => "\"" + new string('z', length - 2) + "\"";
}
