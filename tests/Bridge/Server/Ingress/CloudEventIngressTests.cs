using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bridge.CloudEvents;
using Bridge.Server.Ingress;
using Bridge.Server.Tests.Hosting;

namespace Bridge.Server.Tests.Ingress;

public sealed class CloudEventIngressTests(IngressHostFixture fixture) : IClassFixture<IngressHostFixture>
{
    private BridgeTestServer Server => fixture.Server;

    [Fact]
    public async Task HandleAsync_BinaryMode_202AndRecordKeyedByPartitionKey()
    {
        using var request = Binary("bin-1", partitionKey: "team-a/checkout", data: "{\"order\":42}");

        var response = await Server.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await BridgeTestServer.ReadJsonAsync(response);
        Assert.Equal("bin-1", body.GetProperty("ids")[0].GetString());
        var stored = body.GetProperty("events")[0];
        var record = await fixture.ReadAsync(stored.GetProperty("partition").GetInt32(), stored.GetProperty("offset").GetInt64());
        Assert.Equal("team-a/checkout", IngressHostFixture.Key(record));
        Assert.Equal("bin-1", IngressHostFixture.Header(record, "ce_id"));
        Assert.Equal("com.example.order.created", IngressHostFixture.Header(record, "ce_type"));
        Assert.Equal("/shop", IngressHostFixture.Header(record, "ce_source"));
        Assert.Equal("application/json", IngressHostFixture.Header(record, "content-type"));
        Assert.Equal("{\"order\":42}"u8.ToArray(), record.Message.Value);
    }

    [Fact]
    public async Task HandleAsync_NoPartitionKey_PublishedWithoutKey()
    {
        using var request = Binary("bin-nokey", partitionKey: null, data: "{}");

        var body = await BridgeTestServer.ReadJsonAsync(await Server.Client.SendAsync(request));

        var stored = body.GetProperty("events")[0];
        var record = await fixture.ReadAsync(stored.GetProperty("partition").GetInt32(), stored.GetProperty("offset").GetInt64());
        Assert.Null(record.Message.Key);
    }

    [Fact]
    public async Task HandleAsync_StructuredMode_202()
    {
        const string Event = """{"specversion":"1.0","id":"str-1","source":"/shop","type":"com.example.order.paid","partitionkey":"team-a/checkout","datacontenttype":"application/json","data":{"order":42}}""";

        var response = await Server.PostJsonAsync("/v1/events", Event, "application/cloudevents+json; charset=utf-8");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = (await BridgeTestServer.ReadJsonAsync(response)).GetProperty("events")[0];
        var record = await fixture.ReadAsync(stored.GetProperty("partition").GetInt32(), stored.GetProperty("offset").GetInt64());
        Assert.Equal("str-1", IngressHostFixture.Header(record, "ce_id"));
        Assert.Equal("team-a/checkout", IngressHostFixture.Key(record));
    }

    [Fact]
    public async Task HandleAsync_Batch_202WithEveryIdAndRecord()
    {
        const string Batch = """
            [{"specversion":"1.0","id":"batch-1","source":"/shop","type":"t","partitionkey":"a/x"},
             {"specversion":"1.0","id":"batch-2","source":"/shop","type":"t","partitionkey":"a/x"},
             {"specversion":"1.0","id":"batch-3","source":"/shop","type":"t","partitionkey":"b/y"}]
            """;
        var before = fixture.RecordCount();

        var response = await Server.PostJsonAsync("/v1/events", Batch, "application/cloudevents-batch+json");

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await BridgeTestServer.ReadJsonAsync(response);
        Assert.Equal(["batch-1", "batch-2", "batch-3"], body.GetProperty("ids").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(3, body.GetProperty("events").GetArrayLength());
        Assert.Equal(before + 3, fixture.RecordCount());
        var events = body.GetProperty("events");
        Assert.Equal(events[0].GetProperty("partition").GetInt32(), events[1].GetProperty("partition").GetInt32());
        Assert.True(events[1].GetProperty("offset").GetInt64() > events[0].GetProperty("offset").GetInt64());
    }

    [Fact]
    public async Task HandleAsync_BatchWithOneInvalidEvent_400NothingPublished()
    {
        const string Batch = """
            [{"specversion":"1.0","id":"ok-1","source":"/shop","type":"t"},
             {"specversion":"1.0","source":"/shop","type":"t"}]
            """;

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.PostJsonAsync("/v1/events", Batch, "application/cloudevents-batch+json"), 400));

        Assert.Contains("id", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_BinaryWithoutId_400NothingPublished()
    {
        using var request = Binary(null, partitionKey: "a/b", data: "{}");

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 400));

        Assert.Contains("id", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_MalformedStructuredJson_400()
    {
        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.PostJsonAsync("/v1/events", "{\"specversion\":\"1.0\",", "application/cloudevents+json"), 400));

        Assert.StartsWith("The request is not a valid CloudEvent", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_UnsupportedFormat_415NothingPublished()
    {
        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.PostJsonAsync("/v1/events", "{}", "application/cloudevents+avro"), 415));

        Assert.Contains("application/cloudevents+json", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_BodyOverLimit_413NothingPublished()
    {
        using var request = Binary("big", partitionKey: "a/b", data: "\"" + new string('z', 5000) + "\"");

        var problem = await fixture.AssertNothingPublishedAsync(async () =>
            await BridgeTestServer.ReadProblemAsync(await Server.Client.SendAsync(request), 413));

        Assert.Contains("Ingress:MaxBodyBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleAsync_BrotliContentEncoding_415NothingPublished()
    {
        using var request = Binary("encoded", partitionKey: "a/b", data: "{}");
        request.Content!.Headers.ContentEncoding.Add("br");

        var response = await fixture.AssertNothingPublishedAsync(() => Server.Client.SendAsync(request));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 415);
        Assert.Contains("Content-Encoding 'br'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public void NamespaceOf_Event_PrefersExtensionThenPartitionKeyPrefix()
    {
        var both = new CloudEvent { Id = "1", Source = "/s", Type = "t" };
        both.SetExtension("namespace", "ns-ext");
        both.SetExtension("partitionkey", "ns-key/name");
        var keyOnly = new CloudEvent { Id = "2", Source = "/s", Type = "t" };
        keyOnly.SetExtension("partitionkey", "ns-key/name");
        var keyWithoutSlash = new CloudEvent { Id = "3", Source = "/s", Type = "t" };
        keyWithoutSlash.SetExtension("partitionkey", "just-a-key");

        Assert.Equal("ns-ext", Bridge.Server.Auth.EventScope.NamespaceOf(both));
        Assert.Equal("ns-key", Bridge.Server.Auth.EventScope.NamespaceOf(keyOnly));
        Assert.Null(Bridge.Server.Auth.EventScope.NamespaceOf(keyWithoutSlash));
        Assert.Null(Bridge.Server.Auth.EventScope.NamespaceOf(new CloudEvent { Id = "4", Source = "/s", Type = "t" }));
    }

    internal static HttpRequestMessage Binary(string? id, string? partitionKey, string data, string? @namespace = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events")
        {
            Content = new StringContent(data, Encoding.UTF8, new MediaTypeHeaderValue("application/json")),
        };
        request.Content.Headers.ContentType!.CharSet = null;
        request.Headers.Add("ce-specversion", "1.0");
        if (id is not null)
        {
            request.Headers.Add("ce-id", id);
        }

        request.Headers.Add("ce-source", "/shop");
        request.Headers.Add("ce-type", "com.example.order.created");
        if (partitionKey is not null)
        {
            request.Headers.Add("ce-partitionkey", partitionKey);
        }

        if (@namespace is not null)
        {
            request.Headers.Add("ce-namespace", @namespace);
        }

        return request;
    }
}
