using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using PbEvent = Bridge.CloudEvents.Protobuf.CloudEvent;
using PbValue = Bridge.CloudEvents.Protobuf.CloudEvent.Types.CloudEventAttributeValue;

namespace Bridge.CloudEvents.Tests;

public class ProtobufEventFormatTests
{
    public static TheoryData<string> AttributeCases() => new(TestEvents.Attributes().Select(c => c.Name));

    public static TheoryData<string> DataCases() => new(TestEvents.DataKinds(includeProto: true, includeEmptyBinary: true).Select(c => c.Name));

    [Theory]
    [MemberData(nameof(AttributeCases))]
    public void EncodeDecode_Attributes_RoundTripWithEveryType(string name)
    {
        CloudEvent original = TestEvents.Attributes().Single(c => c.Name == name).Event;

        CloudEvent decoded = ProtobufEventFormat.Decode(ProtobufEventFormat.Encode(original));

        TestEvents.AssertEqual(original, decoded);
    }

    [Theory]
    [MemberData(nameof(DataCases))]
    public void EncodeDecode_DataKinds_RoundTrip(string name)
    {
        CloudEvent original = TestEvents.DataKinds(true, true).Single(c => c.Name == name).Event;

        CloudEvent decoded = ProtobufEventFormat.Decode(ProtobufEventFormat.Encode(original));

        TestEvents.AssertEqual(original, decoded);
    }

    [Fact]
    public void ToProto_MapsAttributesToOneofMembers()
    {
        PbEvent message = ProtobufEventFormat.ToProto(TestEvents.WithExtensions());

        Assert.Equal("1.0", message.SpecVersion);
        Assert.Equal(PbValue.AttrOneofCase.CeBoolean, message.Attributes["extbool"].AttrCase);
        Assert.Equal(int.MinValue, message.Attributes["extint"].CeInteger);
        Assert.Equal(PbValue.AttrOneofCase.CeBytes, message.Attributes["extbinary"].AttrCase);
        Assert.Equal("https://example.com/x%20y", message.Attributes["exturi"].CeUri);
        Assert.Equal("../rel?q#f", message.Attributes["exturiref"].CeUriRef);
        Assert.Equal(PbValue.AttrOneofCase.CeTimestamp, message.Attributes["exttime"].AttrCase);
        Assert.Equal(255, message.Attributes["knativebrokerttl"].CeInteger);
        Assert.False(message.Attributes.ContainsKey("id"));
    }

    [Fact]
    public void ToProto_Data_UsesMatchingMember()
    {
        Assert.Equal(PbEvent.DataOneofCase.BinaryData, ToProto(CloudEventData.FromBytes(new byte[] { 1 }), null).DataCase);
        Assert.Equal(PbEvent.DataOneofCase.TextData, ToProto(CloudEventData.FromText("x"), "text/plain").DataCase);
        PbEvent proto = ToProto(CloudEventData.FromProto(new StringValue { Value = "v" }), null);
        Assert.Equal("type.googleapis.com/google.protobuf.StringValue", proto.ProtoData.TypeUrl);
        Assert.False(proto.Attributes.ContainsKey("dataschema"));
        Assert.False(proto.Attributes.ContainsKey("datacontenttype"));
        Assert.Equal(PbEvent.DataOneofCase.None, ToProto(CloudEventData.None, null).DataCase);
    }

    [Fact]
    public void ToProto_JsonDataWithoutContentType_TextDataWithApplicationJson()
    {
        PbEvent message = ToProto(CloudEventData.FromJson("{\"a\":1}"), null);

        Assert.Equal("{\"a\":1}", message.TextData);
        Assert.Equal("application/json", message.Attributes["datacontenttype"].CeString);
        Assert.Equal(CloudEventDataKind.Json, ProtobufEventFormat.FromProto(message).Data.Kind);
    }

    [Fact]
    public void ToProto_TextWithoutContentType_AddsTextPlain() =>
        Assert.Equal(MediaTypes.TextPlainUtf8, ToProto(CloudEventData.FromText("x"), null).Attributes["datacontenttype"].CeString);

    [Fact]
    public void FromProto_TextDataWithJsonContentTypeButNotJson_IsText()
    {
        PbEvent message = Valid();
        message.Attributes["datacontenttype"] = new PbValue { CeString = "application/json" };
        message.TextData = "not json";

        CloudEvent e = ProtobufEventFormat.FromProto(message);

        Assert.Equal(CloudEventDataKind.Text, e.Data.Kind);
    }

    [Fact]
    public void FromProto_TextDataWithoutContentType_IsText() =>
        Assert.Equal(CloudEventDataKind.Text, ProtobufEventFormat.FromProto(With(m => m.TextData = "{}")).Data.Kind);

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public void FromProto_Invalid_RejectedNamingAttribute(string caseName, string attribute, string messagePart)
    {
        PbEvent message = InvalidMessage(caseName);

        var e = Assert.Throws<CloudEventFormatException>(() => ProtobufEventFormat.FromProto(message));

        Assert.Equal(attribute, e.AttributeName);
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> InvalidMessages() => new()
    {
        { "no-specversion", "specversion", "missing" },
        { "specversion-0.3", "specversion", "only '1.0'" },
        { "empty-id", "id", "missing or empty" },
        { "empty-source", "source", "missing or empty" },
        { "empty-type", "type", "missing or empty" },
        { "bad-source", "source", "URI-reference" },
        { "id-in-map", "id", "explicit field" },
        { "specversion-in-map", "specversion", "explicit field" },
        { "no-member", "ext", "no member" },
        { "bad-key", "Ext", "only lower-case" },
        { "empty-key", "", "empty" },
        { "data-key", "data", "reserved" },
        { "time-as-string", "time", "ce_timestamp, not ce_string" },
        { "dataschema-as-uriref", "dataschema", "ce_uri, not ce_uri_ref" },
        { "dataschema-type-url", "dataschema", "absolute URI" },
        { "contenttype-as-uri", "datacontenttype", "ce_string, not ce_uri" },
        { "subject-empty", "subject", "empty" },
        { "partitionkey-integer", "partitionkey", "ce_string, not ce_integer" },
        { "ttl-bad-string", "knativebrokerttl", "Integer" },
        { "timestamp-out-of-range", "exttime", "not a valid timestamp" },
        { "nanos-out-of-range", "exttime", "nanos" },
        { "uri-relative", "exturi", "absolute URI" },
        { "uriref-space", "exturiref", "URI-reference" },
        { "string-control", "ext", "U+0001" },
        { "proto-no-type-url", "data", "type URL" },
        { "proto-type-url-without-slash", "data", "'/' before the message name" },
        { "proto-type-url-without-name", "data", "no message name" },
        { "proto-type-url-with-space", "data", "U+0020" },
        { "proto-type-url-non-ascii", "data", "U+00E9" },
    };

    [Fact]
    public void FromProto_KnownIntegerExtensionAsString_Accepted()
    {
        CloudEvent e = ProtobufEventFormat.FromProto(With(m => m.Attributes["knativebrokerttl"] = new PbValue { CeString = "7" }));

        Assert.Equal(7, e["knativebrokerttl"]);
    }

    [Fact]
    public void FromProto_TimestampNanos_KeptToTheNanosecond()
    {
        CloudEvent e = ProtobufEventFormat.FromProto(With(m =>
        {
            m.Attributes["time"] = new PbValue { CeTimestamp = new Timestamp { Seconds = 0, Nanos = 123_456_789 } };
            m.Attributes["exttime"] = new PbValue { CeTimestamp = new Timestamp { Seconds = -1, Nanos = 1 } };
        }));

        Assert.Equal("1970-01-01T00:00:00.123456789Z", e.PreciseTime.ToString());
        Assert.Equal("1970-01-01T00:00:00.1234567Z", CanonicalString.FormatTimestamp(e.Time!.Value));
        Assert.Equal(CloudEventTimestamp.Parse("1969-12-31T23:59:59.000000001Z"), e["exttime"]);
    }

    [Fact]
    public void ToProto_TimestampNanos_WrittenToTheNanosecond()
    {
        CloudEvent e = TestEvents.Minimal();
        e.PreciseTime = CloudEventTimestamp.Parse("2026-12-01T13:00:00.123456789+01:00");
        e["exttime"] = CloudEventTimestamp.Parse("1969-12-31T23:59:59.999999999Z");

        PbEvent message = ProtobufEventFormat.ToProto(e);

        Assert.Equal(new Timestamp { Seconds = 1_796_126_400L, Nanos = 123_456_789 }, message.Attributes["time"].CeTimestamp);
        Assert.Equal(new Timestamp { Seconds = -1, Nanos = 999_999_999 }, message.Attributes["exttime"].CeTimestamp);
    }

    [Fact]
    public void Decode_DuplicateMapKeyOnWire_Rejected()
    {
        byte[] first = With(m => m.Attributes["ext"] = new PbValue { CeString = "a" }).ToByteArray();
        var second = new PbEvent();
        second.Attributes["ext"] = new PbValue { CeString = "b" };
        byte[] bytes = [.. first, .. second.ToByteArray()];

        var e = Assert.Throws<CloudEventFormatException>(() => ProtobufEventFormat.Decode(bytes));

        Assert.Equal("ext", e.AttributeName);
        Assert.Contains("more than once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_UnknownFields_Skipped()
    {
        byte[] valid = Valid().ToByteArray();
        byte[] unknown = [.. valid, 0x98, 0x06, 0x01, 0xA2, 0x06, 0x02, 0x68, 0x69]; // field 99 varint 1, field 100 "hi"

        CloudEvent e = ProtobufEventFormat.Decode(unknown);

        Assert.Equal("1", e.Id);
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x05, 0x61 })]
    [InlineData(new byte[] { 0xFF })]
    public void Decode_Malformed_Rejected(byte[] bytes)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => ProtobufEventFormat.Decode(bytes));

        Assert.Contains("malformed", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new byte[] { 0x0A, 0x02, 0xC0, 0xA0 }, "id")]
    [InlineData(new byte[] { 0x12, 0x03, 0xED, 0xA0, 0x80 }, "source")]
    [InlineData(new byte[] { 0x3A, 0x01, 0xFF }, "data")]
    [InlineData(new byte[] { 0x2A, 0x0A, 0x0A, 0x03, 0x65, 0x78, 0x74, 0x12, 0x03, 0x1A, 0x01, 0x80 }, "ext")]
    public void Decode_InvalidUtf8InStringField_Rejected(byte[] bytes, string attribute)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => ProtobufEventFormat.Decode(bytes));

        Assert.Equal(attribute, e.AttributeName);
        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_Empty_RejectedAsMissingSpecVersion() =>
        Assert.Equal("specversion", Assert.Throws<CloudEventFormatException>(() => ProtobufEventFormat.Decode([])).AttributeName);

    [Fact]
    public void EncodeDecodeBatch_RoundTripInOrder()
    {
        CloudEvent[] events = [TestEvents.Minimal(), TestEvents.WithExtensions(), TestEvents.Minimal()];

        IReadOnlyList<CloudEvent> decoded = ProtobufEventFormat.DecodeBatch(ProtobufEventFormat.EncodeBatch(events));

        Assert.Equal(3, decoded.Count);
        for (int i = 0; i < events.Length; i++)
        {
            TestEvents.AssertEqual(events[i], decoded[i]);
        }

        Assert.Empty(ProtobufEventFormat.DecodeBatch([]));
    }

    [Fact]
    public void DecodeBatch_InvalidElement_NamesIndex()
    {
        var batch = new Bridge.CloudEvents.Protobuf.CloudEventBatch();
        batch.Events.Add(Valid());
        batch.Events.Add(With(m => m.Type = string.Empty));

        var e = Assert.Throws<CloudEventFormatException>(() => ProtobufEventFormat.DecodeBatch(batch.ToByteArray()));

        Assert.StartsWith("Batch element 1:", e.Message, StringComparison.Ordinal);
        Assert.Equal("type", e.AttributeName);
    }

    [Fact]
    public void DecodeBatch_DuplicateKeyInSecondEvent_NamesIndex()
    {
        byte[] first = With(m => m.Attributes["ext"] = new PbValue { CeString = "a" }).ToByteArray();
        var extra = new PbEvent();
        extra.Attributes["ext"] = new PbValue { CeString = "b" };
        byte[] eventBytes = [.. first, .. extra.ToByteArray()];
        var batch = new Bridge.CloudEvents.Protobuf.CloudEventBatch();
        batch.Events.Add(Valid());
        byte[] bytes = [.. batch.ToByteArray(), 0x0A, .. Varint(eventBytes.Length), .. eventBytes];

        var e = Assert.Throws<CloudEventFormatException>(() => ProtobufEventFormat.DecodeBatch(bytes));

        Assert.StartsWith("Batch element 1:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToProtoBatch_InvalidEvent_NamesIndex()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => ProtobufEventFormat.ToProtoBatch([TestEvents.Minimal(), new CloudEvent()]));

        Assert.StartsWith("Batch element 1:", e.Message, StringComparison.Ordinal);
    }

    private static PbEvent ToProto(CloudEventData data, string? contentType) =>
        ProtobufEventFormat.ToProto(TestEvents.WithData(data, contentType));

    private static PbEvent Valid() => new() { Id = "1", Source = "/s", SpecVersion = "1.0", Type = "t" };

    private static PbEvent With(Action<PbEvent> change)
    {
        PbEvent message = Valid();
        change(message);
        return message;
    }

    private static byte[] Varint(int value)
    {
        var bytes = new List<byte>();
        while (value >= 0x80)
        {
            bytes.Add((byte)(value | 0x80));
            value >>= 7;
        }

        bytes.Add((byte)value);
        return bytes.ToArray();
    }

    private static PbEvent InvalidMessage(string caseName) => caseName switch
    {
        "no-specversion" => With(m => m.SpecVersion = string.Empty),
        "specversion-0.3" => With(m => m.SpecVersion = "0.3"),
        "empty-id" => With(m => m.Id = string.Empty),
        "empty-source" => With(m => m.Source = string.Empty),
        "empty-type" => With(m => m.Type = string.Empty),
        "bad-source" => With(m => m.Source = "a b"),
        "id-in-map" => With(m => m.Attributes["id"] = new PbValue { CeString = "2" }),
        "specversion-in-map" => With(m => m.Attributes["specversion"] = new PbValue { CeString = "1.0" }),
        "no-member" => With(m => m.Attributes["ext"] = new PbValue()),
        "bad-key" => With(m => m.Attributes["Ext"] = new PbValue { CeString = "x" }),
        "empty-key" => With(m => m.Attributes[string.Empty] = new PbValue { CeString = "x" }),
        "data-key" => With(m => m.Attributes["data"] = new PbValue { CeString = "x" }),
        "time-as-string" => With(m => m.Attributes["time"] = new PbValue { CeString = "2024-01-01T00:00:00Z" }),
        "dataschema-as-uriref" => With(m => m.Attributes["dataschema"] = new PbValue { CeUriRef = "https://x" }),
        "dataschema-type-url" => With(m =>
        {
            m.Attributes["dataschema"] = new PbValue { CeUri = "type.googleapis.com/google.protobuf.StringValue" };
            m.ProtoData = Any.Pack(new StringValue { Value = "v" });
        }),
        "contenttype-as-uri" => With(m => m.Attributes["datacontenttype"] = new PbValue { CeUri = "https://x" }),
        "subject-empty" => With(m => m.Attributes["subject"] = new PbValue { CeString = string.Empty }),
        "partitionkey-integer" => With(m => m.Attributes["partitionkey"] = new PbValue { CeInteger = 1 }),
        "ttl-bad-string" => With(m => m.Attributes["knativebrokerttl"] = new PbValue { CeString = "x" }),
        "timestamp-out-of-range" => With(m => m.Attributes["exttime"] = new PbValue { CeTimestamp = new Timestamp { Seconds = 253402300800 } }),
        "nanos-out-of-range" => With(m => m.Attributes["exttime"] = new PbValue { CeTimestamp = new Timestamp { Nanos = 1_000_000_000 } }),
        "uri-relative" => With(m => m.Attributes["exturi"] = new PbValue { CeUri = "/x" }),
        "uriref-space" => With(m => m.Attributes["exturiref"] = new PbValue { CeUriRef = "a b" }),
        "string-control" => With(m => m.Attributes["ext"] = new PbValue { CeString = "a\u0001" }),
        "proto-no-type-url" => With(m => m.ProtoData = new Any()),
        "proto-type-url-without-slash" => With(m => m.ProtoData = new Any { TypeUrl = "pkg.Msg" }),
        "proto-type-url-without-name" => With(m => m.ProtoData = new Any { TypeUrl = "type.googleapis.com/" }),
        "proto-type-url-with-space" => With(m => m.ProtoData = new Any { TypeUrl = "type.googleapis.com/pkg Msg" }),
        "proto-type-url-non-ascii" => With(m => m.ProtoData = new Any { TypeUrl = "type.googleapis.com/pkg.Mé" }),
        _ => throw new ArgumentOutOfRangeException(nameof(caseName)),
    };
}
