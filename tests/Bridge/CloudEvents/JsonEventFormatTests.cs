using System.Buffers;
using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Bridge.CloudEvents.Tests;

public class JsonEventFormatTests
{
    private const string Required = "\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"";

    public static TheoryData<string> AttributeCases() => new(TestEvents.Attributes().Select(c => c.Name));

    public static TheoryData<string> DataCases() => new(TestEvents.DataKinds(includeProto: true, includeEmptyBinary: true).Select(c => c.Name));

    [Theory]
    [MemberData(nameof(AttributeCases))]
    public void EncodeDecode_Attributes_RoundTrip(string name)
    {
        CloudEvent original = TestEvents.Attributes().Single(c => c.Name == name).Event;

        CloudEvent decoded = JsonEventFormat.Decode(JsonEventFormat.Encode(original));

        TestEvents.AssertEqual(TestEvents.ExpectedAfter(original, TestEvents.Typing.Json), decoded);
    }

    [Theory]
    [MemberData(nameof(DataCases))]
    public void EncodeDecode_DataKinds_RoundTrip(string name)
    {
        CloudEvent original = TestEvents.DataKinds(true, true).Single(c => c.Name == name).Event;

        CloudEvent decoded = JsonEventFormat.Decode(JsonEventFormat.Encode(original));

        TestEvents.AssertEqual(original, decoded);
    }

    [Fact]
    public void Decode_TypedExtensions_KeepJsonTypes()
    {
        CloudEvent e = Decode($$"""{{{Required}},"b":true,"n":-2147483648,"s":"2024-01-01T00:00:00+00:00","u":"https://x"}""");

        Assert.Equal(true, e["b"]);
        Assert.Equal(int.MinValue, e["n"]);
        Assert.Equal("2024-01-01T00:00:00+00:00", e["s"]);
        Assert.Equal(CloudEventAttributeType.String, e.GetAttribute("s")!.Type);
        Assert.Equal(CloudEventAttributeType.String, e.GetAttribute("u")!.Type);
        string reencoded = Encoding.UTF8.GetString(JsonEventFormat.Encode(e));
        Assert.Contains("\"s\":\"2024-01-01T00:00:00+00:00\"", reencoded, StringComparison.Ordinal);
        Assert.Contains("\"n\":-2147483648", reencoded, StringComparison.Ordinal);
        Assert.Contains("\"b\":true", reencoded, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("id")]
    [InlineData("source")]
    [InlineData("type")]
    [InlineData("specversion")]
    [InlineData("subject")]
    [InlineData("time")]
    [InlineData("ext")]
    [InlineData("data")]
    [InlineData("data_base64")]
    public void Decode_DuplicateMember_Rejected(string member)
    {
        string value = member switch
        {
            "specversion" => "\"1.0\"",
            "time" => "\"2024-01-01T00:00:00Z\"",
            "data_base64" => "\"AA==\"",
            _ => "\"x\"",
        };
        string json = $"{{{Required},\"{member}\":{value},\"{member}\":{value}}}";
        if (member is "id" or "source" or "type" or "specversion")
        {
            json = $"{{{Required},\"{member}\":{value}}}";
        }

        var e = Assert.Throws<CloudEventFormatException>(() => Decode(json));

        Assert.Equal(member, e.AttributeName);
        Assert.Contains("more than once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DuplicateViaEscapedName_Rejected()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => Decode($$"""{{{Required}},"\u0069d":"2"}"""));

        Assert.Equal("id", e.AttributeName);
    }

    [Fact]
    public void Decode_DuplicateWithNullValue_StillRejected() =>
        Assert.Throws<CloudEventFormatException>(() => Decode($$"""{{{Required}},"ext":null,"ext":"x"}"""));

    [Fact]
    public void Decode_NullAttribute_MeansUnset()
    {
        CloudEvent e = Decode($$"""{{{Required}},"subject":null,"ext":null,"datacontenttype":null}""");

        Assert.Null(e.Subject);
        Assert.Null(e["ext"]);
        Assert.Equal(4, e.GetPopulatedAttributes().Count);
    }

    [Theory]
    [InlineData("""{"id":"1","source":"/s","type":"t"}""", "specversion", "missing")]
    [InlineData("""{"specversion":null,"id":"1","source":"/s","type":"t"}""", "specversion", "missing")]
    [InlineData("""{"specversion":"1.0","source":"/s","type":"t"}""", "id", "missing")]
    [InlineData("""{"specversion":"1.0","id":null,"source":"/s","type":"t"}""", "id", "missing")]
    [InlineData("""{"specversion":"1.0","id":"","source":"/s","type":"t"}""", "id", "empty")]
    [InlineData("""{"specversion":"1.0","id":"1","type":"t"}""", "source", "missing")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s"}""", "type", "missing")]
    [InlineData("""{"specversion":"0.3","id":"1","source":"/s","type":"t"}""", "specversion", "only '1.0'")]
    [InlineData("""{"specversion":"1.0.2","id":"1","source":"/s","type":"t"}""", "specversion", "only '1.0'")]
    [InlineData("""{"specversion":1.0,"id":"1","source":"/s","type":"t"}""", "specversion", "JSON string")]
    [InlineData("""{"specversion":"1.0","id":1,"source":"/s","type":"t"}""", "id", "JSON string")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"a b","type":"t"}""", "source", "URI-reference")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","dataschema":"/rel"}""", "dataschema", "absolute URI")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","dataschema":""}""", "dataschema", "empty")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","subject":""}""", "subject", "empty")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":""}""", "datacontenttype", "empty")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"bogus"}""", "datacontenttype", "media type")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"2024-02-30T00:00:00Z"}""", "time", "no such date")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","time":"2024-01-01T00:00:00+01"}""", "time", "±HH:MM")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","time":12}""", "time", "JSON string")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":2147483648}""", "ext", "range")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":-2147483649}""", "ext", "range")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":1.0}""", "ext", "not integral")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":1e2}""", "ext", "not integral")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":{"a":1}}""", "ext", "an object")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":[1]}""", "ext", "an array")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","extensions":{"a":1}}""", "extensions", "an object")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","Ext":"x"}""", "Ext", "only lower-case")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","my_ext":"x"}""", "my_ext", "only lower-case")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","":"x"}""", "", "empty")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","ext":"a\u0001"}""", "ext", "U+0001")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","partitionkey":5}""", "partitionkey", "JSON string")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","partitionkey":""}""", "partitionkey", "empty")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","knativebrokerttl":"x"}""", "knativebrokerttl", "Integer")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","knativebrokerttl":true}""", "knativebrokerttl", "Integer")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","data":1,"data_base64":"AA=="}""", "data", "both")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"AA="}""", "data_base64", "Base64")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":"A A="}""", "data_base64", "Base64")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","data_base64":5}""", "data_base64", "JSON string")]
    [InlineData("""{"specversion":"1.0","id":"1","source":"/s","type":"t","datacontenttype":"text/plain","data":{"a":1}}""", "data", "JSON string")]
    public void Decode_InvalidEvent_RejectedNamingAttribute(string json, string attribute, string messagePart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => Decode(json));

        Assert.Equal(attribute, e.AttributeName);
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("[]", "must be an object")]
    [InlineData("\"x\"", "must be an object")]
    [InlineData("{\"specversion\":\"1.0\"", "Invalid JSON")]
    [InlineData("{\"specversion\":\"1.0\",}", "Invalid JSON")]
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"} {}", "after the event")]
    [InlineData("{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\" /* c */}", "Invalid JSON")]
    public void Decode_MalformedInput_RejectedWithPosition(string json, string messagePart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => Decode(json));

        Assert.Null(e.AttributeName);
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_InvalidUtf8_Rejected()
    {
        byte[] bytes = [.. Encoding.UTF8.GetBytes($"{{{Required},\"ext\":\""), 0xC0, 0xA0, .. "\"}"u8];

        var e = Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.Decode(bytes));

        Assert.Contains("UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EscapedLoneSurrogate_Rejected()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => Decode($$"""{{{Required}},"ext":"\ud800"}"""));

        Assert.Contains("near byte", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_EscapedSurrogatePair_Accepted() =>
        Assert.Equal("😀", Decode($$"""{{{Required}},"ext":"\ud83d\ude00"}""")["ext"]);

    [Fact]
    public void Decode_DataStringHoldingJson_StaysString()
    {
        CloudEvent e = Decode($$"""{{{Required}},"data":"{\"a\":1}"}""");

        Assert.Equal(CloudEventDataKind.Json, e.Data.Kind);
        JsonElement element = e.Data.ToJsonElement();
        Assert.Equal(JsonValueKind.String, element.ValueKind);
        Assert.Equal("{\"a\":1}", element.GetString());
        Assert.Equal(7, element.GetString()!.Length);
    }

    [Fact]
    public void Decode_ExplicitNullData_DiffersFromAbsent()
    {
        CloudEvent withNull = Decode($$"""{{{Required}},"data":null}""");
        CloudEvent without = Decode($$"""{{{Required}}}""");

        Assert.True(withNull.Data.IsJsonNull);
        Assert.True(without.Data.IsNone);
        Assert.Contains("\"data\":null", Encoding.UTF8.GetString(JsonEventFormat.Encode(withNull)), StringComparison.Ordinal);
        Assert.DoesNotContain("\"data\"", Encoding.UTF8.GetString(JsonEventFormat.Encode(without)), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_DataObject_KeepsExactBytes()
    {
        CloudEvent e = Decode($$"""{{{Required}},"data": { "b" : [1, 2.50] , "a":"\u00e9" } }""");

        Assert.Equal("""{ "b" : [1, 2.50] , "a":"\u00e9" }""", Encoding.UTF8.GetString(e.Data.Bytes.Span));
    }

    [Fact]
    public void Decode_NonJsonContentTypeWithString_IsText()
    {
        CloudEvent e = Decode($$"""{{{Required}},"datacontenttype":"text/xml","data":"<a/>"}""");

        Assert.Equal(CloudEventDataKind.Text, e.Data.Kind);
        Assert.Equal("<a/>", e.Data.Text);
    }

    [Fact]
    public void Decode_NonJsonContentTypeWithNull_IsNoData() =>
        Assert.True(Decode($$"""{{{Required}},"datacontenttype":"text/xml","data":null}""").Data.IsNone);

    [Fact]
    public void Decode_DataBase64WithoutContentType_IsBinaryAndNoContentTypeAdded()
    {
        CloudEvent e = Decode($$"""{{{Required}},"data_base64":"eyJhIjoxfQ=="}""");

        Assert.Equal(CloudEventDataKind.Binary, e.Data.Kind);
        Assert.Equal("{\"a\":1}", Encoding.UTF8.GetString(e.Data.Bytes.Span));
        Assert.Null(e.DataContentType);
        Assert.DoesNotContain("datacontenttype", Encoding.UTF8.GetString(JsonEventFormat.Encode(e)), StringComparison.Ordinal);
    }

    [Fact]
    public void Decode_NullDataBase64WithData_UsesData() =>
        Assert.Equal(CloudEventDataKind.Json, Decode($$"""{{{Required}},"data_base64":null,"data":1}""").Data.Kind);

    [Fact]
    public void Decode_KnownIntegerExtensionAsString_ParsedAsInteger()
    {
        CloudEvent e = Decode($$"""{{{Required}},"knativebrokerttl":"255","knativeerrorcode":503}""");

        Assert.Equal(255, e["knativebrokerttl"]);
        Assert.Equal(503, e["knativeerrorcode"]);
    }

    [Fact]
    public void Decode_DataMemberIsNotAnAttribute()
    {
        CloudEvent e = Decode($"{{{Required},\"data\":{{\"id\":\"x\"}}}}");

        Assert.DoesNotContain(e.GetPopulatedAttributes(), a => a.Attribute.Name == "data");
        Assert.Equal("1", e.Id);
    }

    [Fact]
    public void Decode_DeeplyNestedData_Rejected()
    {
        string json = $"{{{Required},\"data\":{new string('[', 100)}{new string(']', 100)}}}";

        Assert.Throws<CloudEventFormatException>(() => Decode(json));
    }

    [Fact]
    public void Encode_JsonDataWithoutContentType_AddsApplicationJson()
    {
        CloudEvent e = TestEvents.WithData(CloudEventData.FromJson("{\"a\":1}"), null);

        CloudEvent decoded = JsonEventFormat.Decode(JsonEventFormat.Encode(e));

        Assert.Equal("application/json", decoded.DataContentType);
        Assert.Equal(e.Data, decoded.Data);
        Assert.Null(e.DataContentType);
    }

    [Fact]
    public void Encode_TextWithoutContentType_AddsTextPlain()
    {
        CloudEvent decoded = JsonEventFormat.Decode(JsonEventFormat.Encode(TestEvents.WithData(CloudEventData.FromText("hi"), null)));

        Assert.Equal(MediaTypes.TextPlainUtf8, decoded.DataContentType);
        Assert.Equal("hi", decoded.Data.Text);
    }

    [Fact]
    public void Encode_JsonDataWithNonJsonContentType_WritesString()
    {
        CloudEvent e = TestEvents.WithData(CloudEventData.FromJson("{\"a\":1}"), "text/plain");

        string json = Encoding.UTF8.GetString(JsonEventFormat.Encode(e));

        Assert.Contains("\"data\":\"{\\\"a\\\":1}\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_TextWithJsonContentType_WritesJsonString()
    {
        CloudEvent e = TestEvents.WithData(CloudEventData.FromText("{\"a\":1}"), "application/json");

        CloudEvent decoded = JsonEventFormat.Decode(JsonEventFormat.Encode(e));

        Assert.Equal(JsonValueKind.String, decoded.Data.ToJsonElement().ValueKind);
    }

    [Fact]
    public void Encode_ProtoData_WritesBase64OfMessageWithTypeInContentType()
    {
        var message = new StringValue { Value = "v" };
        CloudEvent e = TestEvents.WithData(CloudEventData.FromProto(message), null);

        byte[] json = JsonEventFormat.Encode(e);
        CloudEvent decoded = JsonEventFormat.Decode(json);

        using JsonDocument document = JsonDocument.Parse(json);
        Assert.Equal("application/protobuf; proto=google.protobuf.StringValue", document.RootElement.GetProperty("datacontenttype").GetString());
        Assert.Equal(message.ToByteArray(), document.RootElement.GetProperty("data_base64").GetBytesFromBase64());
        Assert.Equal(MediaTypes.Protobuf, decoded.DataContentType);
        Assert.Equal(CloudEventDataKind.Proto, decoded.Data.Kind);
        Assert.Equal(Any.Pack(message), decoded.Data.Proto);
    }

    [Fact]
    public void Encode_BinaryAndTimeAttributes_UseCanonicalStrings()
    {
        var e = TestEvents.Minimal();
        e.Time = new DateTimeOffset(2024, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)).AddTicks(5_000_000);
        e["bin"] = new byte[] { 1, 2, 3 };

        string json = Encoding.UTF8.GetString(JsonEventFormat.Encode(e));

        Assert.Contains("\"time\":\"2024-01-01T00:00:00.5Z\"", json, StringComparison.Ordinal);
        Assert.Contains("\"bin\":\"AQID\"", json, StringComparison.Ordinal);
        Assert.StartsWith("{\"specversion\":\"1.0\",\"id\":\"1\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_NonAsciiAndHtmlCharacters_WrittenUnescapedWhereJsonAllows()
    {
        var e = TestEvents.Minimal();
        e.Subject = "<é>&'";

        string json = Encoding.UTF8.GetString(JsonEventFormat.Encode(e));

        Assert.Contains("\"subject\":\"<é>&'\"", json, StringComparison.Ordinal);
    }

    [Fact]
    public void Encode_InvalidEvent_Throws()
    {
        var e = new CloudEvent { Id = "1", Source = "/s" };

        Assert.Equal("type", Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.Encode(e)).AttributeName);
    }

    [Fact]
    public void Encode_WriterAndBufferOverloads_MatchByteArray()
    {
        CloudEvent e = TestEvents.AllCore();
        var buffer = new ArrayBufferWriter<byte>();
        var buffer2 = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            JsonEventFormat.Encode(e, writer);
        }

        JsonEventFormat.Encode(e, buffer2);

        TestEvents.AssertEqual(e, JsonEventFormat.Decode(buffer.WrittenSpan));
        Assert.Equal(JsonEventFormat.Encode(e), buffer2.WrittenSpan.ToArray());
    }

    [Fact]
    public void Encode_ManyTimes_ReusesWriterSafely()
    {
        byte[] first = JsonEventFormat.Encode(TestEvents.AllCore());
        Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.Encode(new CloudEvent()));
        byte[] big = JsonEventFormat.Encode(TestEvents.WithData(CloudEventData.FromBytes(new byte[300_000]), null));

        byte[] again = JsonEventFormat.Encode(TestEvents.AllCore());

        Assert.Equal(first, again);
        Assert.True(big.Length > 400_000);
    }

    [Fact]
    public void DecodeBatch_ArrayOfEvents_InOrderIncludingRepeats()
    {
        string json = $"[{{{Required}}},{{\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"/x\",\"type\":\"t2\",\"data\":[1]}},{{{Required}}}]";

        IReadOnlyList<CloudEvent> events = JsonEventFormat.DecodeBatch(Encoding.UTF8.GetBytes(json));

        Assert.Equal(["1", "2", "1"], events.Select(e => e.Id));
        Assert.Equal("[1]", Encoding.UTF8.GetString(events[1].Data.Bytes.Span));
    }

    [Fact]
    public void DecodeBatch_Empty_ReturnsEmptyList() => Assert.Empty(JsonEventFormat.DecodeBatch("[]"u8));

    [Theory]
    [InlineData("{}", "must be an array")]
    [InlineData("", "empty")]
    [InlineData("[1]", "Batch element 0 must be an object")]
    [InlineData("[{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"},{\"specversion\":\"1.0\",\"id\":\"2\",\"source\":\"/s\"}]", "Batch element 1: Required attribute 'type'")]
    [InlineData("[{\"specversion\":\"1.0\",\"id\":\"1\",\"source\":\"/s\",\"type\":\"t\"},{\"specversion\":\"0.3\",\"id\":\"2\",\"source\":\"/s\",\"type\":\"t\"}]", "Batch element 1")]
    [InlineData("[] []", "after the batch")]
    public void DecodeBatch_Invalid_RejectsWholeBatch(string json, string messagePart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.DecodeBatch(Encoding.UTF8.GetBytes(json)));

        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EncodeBatch_RoundTrip()
    {
        CloudEvent[] events = [TestEvents.Minimal(), TestEvents.AllCore(), TestEvents.WithExtensions()];

        IReadOnlyList<CloudEvent> decoded = JsonEventFormat.DecodeBatch(JsonEventFormat.EncodeBatch(events));

        Assert.Equal(3, decoded.Count);
        for (int i = 0; i < events.Length; i++)
        {
            TestEvents.AssertEqual(TestEvents.ExpectedAfter(events[i], TestEvents.Typing.Json), decoded[i]);
        }

        Assert.Equal("[]", Encoding.UTF8.GetString(JsonEventFormat.EncodeBatch([])));
    }

    [Fact]
    public void EncodeBatch_InvalidElement_NamesIndex()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => JsonEventFormat.EncodeBatch([TestEvents.Minimal(), new CloudEvent { Id = "x" }]));

        Assert.StartsWith("Batch element 1:", e.Message, StringComparison.Ordinal);
    }

    private static CloudEvent Decode(string json) => JsonEventFormat.Decode(Encoding.UTF8.GetBytes(json));
}
