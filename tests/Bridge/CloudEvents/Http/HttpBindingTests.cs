using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Bridge.CloudEvents.Http;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Primitives;

namespace Bridge.CloudEvents.Tests.Http;

public class HttpBindingTests
{
    private const long Max = 1 << 20;

    public static TheoryData<string, HttpContentMode> AttributeCases()
    {
        var data = new TheoryData<string, HttpContentMode>();
        foreach ((string name, _) in TestEvents.Attributes())
        {
            data.Add(name, HttpContentMode.Binary);
            data.Add(name, HttpContentMode.Structured);
        }

        return data;
    }

    public static TheoryData<string, HttpContentMode> DataCases()
    {
        var data = new TheoryData<string, HttpContentMode>();
        foreach ((string name, _) in TestEvents.DataKinds(includeProto: true, includeEmptyBinary: false))
        {
            data.Add(name, HttpContentMode.Binary);
            data.Add(name, HttpContentMode.Structured);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AttributeCases))]
    public async Task ToHttpRequestMessage_Attributes_RoundTrip(string name, HttpContentMode mode)
    {
        CloudEvent original = TestEvents.Attributes().Single(c => c.Name == name).Event;
        using HttpRequestMessage request = HttpBinding.ToHttpRequestMessage(original, mode, new Uri("http://localhost/"));

        CloudEvent decoded = Assert.Single(await HttpBinding.ReadAsync(request, Max, CancellationToken.None));

        TestEvents.AssertEqual(TestEvents.ExpectedAfter(original, mode == HttpContentMode.Binary ? TestEvents.Typing.Headers : TestEvents.Typing.Json), decoded);
    }

    [Theory]
    [MemberData(nameof(DataCases))]
    public async Task ToHttpRequestMessage_DataKinds_RoundTrip(string name, HttpContentMode mode)
    {
        CloudEvent original = TestEvents.DataKinds(true, false).Single(c => c.Name == name).Event;
        using HttpRequestMessage request = HttpBinding.ToHttpRequestMessage(original, mode, new Uri("http://localhost/"));

        CloudEvent decoded = Assert.Single(await HttpBinding.ReadAsync(request, Max, CancellationToken.None));

        TestEvents.AssertEqual(original, decoded);
    }

    [Fact]
    public async Task ToHttpContent_Binary_WritesCanonicalEncodedHeaders()
    {
        CloudEvent e = TestEvents.WithExtensions();
        e.DataContentType = "application/json";
        e.Time = new DateTimeOffset(2024, 1, 1, 1, 0, 0, TimeSpan.FromHours(1));
        e.Data = CloudEventData.FromJson("\"str\"");

        using HttpContent content = HttpBinding.ToHttpContent(e, HttpContentMode.Binary);

        Assert.Equal("1.0", Header(content, "ce-specversion"));
        Assert.Equal("2024-01-01T00:00:00Z", Header(content, "ce-time"));
        Assert.Equal("Euro%20%E2%82%AC%20%F0%9F%98%80%20%22quoted%22%2050%2525%20a+b,c;d", Header(content, "ce-extstring"));
        Assert.Equal("AAEC/w==", Header(content, "ce-extbinary"));
        Assert.Equal("-2147483648", Header(content, "ce-extint"));
        Assert.Equal("true", Header(content, "ce-extbool"));
        Assert.False(content.Headers.Contains("ce-datacontenttype"));
        Assert.Equal("application/json", Header(content, "Content-Type"));
        Assert.Equal("\"str\"", await content.ReadAsStringAsync());
        Assert.All(content.Headers.Where(h => h.Key.StartsWith("ce-", StringComparison.OrdinalIgnoreCase)), h => Assert.Equal(h.Key.ToLowerInvariant(), h.Key));
    }

    [Fact]
    public async Task ToHttpContent_BinaryProtoDataAndNanosecondTime_HeadersCarryBoth()
    {
        CloudEvent e = TestEvents.WithData(CloudEventData.FromProto(new StringValue { Value = "v" }), null);
        e.PreciseTime = CloudEventTimestamp.Parse("2026-12-01T12:00:00.123456789Z");

        using HttpContent content = HttpBinding.ToHttpContent(e, HttpContentMode.Binary);

        Assert.Equal("application/protobuf; proto=google.protobuf.StringValue", Header(content, "Content-Type"));
        Assert.Equal("2026-12-01T12:00:00.123456789Z", Header(content, "ce-time"));
        Assert.Equal(new StringValue { Value = "v" }.ToByteArray(), await content.ReadAsByteArrayAsync());
    }

    [Fact]
    public void Decode_BinaryProtobufBodyNamingItsMessage_ProtoData()
    {
        byte[] body = new StringValue { Value = "v" }.ToByteArray();

        CloudEvent e = Assert.Single(HttpBinding.Decode(
            "application/protobuf; proto=\"example.com/pkg.Msg\"",
            Required(("ce-time", "2026-12-01T12:00:00.000000001Z")).Select(h => new KeyValuePair<string, StringValues>(h.Item1, h.Item2)).ToList(),
            body));

        Assert.Equal(new Any { TypeUrl = "example.com/pkg.Msg", Value = ByteString.CopyFrom(body) }, e.Data.Proto);
        Assert.Equal("application/protobuf", e.DataContentType);
        Assert.Equal(1, e.PreciseTime!.Value.SubTickNanoseconds);
    }

    [Fact]
    public async Task ToHttpContent_BinaryWithoutContentType_JsonGetsApplicationJsonBinaryGetsNone()
    {
        using HttpContent json = HttpBinding.ToHttpContent(TestEvents.WithData(CloudEventData.FromJson("1"), null), HttpContentMode.Binary);
        using HttpContent bytes = HttpBinding.ToHttpContent(TestEvents.WithData(CloudEventData.FromBytes(new byte[] { 1 }), null), HttpContentMode.Binary);
        using HttpContent none = HttpBinding.ToHttpContent(TestEvents.Minimal(), HttpContentMode.Binary);

        Assert.Equal("application/json", Header(json, "Content-Type"));
        Assert.Null(Header(bytes, "Content-Type"));
        Assert.Empty(await none.ReadAsByteArrayAsync());
    }

    [Fact]
    public void ToHttpContent_Structured_UsesCloudEventsJsonMediaType()
    {
        using HttpContent content = HttpBinding.ToHttpContent(TestEvents.Minimal(), HttpContentMode.Structured);

        Assert.Equal("application/cloudevents+json; charset=UTF-8", Header(content, "Content-Type"));
        Assert.False(content.Headers.Contains("ce-id"));
    }

    [Fact]
    public void ToHttpContent_InvalidEvent_Throws() =>
        Assert.Throws<CloudEventFormatException>(() => HttpBinding.ToHttpContent(new CloudEvent { Id = "1" }, HttpContentMode.Binary));

    [Fact]
    public async Task ToBatchContent_DecodesAsBatch()
    {
        using HttpContent content = HttpBinding.ToBatchContent([TestEvents.Minimal(), TestEvents.AllCore()]);
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content };

        IReadOnlyList<CloudEvent> events = await HttpBinding.ReadAsync(response, Max, CancellationToken.None);

        Assert.Equal("application/cloudevents-batch+json; charset=UTF-8", Header(content, "Content-Type"));
        Assert.Equal(2, events.Count);
        TestEvents.AssertEqual(TestEvents.AllCore(), events[1]);
    }

    [Fact]
    public async Task ReadAsync_ResponseWithEmptyBatch_ReturnsEmpty()
    {
        using var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = HttpBinding.ToBatchContent([]) };

        Assert.Empty(await HttpBinding.ReadAsync(response, Max, CancellationToken.None));
    }

    [Fact]
    public void Decode_Binary_HeaderNamesCaseInsensitiveAndValuesDecoded()
    {
        CloudEvent e = Single(Decode("text/plain", "hello",
            ("CE-SpecVersion", "1.0"), ("Ce-Id", "%2525"), ("ce-source", "/s"), ("ce-type", "t"),
            ("ce-Time", "2024-01-01t00:00:00z"), ("ce-MyExt", "\"quoted %22\""), ("traceparent", "00-x")));

        Assert.Equal("%25", e.Id);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), e.Time);
        Assert.Equal("quoted \"", e["myext"]);
        Assert.Null(e["traceparent"]);
        Assert.Equal("text/plain", e.DataContentType);
        Assert.Equal("hello", e.Data.Text);
    }

    [Fact]
    public void Decode_Binary_UnknownExtensionKeepsExactString()
    {
        CloudEvent e = Single(Decode(null, "", Required(("ce-when", "2024-01-01T00:00:00+00:00"), ("ce-n", "007"))));

        Assert.Equal("2024-01-01T00:00:00+00:00", e["when"]);
        Assert.Equal("007", e["n"]);
        Assert.Equal(CloudEventAttributeType.String, e.GetAttribute("n")!.Type);
    }

    [Fact]
    public void Decode_Binary_KnownExtensionsParsed()
    {
        CloudEvent e = Single(Decode(null, "", Required(("ce-knativebrokerttl", "5"), ("ce-partitionkey", "k"))));

        Assert.Equal(5, e["knativebrokerttl"]);
        Assert.Equal("k", e["partitionkey"]);
    }

    [Fact]
    public void Decode_Binary_CeDataContentTypeIgnored()
    {
        CloudEvent withContentType = Single(Decode("application/json", "{}", Required(("ce-datacontenttype", "text/plain"))));
        CloudEvent without = Single(Decode(null, "x", Required(("ce-datacontenttype", "text/plain"))));

        Assert.Equal("application/json", withContentType.DataContentType);
        Assert.Equal(CloudEventDataKind.Json, withContentType.Data.Kind);
        Assert.Null(without.DataContentType);
        Assert.Equal(CloudEventDataKind.Binary, without.Data.Kind);
    }

    [Theory]
    [InlineData(null, "", CloudEventDataKind.None)]
    [InlineData("application/json", "", CloudEventDataKind.None)]
    [InlineData(null, "{}", CloudEventDataKind.Binary)]
    [InlineData("application/json", "{\"a\":1}", CloudEventDataKind.Json)]
    [InlineData("application/json", "null", CloudEventDataKind.Json)]
    [InlineData("application/json", "not json", CloudEventDataKind.Binary)]
    [InlineData("text/plain; charset=utf-8", "text", CloudEventDataKind.Text)]
    [InlineData("text/plain; charset=iso-8859-1", "text", CloudEventDataKind.Binary)]
    [InlineData("application/octet-stream", "x", CloudEventDataKind.Binary)]
    public void Decode_Binary_BodyClassification(string? contentType, string body, CloudEventDataKind kind)
    {
        CloudEvent e = Single(Decode(contentType, body, Required()));

        Assert.Equal(kind, e.Data.Kind);
        Assert.Equal(Encoding.UTF8.GetBytes(body), e.Data.ToBytes().ToArray());
        Assert.Equal(contentType, e.DataContentType);
    }

    [Theory]
    [InlineData("ce-id", "%C0%A0", "id", "not valid UTF-8")]
    [InlineData("ce-id", "%ED%A0%80", "id", "not valid UTF-8")]
    [InlineData("ce-id", "%E2%82", "id", "not valid UTF-8")]
    [InlineData("ce-id", "%4", "id", "malformed percent-escape")]
    [InlineData("ce-id", "%01", "id", "U+0001")]
    [InlineData("ce-id", "", "id", "must not be empty")]
    [InlineData("ce-subject", "%EF%BF%BF", "subject", "noncharacter")]
    [InlineData("ce-time", "2024-02-30T00:00:00Z", "time", "no such date")]
    [InlineData("ce-source", "a%20b", "source", "URI-reference")]
    [InlineData("ce-dataschema", "/rel", "dataschema", "absolute URI")]
    [InlineData("ce-my_ext", "x", "my_ext", "only lower-case")]
    [InlineData("ce-", "x", "", "must not be empty")]
    [InlineData("ce-data", "x", "data", "reserved")]
    [InlineData("ce-knativebrokerttl", "1.5", "knativebrokerttl", "Integer")]
    [InlineData("ce-partitionkey", "", "partitionkey", "empty")]
    public void Decode_Binary_InvalidHeader_RejectedNamingAttribute(string header, string value, string attribute, string messagePart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => Decode(null, "", Required((header, value))));

        Assert.Equal(attribute, e.AttributeName);
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Binary_RepeatedHeaderInOneEntry_Rejected()
    {
        var headers = new List<KeyValuePair<string, StringValues>>
        {
            new("ce-specversion", "1.0"), new("ce-id", new StringValues(["1", "2"])), new("ce-source", "/s"), new("ce-type", "t"),
        };

        var e = Assert.Throws<CloudEventFormatException>(() => HttpBinding.Decode(null, headers, ReadOnlyMemory<byte>.Empty));

        Assert.Equal("id", e.AttributeName);
        Assert.Contains("more than once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Binary_RepeatedHeaderDifferentCase_Rejected()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => Decode(null, "", [.. Required(), ("CE-ID", "2")]));

        Assert.Equal("id", e.AttributeName);
    }

    [Fact]
    public void Decode_Binary_RepeatedDataContentTypeHeader_Rejected() =>
        Assert.Throws<CloudEventFormatException>(() => Decode(null, "", Required(("ce-datacontenttype", "a/b"), ("CE-DATACONTENTTYPE", "a/b"))));

    [Theory]
    [InlineData("ce-specversion", "0.3", "only '1.0'")]
    [InlineData("ce-specversion", "1.0.2", "only '1.0'")]
    public void Decode_Binary_WrongSpecVersion_Rejected(string header, string value, string messagePart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() =>
            Decode(null, "", (header, value), ("ce-id", "1"), ("ce-source", "/s"), ("ce-type", "t")));

        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Binary_NoCeHeaders_NotACloudEvent()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => Decode("application/json", "{}", ("x-other", "1")));

        Assert.Equal("specversion", e.AttributeName);
        Assert.Contains("ce-specversion", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Binary_MissingRequired_Rejected() =>
        Assert.Equal("type", Assert.Throws<CloudEventFormatException>(() =>
            Decode(null, "", ("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "/s"))).AttributeName);

    [Fact]
    public void Decode_Binary_InvalidContentType_Rejected() =>
        Assert.Equal("datacontenttype", Assert.Throws<CloudEventFormatException>(() => Decode("nonsense", "x", Required())).AttributeName);

    [Theory]
    [InlineData("application/cloudevents+json")]
    [InlineData("Application/CloudEvents+JSON; charset=UTF-8")]
    [InlineData("APPLICATION/CLOUDEVENTS+JSON;CHARSET=utf8")]
    public void Decode_Structured_MediaTypeCaseInsensitive(string contentType)
    {
        CloudEvent e = Single(Decode(contentType, Encoding.UTF8.GetString(JsonEventFormat.Encode(TestEvents.AllCore()))));

        TestEvents.AssertEqual(TestEvents.AllCore(), e);
    }

    [Fact]
    public void Decode_Structured_CeHeadersDisregarded()
    {
        string body = Encoding.UTF8.GetString(JsonEventFormat.Encode(TestEvents.Minimal()));

        CloudEvent e = Single(Decode("application/cloudevents+json", body,
            ("ce-id", "header-id"), ("ce-datacontenttype", "text/plain"), ("ce-ext", "x"), ("ce-specversion", "0.3"), ("ce-bad_name", "x")));

        Assert.Equal("1", e.Id);
        Assert.Null(e.DataContentType);
        Assert.Null(e["ext"]);
    }

    [Fact]
    public void Decode_StructuredProtobuf_Decoded()
    {
        var headers = new List<KeyValuePair<string, StringValues>>();

        CloudEvent e = Assert.Single(HttpBinding.Decode("application/cloudevents+protobuf", headers, ProtobufEventFormat.Encode(TestEvents.WithExtensions())));

        TestEvents.AssertEqual(TestEvents.WithExtensions(), e);
    }

    [Theory]
    [InlineData("application/cloudevents+avro")]
    [InlineData("application/cloudevents")]
    [InlineData("application/cloudevents+xml; charset=utf-8")]
    [InlineData("application/cloudevents-batch+avro")]
    [InlineData("application/cloudevents-batch")]
    [InlineData("application/cloudevents+json; charset=iso-8859-1")]
    [InlineData("application/cloudevents-batch+json; charset=utf-16")]
    public void Decode_UnsupportedStructuredFormat_ThrowsUnsupportedMediaType(string contentType)
    {
        var e = Assert.Throws<CloudEventUnsupportedMediaTypeException>(() => Decode(contentType, "{}"));

        Assert.Equal(contentType, e.MediaType);
    }

    [Fact]
    public void Decode_StructuredEmptyBody_Rejected() =>
        Assert.Throws<CloudEventFormatException>(() => Decode("application/cloudevents+json", ""));

    [Fact]
    public void Decode_StructuredWithArrayBody_RejectedNotTreatedAsBatch()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => Decode("application/cloudevents+json", "[]"));

        Assert.Contains("must be an object", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("application/cloudevents-batch+json")]
    [InlineData("APPLICATION/CLOUDEVENTS-BATCH+JSON; charset=utf-8")]
    public void Decode_Batch_DetectedBeforeStructured(string contentType)
    {
        string body = Encoding.UTF8.GetString(JsonEventFormat.EncodeBatch([TestEvents.Minimal(), TestEvents.AllCore()]));

        IReadOnlyList<CloudEvent> events = Decode(contentType, body, ("ce-id", "ignored"));

        Assert.Equal(["1", "id-ü-😀"], events.Select(e => e.Id));
    }

    [Fact]
    public void Decode_BatchProtobuf_Decoded()
    {
        IReadOnlyList<CloudEvent> events = HttpBinding.Decode("application/cloudevents-batch+protobuf", [],
            ProtobufEventFormat.EncodeBatch([TestEvents.Minimal(), TestEvents.Minimal()]));

        Assert.Equal(2, events.Count);
    }

    [Fact]
    public void Decode_BatchWithObjectBody_Rejected() =>
        Assert.Throws<CloudEventFormatException>(() =>
            Decode("application/cloudevents-batch+json", Encoding.UTF8.GetString(JsonEventFormat.Encode(TestEvents.Minimal()))));

    [Fact]
    public async Task ReadAsync_HttpRequestBinary_DecodesThroughDefaultHttpContext()
    {
        var context = new DefaultHttpContext();
        HttpRequest request = context.Request;
        request.Method = "POST";
        request.ContentType = "application/json";
        request.Headers["ce-specversion"] = "1.0";
        request.Headers["ce-id"] = "abc";
        request.Headers["ce-source"] = "/src";
        request.Headers["ce-type"] = "t";
        request.Headers["ce-ext"] = "Euro%20%E2%82%AC";
        byte[] body = "{\"x\":true}"u8.ToArray();
        request.Body = new MemoryStream(body);
        request.ContentLength = body.Length;

        CloudEvent e = Assert.Single(await HttpBinding.ReadAsync(request, Max, CancellationToken.None));

        Assert.Equal("abc", e.Id);
        Assert.Equal("Euro €", e["ext"]);
        Assert.Equal(body, e.Data.Bytes.ToArray());
        Assert.Equal(CloudEventDataKind.Json, e.Data.Kind);
    }

    [Fact]
    public async Task ReadAsync_HttpRequestRepeatedHeader_Rejected()
    {
        HttpRequest request = BinaryRequest([]);
        request.Headers.Append("ce-ext", "a");
        request.Headers.Append("CE-EXT", "b");

        var e = await Assert.ThrowsAsync<CloudEventFormatException>(() => HttpBinding.ReadAsync(request, Max, CancellationToken.None));

        Assert.Equal("ext", e.AttributeName);
    }

    [Fact]
    public async Task ReadAsync_ContentLengthOverLimit_ThrowsTooLargeWithoutReading()
    {
        HttpRequest request = BinaryRequest(new byte[11]);
        var body = (MemoryStream)request.Body;

        var e = await Assert.ThrowsAsync<CloudEventPayloadTooLargeException>(() => HttpBinding.ReadAsync(request, 10, CancellationToken.None));

        Assert.Equal(10, e.MaxBytes);
        Assert.Equal(0, body.Position);
    }

    [Fact]
    public async Task ReadAsync_UnknownLengthOverLimit_ThrowsTooLarge()
    {
        HttpRequest request = BinaryRequest(new byte[10_000]);
        request.ContentLength = null;

        await Assert.ThrowsAsync<CloudEventPayloadTooLargeException>(() => HttpBinding.ReadAsync(request, 9_999, CancellationToken.None));
        request.Body.Position = 0;
        CloudEvent e = Assert.Single(await HttpBinding.ReadAsync(request, 10_000, CancellationToken.None));
        Assert.Equal(10_000, e.Data.Bytes.Length);
    }

    [Fact]
    public async Task ReadAsync_BodyShorterThanContentLength_Rejected()
    {
        HttpRequest request = BinaryRequest(new byte[5]);
        request.ContentLength = 10;

        var e = await Assert.ThrowsAsync<CloudEventFormatException>(() => HttpBinding.ReadAsync(request, Max, CancellationToken.None));

        Assert.Contains("5 of 10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_UnsupportedFormat_ThrowsBeforeReadingBody()
    {
        HttpRequest request = BinaryRequest(new byte[5]);
        request.ContentType = "application/cloudevents+avro";

        await Assert.ThrowsAsync<CloudEventUnsupportedMediaTypeException>(() => HttpBinding.ReadAsync(request, Max, CancellationToken.None));
        Assert.Equal(0, request.Body.Position);
    }

    [Fact]
    public async Task ReadAsync_HttpRequestStructured_IgnoresCeHeaders()
    {
        byte[] body = JsonEventFormat.Encode(TestEvents.AllCore());
        HttpRequest request = BinaryRequest(body);
        request.ContentType = "application/cloudevents+json";
        request.Headers["ce-id"] = "other";

        CloudEvent e = Assert.Single(await HttpBinding.ReadAsync(request, Max, CancellationToken.None));

        TestEvents.AssertEqual(TestEvents.AllCore(), e);
    }

    [Theory]
    [InlineData(HttpContentMode.Binary)]
    [InlineData(HttpContentMode.Structured)]
    public async Task WriteAsync_HttpResponse_ReadableAsResponseMessage(HttpContentMode mode)
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;
        CloudEvent original = TestEvents.AllCore();

        await HttpBinding.WriteAsync(context.Response, original, mode, CancellationToken.None);

        using var message = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body.ToArray()) };
        foreach (KeyValuePair<string, StringValues> header in context.Response.Headers)
        {
            if (!message.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value))
            {
                message.Content.Headers.TryAddWithoutValidation(header.Key, (IEnumerable<string>)header.Value);
            }
        }

        CloudEvent decoded = Assert.Single(await HttpBinding.ReadAsync(message, Max, CancellationToken.None));
        TestEvents.AssertEqual(original, decoded);
        Assert.Equal(mode == HttpContentMode.Binary ? "application/json" : MediaTypes.CloudEventsJsonUtf8, context.Response.ContentType);
    }

    [Fact]
    public async Task WriteBatchAsync_HttpResponse_WritesJsonBatch()
    {
        var context = new DefaultHttpContext();
        var body = new MemoryStream();
        context.Response.Body = body;

        await HttpBinding.WriteBatchAsync(context.Response, [TestEvents.Minimal()], CancellationToken.None);

        Assert.Equal(MediaTypes.CloudEventsBatchJsonUtf8, context.Response.ContentType);
        Assert.Single(JsonEventFormat.DecodeBatch(body.ToArray()));
    }

    [Fact]
    public async Task Kestrel_BinaryStructuredAndBatch_RoundTripOverLoopback()
    {
        var received = new List<CloudEvent>();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        await using WebApplication app = builder.Build();
        app.MapPost("/events", async (HttpContext context) =>
        {
            try
            {
                IReadOnlyList<CloudEvent> events = await HttpBinding.ReadAsync(context.Request, Max, context.RequestAborted);
                lock (received)
                {
                    received.AddRange(events);
                }

                context.Response.StatusCode = StatusCodes.Status200OK;
                await HttpBinding.WriteBatchAsync(context.Response, events, context.RequestAborted);
            }
            catch (CloudEventFormatException e)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                await context.Response.WriteAsync(e.Message);
            }
            catch (CloudEventUnsupportedMediaTypeException)
            {
                context.Response.StatusCode = StatusCodes.Status415UnsupportedMediaType;
            }
        });
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        var uri = new Uri(address + "/events");
        using var client = new HttpClient();
        CloudEvent[] originals = [TestEvents.WithExtensions(), TestEvents.AllCore(), TestEvents.DataKinds(false, false).Single(c => c.Name == "text").Event];

        foreach (HttpContentMode mode in new[] { HttpContentMode.Binary, HttpContentMode.Structured })
        {
            foreach (CloudEvent original in originals)
            {
                using HttpRequestMessage request = HttpBinding.ToHttpRequestMessage(original, mode, uri);
                using HttpResponseMessage response = await client.SendAsync(request);
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                CloudEvent echoed = Assert.Single(await HttpBinding.ReadAsync(response, Max, CancellationToken.None));
                TestEvents.AssertEqual(TestEvents.ExpectedAfter(original, mode == HttpContentMode.Binary ? TestEvents.Typing.Headers : TestEvents.Typing.Json), echoed);
            }
        }

        using (HttpResponseMessage batchResponse = await client.PostAsync(uri, HttpBinding.ToBatchContent(originals)))
        {
            IReadOnlyList<CloudEvent> echoedBatch = await HttpBinding.ReadAsync(batchResponse, Max, CancellationToken.None);
            Assert.Equal(originals.Length, echoedBatch.Count);
            TestEvents.AssertEqual(originals[1], echoedBatch[1]);
        }

        using (var avro = new ByteArrayContent([1]))
        {
            avro.Headers.ContentType = MediaTypeHeaderValue.Parse("application/cloudevents+avro");
            using HttpResponseMessage unsupported = await client.PostAsync(uri, avro);
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, unsupported.StatusCode);
        }

        using (var noHeaders = new ByteArrayContent([1]))
        {
            using HttpResponseMessage invalid = await client.PostAsync(uri, noHeaders);
            Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
            Assert.Contains("ce-specversion", await invalid.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        Assert.Equal(originals.Length * 3, received.Count);
        await app.StopAsync();
    }

    private static HttpRequest BinaryRequest(byte[] body)
    {
        var context = new DefaultHttpContext();
        HttpRequest request = context.Request;
        request.Method = "POST";
        request.Headers["ce-specversion"] = "1.0";
        request.Headers["ce-id"] = "1";
        request.Headers["ce-source"] = "/s";
        request.Headers["ce-type"] = "t";
        request.Body = new MemoryStream(body);
        request.ContentLength = body.Length;
        return request;
    }

    /// <summary>The required headers, with any of them replaced by an extra header of the same name.</summary>
    private static (string, string)[] Required(params (string Name, string Value)[] extra) =>
    [
        .. new[] { ("ce-specversion", "1.0"), ("ce-id", "1"), ("ce-source", "/s"), ("ce-type", "t") }
            .Where(r => !extra.Any(x => x.Name == r.Item1)),
        .. extra,
    ];

    private static IReadOnlyList<CloudEvent> Decode(string? contentType, string body, params (string Name, string Value)[] headers) =>
        HttpBinding.Decode(
            contentType,
            headers.Select(h => new KeyValuePair<string, StringValues>(h.Name, h.Value)).ToList(),
            Encoding.UTF8.GetBytes(body));

    private static CloudEvent Single(IReadOnlyList<CloudEvent> events) => Assert.Single(events);

    private static string? Header(HttpContent content, string name) =>
        content.Headers.NonValidated.TryGetValues(name, out HeaderStringValues values) ? values.ToString() : null;
}
