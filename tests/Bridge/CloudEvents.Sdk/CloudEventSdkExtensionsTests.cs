using System.Text;
using System.Text.Json;
using CloudNative.CloudEvents;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using SdkAttribute = CloudNative.CloudEvents.CloudEventAttribute;
using SdkAttributeType = CloudNative.CloudEvents.CloudEventAttributeType;
using SdkCloudEvent = CloudNative.CloudEvents.CloudEvent;

namespace Bridge.CloudEvents.Sdk.Tests;

public class CloudEventSdkExtensionsTests
{
    public static TheoryData<string> BridgeCases() => new(BridgeEvents.Names);

    public static TheoryData<string> SdkCases() => new(SdkEvents.Names);

    [Theory]
    [MemberData(nameof(BridgeCases))]
    public void ToSdkCloudEvent_ValidEvent_SdkEventHoldsEveryAttributeAndTheData(string name)
    {
        CloudEvent original = BridgeEvents.Get(name);

        SdkCloudEvent sdk = original.ToSdkCloudEvent();

        EventAssert.Corresponds(original, sdk);
    }

    [Theory]
    [MemberData(nameof(BridgeCases))]
    public void ToBridgeCloudEvent_OfConvertedEvent_GivesTheOriginalBack(string name)
    {
        CloudEvent original = BridgeEvents.Get(name);

        CloudEvent back = original.ToSdkCloudEvent().ToBridgeCloudEvent();

        EventAssert.Same(original, back);
        Assert.Equal(original.IsValid, back.IsValid);
    }

    [Theory]
    [MemberData(nameof(SdkCases))]
    public void ToSdkCloudEvent_OfConvertedSdkEvent_GivesTheSdkEventBack(string name)
    {
        SdkCloudEvent original = SdkEvents.Get(name);

        SdkCloudEvent back = original.ToBridgeCloudEvent().ToSdkCloudEvent();

        EventAssert.SdkSame(original, back);
    }

    [Theory]
    [MemberData(nameof(SdkCases))]
    public void ToBridgeCloudEvent_SdkEvent_ValidEventWithTheSameContent(string name)
    {
        SdkCloudEvent original = SdkEvents.Get(name);

        CloudEvent converted = original.ToBridgeCloudEvent();

        converted.Validate();
        EventAssert.Corresponds(converted, original);
    }

    [Fact]
    public void ToSdkCloudEvent_ChangingTheSdkEvent_LeavesTheOriginalUnchanged()
    {
        CloudEvent original = BridgeEvents.Minimal();
        original.SetAttribute(CloudEventAttribute.CreateExtension("bin", CloudEventAttributeType.Binary), new byte[] { 1, 2 });
        original.Data = CloudEventData.FromBytes(new byte[] { 3, 4 });
        CloudEvent proto = BridgeEvents.Minimal();
        proto.Data = CloudEventData.FromProto(new StringValue { Value = "v" });

        SdkCloudEvent sdk = original.ToSdkCloudEvent();
        ((byte[])sdk["bin"]!)[0] = 99;
        ((byte[])sdk.Data!)[0] = 99;
        var any = (Any)proto.ToSdkCloudEvent().Data!;
        any.TypeUrl = "changed/x";

        Assert.Equal(new byte[] { 1, 2 }, (byte[])original["bin"]!);
        Assert.Equal(new byte[] { 3, 4 }, original.Data.Bytes.ToArray());
        Assert.Equal("type.googleapis.com/google.protobuf.StringValue", proto.Data.Proto!.TypeUrl);
    }

    [Fact]
    public void ToBridgeCloudEvent_ChangingTheSdkEvent_LeavesTheConvertedEventUnchanged()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        var bytes = new byte[] { 1, 2 };
        sdk[SdkAttribute.CreateExtension("bin", SdkAttributeType.Binary)] = bytes;
        var data = new byte[] { 3, 4 };
        sdk.Data = data;

        CloudEvent converted = sdk.ToBridgeCloudEvent();
        bytes[0] = 99;
        data[0] = 99;

        Assert.Equal(new byte[] { 1, 2 }, (byte[])converted["bin"]!);
        Assert.Equal(new byte[] { 3, 4 }, converted.Data.Bytes.ToArray());
    }

    [Fact]
    public void ToSdkCloudEvent_JsonWithWhitespaceAround_KeepsTheValueWithoutTheWhitespace()
    {
        CloudEvent original = BridgeEvents.Minimal();
        original.Data = CloudEventData.FromJson(" \n{\"a\": [1, 2]}\t ");

        CloudEvent back = original.ToSdkCloudEvent().ToBridgeCloudEvent();

        Assert.Equal("{\"a\": [1, 2]}", Encoding.UTF8.GetString(back.Data.Bytes.Span));
    }

    [Theory]
    [InlineData("source", "http://example.com:99999/", "Invalid port")]
    [InlineData("source", "http://[v1.x]/", "hostname could not be parsed")]
    [InlineData("dataschema", "foo://h%41st/", "hostname could not be parsed")]
    [InlineData("dataschema", "a:", "could not be determined")]
    public void ToSdkCloudEvent_UriSystemUriCannotParse_ThrowsNamingAttributeAndValue(string attribute, string value, string reason)
    {
        CloudEvent e = BridgeEvents.Minimal();
        e[attribute] = value;

        var ex = Assert.Throws<CloudEventSdkConversionException>(() => e.ToSdkCloudEvent());

        Assert.Equal(attribute, ex.AttributeName);
        Assert.Contains($"Attribute '{attribute}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("System.Uri", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
        Assert.IsType<UriFormatException>(ex.InnerException);
    }

    [Theory]
    [InlineData(CloudEventAttributeType.Uri, "http://example.com:70000/x")]
    [InlineData(CloudEventAttributeType.UriReference, "http://[v1.fe]/")]
    public void ToSdkCloudEvent_UriExtensionSystemUriCannotParse_ThrowsNamingExtension(CloudEventAttributeType type, string value)
    {
        CloudEvent e = BridgeEvents.Minimal();
        e.SetAttribute(CloudEventAttribute.CreateExtension("link", type), value);

        var ex = Assert.Throws<CloudEventSdkConversionException>(() => e.ToSdkCloudEvent());

        Assert.Equal("link", ex.AttributeName);
        Assert.Contains($"'{value}'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("time", "2026-12-01T12:00:00.123456789Z", 89)]
    [InlineData("time", "2026-12-01T13:00:00.000000001+01:00", 1)]
    [InlineData("exttime", "1969-12-31T23:59:59.999999999Z", 99)]
    public void ToSdkCloudEvent_TimestampFinerThanATick_ThrowsInsteadOfRounding(string attribute, string value, int lostNanoseconds)
    {
        CloudEvent e = BridgeEvents.Minimal();
        e.SetAttribute(CloudEventAttributes.GetCore(attribute) ?? CloudEventAttribute.CreateExtension(attribute, CloudEventAttributeType.Timestamp), value);

        var ex = Assert.Throws<CloudEventSdkConversionException>(() => e.ToSdkCloudEvent());

        Assert.Equal(attribute, ex.AttributeName);
        Assert.Contains($"Attribute '{attribute}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{CloudEventTimestamp.Parse(value)}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"{lostNanoseconds} ns below the 100 ns tick", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToSdkCloudEvent_TimestampToTheTickWithOffset_SameDateTimeOffsetBothWays()
    {
        CloudEvent e = BridgeEvents.Minimal();
        e.PreciseTime = CloudEventTimestamp.Parse("2026-12-01T17:45:00.1234567+05:45");

        SdkCloudEvent sdk = e.ToSdkCloudEvent();
        CloudEvent back = sdk.ToBridgeCloudEvent();

        Assert.True(new DateTimeOffset(2026, 12, 1, 17, 45, 0, TimeSpan.FromMinutes(345)).AddTicks(1234567).EqualsExact(sdk.Time!.Value));
        Assert.True(e.PreciseTime.Value.EqualsExact(back.PreciseTime!.Value));
        Assert.Equal(0, back.PreciseTime.Value.SubTickNanoseconds);
    }

    [Theory]
    [InlineData("application/json;a=b;a=c")]
    [InlineData("text/plain; ;a=b")]
    public void ToSdkCloudEvent_MediaTypeTheSdkRejects_ThrowsNamingDataContentType(string mediaType)
    {
        CloudEvent e = BridgeEvents.Minimal();
        e.DataContentType = mediaType;

        var ex = Assert.Throws<CloudEventSdkConversionException>(() => e.ToSdkCloudEvent());

        Assert.Equal("datacontenttype", ex.AttributeName);
        Assert.Contains("Attribute 'datacontenttype'", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"'{mediaType}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SDK rejects", ex.Message, StringComparison.Ordinal);
    }

    public static TheoryData<string, string, string> SpecViolations() => new()
    {
        { "source-raw-space", "source", "not a URI-reference" },
        { "source-bad-percent", "source", "not a URI-reference" },
        { "source-non-ascii", "source", "not a URI-reference" },
        { "source-ipv6-zone", "source", "not a URI-reference" },
        { "dataschema-implicit-file-path", "dataschema", "not an absolute URI" },
        { "datacontenttype-comment", "datacontenttype", "is not a media type" },
        { "datacontenttype-trailing-space", "datacontenttype", "is not a media type" },
        { "extension-named-data", "data", "reserved" },
        { "partitionkey-empty", "partitionkey", "must not be empty" },
        { "uri-extension-raw-space", "link", "not an absolute URI" },
        { "uriref-extension-backslash", "link", "not a URI-reference" },
        { "known-integer-extension-not-a-number", "knativebrokerttl", "not an Integer" },
        { "known-string-extension-as-integer", "partitionkey", "declares it Integer" },
        { "known-integer-extension-as-boolean", "knativeerrorcode", "declares it Boolean" },
    };

    [Theory]
    [MemberData(nameof(SpecViolations))]
    public void ToBridgeCloudEvent_ValueTheSdkAcceptsButTheSpecForbids_ThrowsNamingAttribute(string name, string attribute, string reason)
    {
        // Building the event shows the SDK accepts the value.
        SdkCloudEvent sdk = SpecViolation(name);

        var ex = Assert.Throws<CloudEventFormatException>(() => sdk.ToBridgeCloudEvent());

        Assert.Equal(attribute, ex.AttributeName);
        Assert.Contains($"'{attribute}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(reason, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToBridgeCloudEvent_KnownExtensionAsSdkString_TakesTheDefinedType()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk["knativebrokerttl"] = "255";
        sdk["knativeerrorcode"] = "-1";
        sdk["partitionkey"] = "test/podinfo";

        CloudEvent converted = sdk.ToBridgeCloudEvent();

        Assert.Equal(255, converted["knativebrokerttl"]);
        Assert.Equal(CloudEventAttributeType.Integer, converted.GetAttribute("knativebrokerttl")!.Type);
        Assert.Equal(-1, converted["knativeerrorcode"]);
        Assert.Equal("test/podinfo", converted["partitionkey"]);
        Assert.Same(CloudEventAttributes.PartitionKey, converted.GetAttribute("partitionkey"));
    }

    [Fact]
    public void ToBridgeCloudEvent_ProtobufMessage_PackedIntoAny()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk.Data = new Int64Value { Value = long.MaxValue };

        CloudEvent converted = sdk.ToBridgeCloudEvent();

        Assert.Equal(CloudEventDataKind.Proto, converted.Data.Kind);
        Assert.Equal("type.googleapis.com/google.protobuf.Int64Value", converted.Data.Proto!.TypeUrl);
        Assert.Equal(long.MaxValue, converted.Data.Proto.Unpack<Int64Value>().Value);
    }

    [Fact]
    public void ToBridgeCloudEvent_ProtobufAnyWithoutTypeUrl_ThrowsNamingData()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk.Data = new Any { Value = ByteString.CopyFrom(1, 2) };

        var ex = Assert.Throws<CloudEventFormatException>(() => sdk.ToBridgeCloudEvent());

        Assert.Equal("data", ex.AttributeName);
        Assert.Contains("type URL", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToBridgeCloudEvent_ReadOnlyMemoryOfBytes_BinaryData()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk.Data = new ReadOnlyMemory<byte>(new byte[] { 9, 8, 7, 6 }, 1, 2);

        CloudEvent converted = sdk.ToBridgeCloudEvent();

        Assert.Equal(CloudEventDataKind.Binary, converted.Data.Kind);
        Assert.Equal(new byte[] { 8, 7 }, converted.Data.Bytes.ToArray());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/json")]
    [InlineData("application/vnd.example+json; charset=utf-8")]
    public void ToBridgeCloudEvent_ObjectWithJsonContentType_SerializedToJson(string? contentType)
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk.DataContentType = contentType;
        sdk.Data = new Rollout("podinfo", 50, ["a", "é"]);

        CloudEvent converted = sdk.ToBridgeCloudEvent();

        Assert.Equal(CloudEventDataKind.Json, converted.Data.Kind);
        EventAssert.JsonEquivalent("""{"Name":"podinfo","Weight":50,"Tags":["a","é"]}"""u8, converted.Data.Bytes.Span);
        Assert.Equal(contentType, converted.DataContentType);
    }

    [Fact]
    public void ToBridgeCloudEvent_ObjectWithSerializerOptions_UsesThem()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk.Data = new Rollout("podinfo", 50, []);

        CloudEvent converted = sdk.ToBridgeCloudEvent(new JsonSerializerOptions(JsonSerializerDefaults.Web));

        EventAssert.JsonEquivalent("""{"name":"podinfo","weight":50,"tags":[]}"""u8, converted.Data.Bytes.Span);
    }

    [Fact]
    public void ToBridgeCloudEvent_ObjectWithNonJsonContentType_ThrowsNamingDataAndType()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk.DataContentType = "text/csv";
        sdk.Data = new Rollout("podinfo", 50, []);

        var ex = Assert.Throws<CloudEventSdkConversionException>(() => sdk.ToBridgeCloudEvent());

        Assert.Equal("data", ex.AttributeName);
        Assert.Contains(typeof(Rollout).FullName!, ex.Message, StringComparison.Ordinal);
        Assert.Contains("'text/csv'", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToBridgeCloudEvent_ObjectSystemTextJsonCannotSerialize_ThrowsNamingData()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk.Data = new Unserializable(typeof(string));

        var ex = Assert.Throws<CloudEventSdkConversionException>(() => sdk.ToBridgeCloudEvent());

        Assert.Equal("data", ex.AttributeName);
        Assert.Contains("cannot serialize", ex.Message, StringComparison.Ordinal);
        Assert.NotNull(ex.InnerException);
    }

    [Fact]
    public void ToBridgeCloudEvent_UndefinedJsonElement_ThrowsNamingData()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk.Data = default(JsonElement);

        var ex = Assert.Throws<CloudEventSdkConversionException>(() => sdk.ToBridgeCloudEvent());

        Assert.Equal("data", ex.AttributeName);
        Assert.Contains("undefined JsonElement", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToBridgeCloudEvent_IncompleteEvent_ConvertsWhatIsThere()
    {
        var sdk = new SdkCloudEvent { Type = "com.example.t" };

        CloudEvent converted = sdk.ToBridgeCloudEvent();

        Assert.Equal("com.example.t", converted.Type);
        Assert.False(converted.IsValid);
        var ex = Assert.Throws<CloudEventFormatException>(converted.Validate);
        Assert.Equal("id", ex.AttributeName);
    }

    [Theory]
    [InlineData(CloudEventAttributeType.Boolean, "Boolean")]
    [InlineData(CloudEventAttributeType.Integer, "Integer")]
    [InlineData(CloudEventAttributeType.String, "String")]
    [InlineData(CloudEventAttributeType.Binary, "Binary")]
    [InlineData(CloudEventAttributeType.Uri, "URI")]
    [InlineData(CloudEventAttributeType.UriReference, "URI-Reference")]
    [InlineData(CloudEventAttributeType.Timestamp, "Timestamp")]
    public void AttributeTypes_MapBothWays(CloudEventAttributeType type, string sdkName)
    {
        SdkAttributeType sdk = type.ToSdkAttributeType();

        Assert.Equal(sdkName, sdk.Name);
        Assert.Equal(type, sdk.ToBridgeAttributeType());
    }

    [Fact]
    public void ToSdkAttribute_CoreAttributes_AreTheSdksOwnDefinitions()
    {
        CloudEventsSpecVersion v1 = CloudEventsSpecVersion.V1_0;

        Assert.Same(CloudEventsSpecVersion.SpecVersionAttribute, CloudEventAttributes.SpecVersion.ToSdkAttribute());
        Assert.Same(v1.IdAttribute, CloudEventAttributes.Id.ToSdkAttribute());
        Assert.Same(v1.SourceAttribute, CloudEventAttributes.Source.ToSdkAttribute());
        Assert.Same(v1.TypeAttribute, CloudEventAttributes.Type.ToSdkAttribute());
        Assert.Same(v1.DataContentTypeAttribute, CloudEventAttributes.DataContentType.ToSdkAttribute());
        Assert.Same(v1.DataSchemaAttribute, CloudEventAttributes.DataSchema.ToSdkAttribute());
        Assert.Same(v1.SubjectAttribute, CloudEventAttributes.Subject.ToSdkAttribute());
        Assert.Same(v1.TimeAttribute, CloudEventAttributes.Time.ToSdkAttribute());
    }

    [Fact]
    public void ToSdkAttribute_Extension_SameNameAndType()
    {
        SdkAttribute sdk = CloudEventAttribute.CreateExtension("exttime", CloudEventAttributeType.Timestamp).ToSdkAttribute();

        Assert.Equal("exttime", sdk.Name);
        Assert.True(sdk.IsExtension);
        Assert.Same(SdkAttributeType.Timestamp, sdk.Type);
    }

    [Fact]
    public void Conversions_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => ((CloudEvent)null!).ToSdkCloudEvent());
        Assert.Throws<ArgumentNullException>(() => ((SdkCloudEvent)null!).ToBridgeCloudEvent());
        Assert.Throws<ArgumentNullException>(() => ((CloudEventAttribute)null!).ToSdkAttribute());
        Assert.Throws<ArgumentNullException>(() => ((SdkAttributeType)null!).ToBridgeAttributeType());
    }

    private static SdkCloudEvent SpecViolation(string name)
    {
        SdkCloudEvent e = SdkEvents.Minimal();
        switch (name)
        {
            case "source-raw-space": e.Source = new Uri("http://example.com/a b"); break;
            case "source-bad-percent": e.Source = new Uri("http://example.com/%zz"); break;
            case "source-non-ascii": e.Source = new Uri("http://example.com/caf\u00e9"); break;
            case "source-ipv6-zone": e.Source = new Uri("http://[fe80::1%25eth0]/"); break;
            case "dataschema-implicit-file-path": e.DataSchema = new Uri("/schema"); break;
            case "datacontenttype-comment": e.DataContentType = "text/plain (a comment)"; break;
            case "datacontenttype-trailing-space": e.DataContentType = "text/plain; charset=utf-8 "; break;
            case "extension-named-data": e[SdkAttribute.CreateExtension("data", SdkAttributeType.String, validator: null)] = "payload?"; break;
            case "partitionkey-empty": e["partitionkey"] = ""; break;
            case "uri-extension-raw-space": e[SdkAttribute.CreateExtension("link", SdkAttributeType.Uri)] = new Uri("http://example.com/a b"); break;
            case "uriref-extension-backslash": e[SdkAttribute.CreateExtension("link", SdkAttributeType.UriReference)] = new Uri("a\\b", UriKind.Relative); break;
            case "known-integer-extension-not-a-number": e["knativebrokerttl"] = "many"; break;
            case "known-string-extension-as-integer": e[SdkAttribute.CreateExtension("partitionkey", SdkAttributeType.Integer)] = 7; break;
            case "known-integer-extension-as-boolean": e[SdkAttribute.CreateExtension("knativeerrorcode", SdkAttributeType.Boolean)] = true; break;
            default: throw new ArgumentOutOfRangeException(nameof(name), name, "no such case");
        }

        return e;
    }

    public sealed record Rollout(string Name, int Weight, string[] Tags);

    public sealed record Unserializable(System.Type Type);
}
