using System.Net.Mime;
using System.Text;
using CloudNative.CloudEvents.SystemTextJson;
using SdkAttribute = CloudNative.CloudEvents.CloudEventAttribute;
using SdkCloudEvent = CloudNative.CloudEvents.CloudEvent;

namespace Bridge.CloudEvents.Sdk.Tests;

/// <summary>
/// Converted events on the wire: the SDK's JsonEventFormatter encodes what this library decodes, and the reverse.
/// Cases the SDK's formatter cannot handle are excluded here and pinned by their own tests below.
/// </summary>
public class SdkJsonFormatterInteropTests
{
    private const string UpperCaseJson = "datacontenttype-upper-case-json";
    private const string TextWithoutContentType = "data text-no-content-type";
    private const string JsonUnderTextContentType = "data json-text-plain-content-type";
    private const string TextUnderXmlContentType = "data text-xml";
    private const string JsonNull = "data json-null";
    private const string JsonNullWithoutContentType = "data json-null-no-content-type";

    private static readonly ContentType StructuredJson = new("application/cloudevents+json; charset=utf-8");

    public static TheoryData<string> SdkEncodableCases() => new(
        BridgeEvents.NamesWithoutProto.Where(n => BridgeEvents.Get(n).IsValid && n is not (UpperCaseJson or TextWithoutContentType or JsonUnderTextContentType or TextUnderXmlContentType)));

    public static TheoryData<string> SdkDecodableCases() => new(
        BridgeEvents.Names.Where(n => BridgeEvents.Get(n).IsValid && n is not (UpperCaseJson or JsonNull or JsonNullWithoutContentType)));

    [Theory]
    [MemberData(nameof(SdkEncodableCases))]
    public void SdkEncode_ConvertedEvent_OurDecoderReadsWhatOurEncoderWouldHaveSent(string name)
    {
        CloudEvent original = BridgeEvents.Get(name);

        ReadOnlyMemory<byte> body = new JsonEventFormatter().EncodeStructuredModeMessage(original.ToSdkCloudEvent(), out _);
        CloudEvent decoded = JsonEventFormat.Decode(body.Span);

        // What the JSON format carries of the event (extension types beyond its own become Strings; time in UTC).
        CloudEvent expected = JsonEventFormat.Decode(JsonEventFormat.Encode(original));
        SameOnTheWire(original, expected, decoded);
    }

    [Theory]
    [MemberData(nameof(SdkDecodableCases))]
    public void SdkDecode_OurEncoding_ConvertsBackToTheOriginal(string name)
    {
        CloudEvent original = BridgeEvents.Get(name);
        byte[] body = JsonEventFormat.Encode(original);
        IEnumerable<SdkAttribute> declared = original.GetExtensions().Select(e => e.Key.ToSdkAttribute());

        SdkCloudEvent sdk = new JsonEventFormatter().DecodeStructuredModeMessage(body, StructuredJson, declared);
        CloudEvent back = sdk.ToBridgeCloudEvent();

        // Declared to the SDK, every extension keeps its type. The JSON format itself renders times in UTC, adds a
        // datacontenttype where there was none, and sends protobuf data as bytes: as our own decoder reads it, except
        // that the SDK keeps protobuf bytes as bytes, with the message type still in the content type.
        CloudEvent ours = JsonEventFormat.Decode(body);
        if (ours.Data.Kind == CloudEventDataKind.Proto)
        {
            string wireContentType = sdk.DataContentType!;
            Assert.True(MediaTypes.TryGetProtobufTypeUrl(wireContentType, out string? typeUrl));
            Assert.Equal(ours.Data.Proto!.TypeUrl, typeUrl);
            ours.DataContentType = wireContentType;
            ours.Data = CloudEventData.FromBytes(ours.Data.ToBytes().ToArray());
        }

        CloudEvent expected = original.Clone();
        foreach ((CloudEventAttribute attribute, object value) in original.GetPopulatedAttributes())
        {
            if (value is CloudEventTimestamp time)
            {
                expected.SetAttribute(attribute, time.ToUniversalTime());
            }
        }

        expected.DataContentType = ours.DataContentType;
        expected.Data = ours.Data;
        EventAssert.Same(expected, back);
    }

    [Fact]
    public void SdkDecode_ExtensionsNotDeclared_KnownExtensionsStillGetTheirTypes()
    {
        CloudEvent original = BridgeEvents.Get("known-extensions");
        byte[] body = JsonEventFormat.Encode(original);

        SdkCloudEvent sdk = new JsonEventFormatter().DecodeStructuredModeMessage(body, StructuredJson, null);
        CloudEvent back = sdk.ToBridgeCloudEvent();

        Assert.Equal("String", sdk.GetAttribute("knativebrokerttl")!.Type.Name);
        EventAssert.Same(original, back);
    }

    [Fact]
    public void SdkEncode_TextWithoutContentType_IsSentAsJsonString()
    {
        // Documented difference: the SDK infers application/json for a string, our formats infer text/plain.
        CloudEvent original = BridgeEvents.Get(TextWithoutContentType);

        ReadOnlyMemory<byte> body = new JsonEventFormatter().EncodeStructuredModeMessage(original.ToSdkCloudEvent(), out _);
        CloudEvent decoded = JsonEventFormat.Decode(body.Span);

        Assert.Equal("application/json", decoded.DataContentType);
        Assert.Equal(CloudEventDataKind.Json, decoded.Data.Kind);
        Assert.Equal("\"plain\"", Encoding.UTF8.GetString(decoded.Data.Bytes.Span));
        Assert.Equal(MediaTypes.TextPlainUtf8, JsonEventFormat.Decode(JsonEventFormat.Encode(original)).DataContentType);
    }

    [Theory]
    [InlineData(UpperCaseJson)]
    [InlineData(JsonUnderTextContentType)]
    [InlineData(TextUnderXmlContentType)]
    public void SdkEncode_DataTheSdkCannotWrite_SdkThrows(string name)
    {
        // The SDK matches JSON media types case-sensitively, and writes only strings, and only under text/*, otherwise.
        SdkCloudEvent converted = BridgeEvents.Get(name).ToSdkCloudEvent();

        Assert.Throws<ArgumentException>(() => new JsonEventFormatter().EncodeStructuredModeMessage(converted, out _));
    }

    [Fact]
    public void SdkDecode_UpperCaseJsonMediaType_SdkThrowsOnAValidEvent()
    {
        byte[] body = JsonEventFormat.Encode(BridgeEvents.Get(UpperCaseJson));

        Assert.Throws<ArgumentException>(() => new JsonEventFormatter().DecodeStructuredModeMessage(body, StructuredJson, null));
    }

    [Theory]
    [InlineData(JsonNull)]
    [InlineData(JsonNullWithoutContentType)]
    public void SdkDecode_JsonNullData_SdkReadsNoData(string name)
    {
        // The SDK treats "data": null as absent, so the difference from no data is lost before conversion.
        byte[] body = JsonEventFormat.Encode(BridgeEvents.Get(name));

        CloudEvent back = new JsonEventFormatter().DecodeStructuredModeMessage(body, StructuredJson, null).ToBridgeCloudEvent();

        Assert.True(JsonEventFormat.Decode(body).Data.IsJsonNull);
        Assert.True(back.Data.IsNone);
    }

    [Fact]
    public void SdkEncode_ObjectData_OurConversionGivesTheSameJson()
    {
        SdkCloudEvent sdk = SdkEvents.Minimal();
        sdk.DataContentType = "application/json";
        sdk.Data = new CloudEventSdkExtensionsTests.Rollout("podinfo", 30, ["x"]);

        CloudEvent viaFormatter = JsonEventFormat.Decode(new JsonEventFormatter().EncodeStructuredModeMessage(sdk, out _).Span);
        CloudEvent converted = sdk.ToBridgeCloudEvent();

        EventAssert.Same(viaFormatter, converted);
    }

    private static void SameOnTheWire(CloudEvent original, CloudEvent expected, CloudEvent actual)
    {
        var e = expected.GetPopulatedAttributes().OrderBy(a => a.Attribute.Name, StringComparer.Ordinal).ToList();
        var a = actual.GetPopulatedAttributes().OrderBy(a => a.Attribute.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(e.Select(x => x.Attribute.Name), a.Select(x => x.Attribute.Name));
        for (int i = 0; i < e.Count; i++)
        {
            string name = e[i].Attribute.Name;
            Assert.True(e[i].Attribute.Type == a[i].Attribute.Type, $"type of '{name}': expected {e[i].Attribute.Type}, got {a[i].Attribute.Type}");
            bool wasTimestamp = original.GetAttribute(name)?.Type == CloudEventAttributeType.Timestamp;
            (object ev, object av) = (e[i].Value, a[i].Value);
            bool equal = (ev, av) switch
            {
                (byte[] x, byte[] y) => x.AsSpan().SequenceEqual(y),
                (CloudEventTimestamp x, CloudEventTimestamp y) => x == y,

                // A timestamp extension travels as a String; the SDK renders it with its offset, ours in UTC.
                (string x, string y) when wasTimestamp => CanonicalString.TryParseTimestamp(x, out DateTimeOffset tx)
                    && CanonicalString.TryParseTimestamp(y, out DateTimeOffset ty) && tx.UtcTicks == ty.UtcTicks,
                _ => ev.Equals(av),
            };
            Assert.True(equal, $"value of '{name}': expected {ev}, got {av}");
        }

        Assert.Equal(expected.Data.Kind, actual.Data.Kind);
        if (expected.Data.Kind == CloudEventDataKind.Json)
        {
            EventAssert.JsonEquivalent(expected.Data.Bytes.Span, actual.Data.Bytes.Span);
        }
        else
        {
            Assert.True(expected.Data.Equals(actual.Data), $"data: expected {EventAssert.Describe(expected.Data)}, got {EventAssert.Describe(actual.Data)}");
        }
    }
}
