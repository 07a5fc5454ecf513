using System.Text;
using Bridge.CloudEvents.Kafka;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using PbEvent = Bridge.CloudEvents.Protobuf.CloudEvent;
using PbValue = Bridge.CloudEvents.Protobuf.CloudEvent.Types.CloudEventAttributeValue;

namespace Bridge.CloudEvents.Tests.Kafka;

public class KafkaBindingTests
{
    public static TheoryData<string, KafkaContentMode> AttributeCases()
    {
        var data = new TheoryData<string, KafkaContentMode>();
        foreach ((string name, _) in TestEvents.Attributes())
        {
            data.Add(name, KafkaContentMode.Binary);
            data.Add(name, KafkaContentMode.Structured);
        }

        return data;
    }

    public static TheoryData<string, KafkaContentMode> DataCases()
    {
        var data = new TheoryData<string, KafkaContentMode>();
        foreach ((string name, _) in TestEvents.DataKinds(includeProto: true, includeEmptyBinary: true))
        {
            data.Add(name, KafkaContentMode.Binary);
            data.Add(name, KafkaContentMode.Structured);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(AttributeCases))]
    public void ToRecordFromRecord_Attributes_RoundTrip(string name, KafkaContentMode mode)
    {
        CloudEvent original = TestEvents.Attributes().Single(c => c.Name == name).Event;

        CloudEvent decoded = KafkaBinding.FromRecord(KafkaBinding.ToRecord(original, mode));

        TestEvents.AssertEqual(TestEvents.ExpectedAfter(original, mode == KafkaContentMode.Binary ? TestEvents.Typing.Headers : TestEvents.Typing.Json), decoded);
    }

    [Theory]
    [MemberData(nameof(DataCases))]
    public void ToRecordFromRecord_DataKinds_RoundTrip(string name, KafkaContentMode mode)
    {
        CloudEvent original = TestEvents.DataKinds(true, true).Single(c => c.Name == name).Event;

        CloudEvent decoded = KafkaBinding.FromRecord(KafkaBinding.ToRecord(original, mode));

        TestEvents.AssertEqual(original, decoded);
    }

    [Fact]
    public void ToRecord_Binary_PlainUtf8CanonicalHeaders()
    {
        CloudEvent e = TestEvents.WithExtensions();
        e.DataContentType = "text/plain";
        e.Time = new DateTimeOffset(2024, 1, 1, 1, 0, 0, TimeSpan.FromHours(1));
        e.Data = CloudEventData.FromText("body");

        KafkaRecord record = KafkaBinding.ToRecord(e, KafkaContentMode.Binary);

        Assert.Equal("1.0", Header(record, "ce_specversion"));
        Assert.Equal("2024-01-01T00:00:00Z", Header(record, "ce_time"));
        Assert.Equal("Euro € 😀 \"quoted\" 50%25 a+b,c;d", Header(record, "ce_extstring"));
        Assert.Equal("AAEC/w==", Header(record, "ce_extbinary"));
        Assert.Equal("text/plain", Header(record, "content-type"));
        Assert.Null(Header(record, "ce_datacontenttype"));
        Assert.Equal("body"u8.ToArray(), record.Value);
        Assert.All(record.Headers, h => Assert.Equal(h.Name.ToLowerInvariant(), h.Name));
    }

    [Fact]
    public void ToRecord_BinaryNoData_NullValue()
    {
        KafkaRecord record = KafkaBinding.ToRecord(TestEvents.Minimal(), KafkaContentMode.Binary);

        Assert.Null(record.Value);
        Assert.Null(Header(record, "content-type"));
        Assert.True(KafkaBinding.FromRecord(record).Data.IsNone);
    }

    [Fact]
    public void ToRecord_BinaryEmptyData_EmptyNotNullValue()
    {
        KafkaRecord record = KafkaBinding.ToRecord(TestEvents.WithData(CloudEventData.FromBytes(Array.Empty<byte>()), null), KafkaContentMode.Binary);

        Assert.NotNull(record.Value);
        Assert.Empty(record.Value);
        CloudEvent decoded = KafkaBinding.FromRecord(record);
        Assert.Equal(CloudEventDataKind.Binary, decoded.Data.Kind);
        Assert.Equal(0, decoded.Data.Bytes.Length);
    }

    [Fact]
    public void ToRecord_BinaryJsonWithoutContentType_SetsApplicationJson()
    {
        KafkaRecord record = KafkaBinding.ToRecord(TestEvents.WithData(CloudEventData.FromJson("\"s\""), null), KafkaContentMode.Binary);

        Assert.Equal("application/json", Header(record, "content-type"));
        Assert.Equal("\"s\""u8.ToArray(), record.Value);
    }

    [Fact]
    public void ToRecord_StructuredNoData_NonNullValueAndJsonContentType()
    {
        KafkaRecord record = KafkaBinding.ToRecord(TestEvents.Minimal(), KafkaContentMode.Structured);

        Assert.NotNull(record.Value);
        Assert.Equal("application/cloudevents+json; charset=UTF-8", Header(record, "content-type"));
        Assert.Single(record.Headers);
        TestEvents.AssertEqual(TestEvents.Minimal(), JsonEventFormat.Decode(record.Value));
    }

    [Theory]
    [InlineData(KafkaContentMode.Binary)]
    [InlineData(KafkaContentMode.Structured)]
    public void ToRecord_Key_ExplicitThenPartitionKeyThenNull(KafkaContentMode mode)
    {
        CloudEvent withKey = TestEvents.Minimal();
        withKey["partitionkey"] = "pk/1";

        KafkaRecord explicitKey = KafkaBinding.ToRecord(withKey, mode, "explicit");
        KafkaRecord derived = KafkaBinding.ToRecord(withKey, mode);
        KafkaRecord none = KafkaBinding.ToRecord(TestEvents.Minimal(), mode);
        KafkaRecord configured = KafkaBinding.ToRecord(TestEvents.Minimal(), mode, "cfg");

        Assert.Equal("explicit", explicitKey.Key);
        Assert.Equal("pk/1", derived.Key);
        Assert.Null(none.Key);
        Assert.Equal("cfg", configured.Key);
        Assert.Equal("pk/1", KafkaBinding.FromRecord(derived)["partitionkey"]);
        Assert.Equal("pk/1", KafkaBinding.FromRecord(explicitKey)["partitionkey"]);
        Assert.Null(KafkaBinding.FromRecord(configured)["partitionkey"]);
        Assert.Equal("pk/1", withKey["partitionkey"]);
        Assert.Equal(5, withKey.GetPopulatedAttributes().Count);
    }

    [Fact]
    public void FromRecord_NeverDerivesPartitionKeyFromKey()
    {
        var record = new KafkaRecord("the-key", Headers(("ce_partitionkey", "other")), null);
        var noAttribute = new KafkaRecord("the-key", Headers(), null);

        Assert.Equal("other", KafkaBinding.FromRecord(record)["partitionkey"]);
        Assert.Null(KafkaBinding.FromRecord(noAttribute)["partitionkey"]);
    }

    [Fact]
    public void FromRecord_Binary_ValuesNotPercentDecoded()
    {
        CloudEvent e = KafkaBinding.FromRecord(new KafkaRecord(null, Headers(("ce_ext", "50%25 \"q\" é")), null));

        Assert.Equal("50%25 \"q\" é", e["ext"]);
    }

    [Fact]
    public void FromRecord_Binary_UnknownExtensionKeepsExactStringKnownParsed()
    {
        CloudEvent e = KafkaBinding.FromRecord(new KafkaRecord(null, Headers(("ce_when", "2024-01-01T00:00:00+00:00"), ("ce_knativebrokerttl", "3")), null));

        Assert.Equal("2024-01-01T00:00:00+00:00", e["when"]);
        Assert.Equal(3, e["knativebrokerttl"]);
    }

    [Fact]
    public void FromRecord_BinaryNullValueWithJsonContentType_NoData()
    {
        CloudEvent e = KafkaBinding.FromRecord(new KafkaRecord(null, Headers(("content-type", "application/json")), null));

        Assert.True(e.Data.IsNone);
        Assert.Equal("application/json", e.DataContentType);
    }

    [Fact]
    public void FromRecord_Binary_CeDataContentTypeIgnored()
    {
        CloudEvent e = KafkaBinding.FromRecord(new KafkaRecord(null, Headers(("ce_datacontenttype", "text/plain"), ("content-type", "application/json")), "{}"u8.ToArray()));

        Assert.Equal("application/json", e.DataContentType);
        Assert.Equal(CloudEventDataKind.Json, e.Data.Kind);
    }

    [Theory]
    [InlineData("ce_id", "ce_id", "id")]
    [InlineData("ce_ext", "ce_ext", "ext")]
    [InlineData("content-type", "content-type", "datacontenttype")]
    public void FromRecord_RepeatedHeader_Rejected(string first, string second, string attribute)
    {
        var headers = Headers((first, "a/b"), (second, "a/b")).ToList();
        if (first == "ce_id")
        {
            headers.RemoveAll(h => h.Name == "ce_id");
            headers.Add(new KafkaHeader("ce_id", "1"u8.ToArray()));
            headers.Add(new KafkaHeader("ce_id", "2"u8.ToArray()));
        }

        var e = Assert.Throws<CloudEventFormatException>(() => KafkaBinding.FromRecord(new KafkaRecord(null, headers, null)));

        Assert.Equal(attribute, e.AttributeName);
        Assert.Contains("more than once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRecord_HeaderNamesCaseSensitive()
    {
        var headers = new List<KafkaHeader>
        {
            new("ce_specversion", "1.0"u8.ToArray()), new("CE_ID", "1"u8.ToArray()), new("ce_source", "/s"u8.ToArray()), new("ce_type", "t"u8.ToArray()),
        };

        var e = Assert.Throws<CloudEventFormatException>(() => KafkaBinding.FromRecord(new KafkaRecord(null, headers, null)));

        Assert.Equal("id", e.AttributeName);
    }

    [Theory]
    [InlineData("ce_my_ext", "x", "my_ext", "only lower-case")]
    [InlineData("ce_", "x", "", "must not be empty")]
    [InlineData("ce_id", "", "id", "must not be empty")]
    [InlineData("ce_time", "2024-01-01T00:00:00", "time", "offset")]
    [InlineData("ce_source", "a b", "source", "URI-reference")]
    [InlineData("ce_ext", "a\u0001", "ext", "U+0001")]
    [InlineData("ce_specversion", "0.3", "specversion", "only '1.0'")]
    [InlineData("ce_knativebrokerttl", "x", "knativebrokerttl", "Integer")]
    public void FromRecord_InvalidHeader_RejectedNamingAttribute(string header, string value, string attribute, string messagePart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => KafkaBinding.FromRecord(new KafkaRecord(null, Headers((header, value)), null)));

        Assert.Equal(attribute, e.AttributeName);
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRecord_InvalidUtf8Header_Rejected()
    {
        var headers = Headers().Append(new KafkaHeader("ce_ext", [0xC0, 0xA0])).ToList();

        var e = Assert.Throws<CloudEventFormatException>(() => KafkaBinding.FromRecord(new KafkaRecord(null, headers, null)));

        Assert.Equal("ext", e.AttributeName);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRecord_HeaderWithoutValue_Rejected()
    {
        var headers = Headers().Append(new KafkaHeader("ce_ext", null)).ToList();

        Assert.Equal("ext", Assert.Throws<CloudEventFormatException>(() => KafkaBinding.FromRecord(new KafkaRecord(null, headers, null))).AttributeName);
    }

    [Fact]
    public void FromRecord_NoCeHeaders_NotACloudEvent()
    {
        var record = new KafkaRecord("k", [new KafkaHeader("content-type", "application/json"u8.ToArray())], "{}"u8.ToArray());

        var e = Assert.Throws<CloudEventFormatException>(() => KafkaBinding.FromRecord(record));

        Assert.Equal("specversion", e.AttributeName);
        Assert.False(KafkaBinding.IsCloudEvent(record));
    }

    [Theory]
    [InlineData("application/cloudevents+json")]
    [InlineData("Application/CloudEvents+JSON; charset=UTF-8")]
    public void FromRecord_Structured_CaseInsensitiveAndIgnoresCeHeaders(string contentType)
    {
        var headers = new List<KafkaHeader> { new("content-type", Encoding.UTF8.GetBytes(contentType)), new("ce_id", "header"u8.ToArray()), new("ce_id", "twice"u8.ToArray()) };
        var record = new KafkaRecord(null, headers, JsonEventFormat.Encode(TestEvents.AllCore()));

        CloudEvent e = KafkaBinding.FromRecord(record);

        TestEvents.AssertEqual(TestEvents.AllCore(), e);
        Assert.True(KafkaBinding.IsCloudEvent(record));
    }

    [Fact]
    public void FromRecord_StructuredProtobuf_Decoded()
    {
        var record = new KafkaRecord(null, [new KafkaHeader("content-type", "application/cloudevents+protobuf"u8.ToArray())], ProtobufEventFormat.Encode(TestEvents.WithExtensions()));

        TestEvents.AssertEqual(TestEvents.WithExtensions(), KafkaBinding.FromRecord(record));
    }

    [Theory]
    [InlineData("application/cloudevents-batch+json")]
    [InlineData("APPLICATION/CLOUDEVENTS-BATCH+PROTOBUF")]
    public void FromRecord_BatchMediaType_Rejected(string contentType)
    {
        var record = new KafkaRecord(null, [new KafkaHeader("content-type", Encoding.UTF8.GetBytes(contentType))], "[]"u8.ToArray());

        var e = Assert.Throws<CloudEventFormatException>(() => KafkaBinding.FromRecord(record));

        Assert.Contains("no batch mode", e.Message, StringComparison.Ordinal);
        Assert.False(KafkaBinding.IsCloudEvent(record));
    }

    [Fact]
    public void FromRecord_StructuredUnsupportedFormat_ThrowsUnsupportedMediaType()
    {
        var record = new KafkaRecord(null, [new KafkaHeader("content-type", "application/cloudevents+avro"u8.ToArray())], [1]);

        Assert.Throws<CloudEventUnsupportedMediaTypeException>(() => KafkaBinding.FromRecord(record));
    }

    [Fact]
    public void FromRecord_StructuredNullValue_Rejected()
    {
        var record = new KafkaRecord(null, [new KafkaHeader("content-type", "application/cloudevents+json"u8.ToArray())], null);

        Assert.Contains("value is null", Assert.Throws<CloudEventFormatException>(() => KafkaBinding.FromRecord(record)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromRecord_StructuredWithoutContentType_LooksBinaryAndIsRejected()
    {
        var record = new KafkaRecord(null, [], JsonEventFormat.Encode(TestEvents.Minimal()));

        Assert.Throws<CloudEventFormatException>(() => KafkaBinding.FromRecord(record));
        Assert.False(KafkaBinding.IsCloudEvent(record));
    }

    [Fact]
    public void IsCloudEvent_BinaryRecord_True() =>
        Assert.True(KafkaBinding.IsCloudEvent(KafkaBinding.ToRecord(TestEvents.Minimal(), KafkaContentMode.Binary)));

    [Fact]
    public void ToRecord_InvalidEvent_Throws() =>
        Assert.Throws<CloudEventFormatException>(() => KafkaBinding.ToRecord(new CloudEvent(), KafkaContentMode.Binary));

    [Fact]
    public void ToRecord_ReturnedBuffersAreNotShared()
    {
        KafkaRecord first = KafkaBinding.ToRecord(TestEvents.Minimal(), KafkaContentMode.Binary);
        first.Headers[0].Value![0] = (byte)'9';

        KafkaRecord second = KafkaBinding.ToRecord(TestEvents.Minimal(), KafkaContentMode.Binary);

        Assert.Equal("1.0", Header(second, "ce_specversion"));
    }

    [Fact]
    public void WrapRecord_PlainRecord_FollowsKafkaSourceConvention()
    {
        var record = new KafkaRecord(
            "key-1",
            [
                new KafkaHeader("content-type", "application/json"u8.ToArray()),
                new KafkaHeader("X-Trace_ID", "abc"u8.ToArray()),
                new KafkaHeader("empty", null),
                new KafkaHeader("binary", [0xC0, 0xA0]),
            ],
            "{\"a\":1}"u8.ToArray());
        var origin = new KafkaRecordOrigin("ns", "src", "my.topic", 3, 42, new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero));

        CloudEvent e = KafkaBinding.WrapRecord(record, origin);

        Assert.Equal("dev.knative.kafka.event", e.Type);
        Assert.Equal("/apis/v1/namespaces/ns/kafkasources/src#my.topic", e.Source);
        Assert.Equal("partition:3#42", e.Subject);
        Assert.Equal("partition:3/offset:42", e.Id);
        Assert.Equal(origin.Timestamp, e.Time);
        Assert.Equal("application/json", e.DataContentType);
        Assert.Equal(CloudEventDataKind.Json, e.Data.Kind);
        Assert.Equal("key-1", e["key"]);
        Assert.Null(e["partitionkey"]);
        Assert.Equal("abc", e["kafkaheaderxtraceid"]);
        Assert.Equal(string.Empty, e["kafkaheaderempty"]);
        Assert.Null(e["kafkaheaderbinary"]);
        Assert.Null(e["kafkaheadercontenttype"]);
        Assert.True(e.IsValid);
    }

    [Theory]
    [InlineData("application/protobuf")]
    [InlineData(null)]
    public void PublishToDelivery_ProtoDataAndNanosecondTime_DeliveredAsPublished(string? contentType)
    {
        // What a gRPC client publishes: proto_data packed by its runtime, a time with nanoseconds.
        var published = new PbEvent { Id = "1", Source = "/s", SpecVersion = "1.0", Type = "t", ProtoData = Any.Pack(new StringValue { Value = "v" }) };
        published.Attributes["time"] = new PbValue { CeTimestamp = new Timestamp { Seconds = 1_796_126_400L, Nanos = 123_456_789 } };
        if (contentType != null)
        {
            published.Attributes["datacontenttype"] = new PbValue { CeString = contentType };
        }

        KafkaRecord record = KafkaBinding.ToRecord(ProtobufEventFormat.FromProto(published), KafkaContentMode.Binary);
        var consumed = new KafkaRecord(record.Key, record.Headers.Select(h => new KafkaHeader(h.Name, h.Value?.ToArray())).ToList(), record.Value?.ToArray());
        PbEvent delivered = ProtobufEventFormat.ToProto(KafkaBinding.FromRecord(consumed));

        Assert.Equal("application/protobuf; proto=google.protobuf.StringValue", Header(record, "content-type"));
        Assert.Equal("2026-12-01T12:00:00.123456789Z", Header(record, "ce_time"));
        Assert.Equal(new StringValue { Value = "v" }.ToByteArray(), record.Value);
        PbEvent expected = published.Clone();
        expected.Attributes["datacontenttype"] = new PbValue { CeString = "application/protobuf" };
        Assert.Equal(expected, delivered);
    }

    [Theory]
    [InlineData(KafkaContentMode.Binary)]
    [InlineData(KafkaContentMode.Structured)]
    public void ToRecordFromRecord_CustomTypeUrlPrefix_KeptExactly(KafkaContentMode mode)
    {
        var any = new Any { TypeUrl = "example.com/types/flagger.v1.Canary", Value = ByteString.CopyFrom(8, 1) };
        CloudEvent e = TestEvents.WithData(CloudEventData.FromProto(any), "application/x-protobuf; encoding=binary");

        KafkaRecord record = KafkaBinding.ToRecord(e, mode);
        CloudEvent decoded = KafkaBinding.FromRecord(record);

        Assert.Equal(any, decoded.Data.Proto);
        Assert.Equal("application/x-protobuf; encoding=binary", decoded.DataContentType);
        if (mode == KafkaContentMode.Binary)
        {
            Assert.Equal("application/x-protobuf; encoding=binary; proto=\"example.com/types/flagger.v1.Canary\"", Header(record, "content-type"));
        }
    }

    [Fact]
    public void FromRecord_ProtobufBodyNamingItsMessage_ProtoData()
    {
        byte[] body = new Int32Value { Value = 7 }.ToByteArray();
        var record = new KafkaRecord(null, Headers(("content-type", "application/protobuf; proto=google.protobuf.Int32Value")), body);

        CloudEvent e = KafkaBinding.FromRecord(record);

        Assert.Equal(CloudEventDataKind.Proto, e.Data.Kind);
        Assert.Equal("type.googleapis.com/google.protobuf.Int32Value", e.Data.Proto!.TypeUrl);
        Assert.Equal(7, e.Data.Proto.Unpack<Int32Value>().Value);
        Assert.Equal("application/protobuf", e.DataContentType);
    }

    [Theory]
    [InlineData("application/protobuf")]
    [InlineData("application/protobuf; proto=\"example.com/\"")]
    [InlineData("application/octet-stream; proto=pkg.Msg")]
    public void FromRecord_BytesWithoutUsableMessageType_StayBinaryWithTheirContentType(string contentType)
    {
        var record = new KafkaRecord(null, Headers(("content-type", contentType)), [1, 2]);

        CloudEvent e = KafkaBinding.FromRecord(record);

        Assert.Equal(CloudEventDataKind.Binary, e.Data.Kind);
        Assert.Equal(contentType, e.DataContentType);
    }

    [Fact]
    public void FromRecord_ProtobufContentTypeWithoutValue_NoDataAndContentTypeUnchanged()
    {
        CloudEvent e = KafkaBinding.FromRecord(new KafkaRecord(null, Headers(("content-type", "application/protobuf; proto=pkg.Msg")), null));

        Assert.True(e.Data.IsNone);
        Assert.Equal("application/protobuf; proto=pkg.Msg", e.DataContentType);
    }

    [Theory]
    [InlineData("2026-12-01T12:00:00.123456789Z", "2026-12-01T12:00:00.123456789Z")]
    [InlineData("2026-12-01t13:00:00.000000001+01:00", "2026-12-01T12:00:00.000000001Z")]
    public void FromRecordToRecord_NanosecondTimeHeader_KeptToTheNanosecond(string header, string canonical)
    {
        CloudEvent e = KafkaBinding.FromRecord(new KafkaRecord(null, Headers(("ce_time", header)), null));

        Assert.Equal(canonical, e.PreciseTime.ToString());
        Assert.Equal(canonical, Header(KafkaBinding.ToRecord(e, KafkaContentMode.Binary), "ce_time"));
    }

    [Fact]
    public void WrapRecord_ProtobufBodyNamingItsMessage_ProtoData()
    {
        var record = new KafkaRecord(null, [new KafkaHeader("content-type", "application/protobuf; proto=pkg.Msg"u8.ToArray())], [1, 2]);

        CloudEvent e = KafkaBinding.WrapRecord(record, new KafkaRecordOrigin("ns", "s", "t", 0, 0, null));

        Assert.Equal("type.googleapis.com/pkg.Msg", e.Data.Proto!.TypeUrl);
        Assert.Equal("application/protobuf", e.DataContentType);
    }

    [Fact]
    public void WrapRecord_SetPartitionKey_CopiesKey()
    {
        CloudEvent e = KafkaBinding.WrapRecord(new KafkaRecord("k", [], null), new KafkaRecordOrigin("ns", "s", "t", 0, 0, null), setPartitionKey: true);

        Assert.Equal("k", e["partitionkey"]);
        Assert.True(e.Data.IsNone);
        Assert.Null(e.Time);
    }

    private static IReadOnlyList<KafkaHeader> Headers(params (string Name, string Value)[] extra)
    {
        var headers = new List<KafkaHeader>();
        foreach ((string name, string value) in new[] { ("ce_specversion", "1.0"), ("ce_id", "1"), ("ce_source", "/s"), ("ce_type", "t") })
        {
            if (!extra.Any(x => x.Name == name))
            {
                headers.Add(new KafkaHeader(name, Encoding.UTF8.GetBytes(value)));
            }
        }

        headers.AddRange(extra.Select(x => new KafkaHeader(x.Name, Encoding.UTF8.GetBytes(x.Value))));
        return headers;
    }

    private static string? Header(KafkaRecord record, string name)
    {
        KafkaHeader? header = record.Headers.SingleOrDefault(h => h.Name == name);
        return header?.Value == null ? null : Encoding.UTF8.GetString(header.Value);
    }
}
