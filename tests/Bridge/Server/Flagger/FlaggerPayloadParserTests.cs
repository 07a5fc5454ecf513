using System.Text;
using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerPayloadParserTests
{
    private const string EventPayload =
        """{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"85d557f47b","metadata":{"cluster":"flagger-test","environment":"test","eventMessage":"Advance podinfo.test canary weight 10","eventType":"Normal","timestamp":"1736500000123"}}""";

    private static string WithMetadata(string metadataJson) =>
        "{\"name\":\"podinfo\",\"namespace\":\"test\",\"metadata\":" + metadataJson + "}";

    private static FlaggerPayload Parse(string json) => FlaggerPayloadParser.Parse(Encoding.UTF8.GetBytes(json));

    private static FlaggerPayloadException ParseFails(string json) => ParseFails(Encoding.UTF8.GetBytes(json));

    private static FlaggerPayloadException ParseFails(byte[] body) =>
        Assert.Throws<FlaggerPayloadException>(() => FlaggerPayloadParser.Parse(body));

    [Fact]
    public void Parse_EventWebhookPayload_ReadsEveryField()
    {
        var payload = Parse(EventPayload);

        Assert.Equal("podinfo", payload.Name);
        Assert.Equal("test", payload.Namespace);
        Assert.Equal("Progressing", payload.Phase);
        Assert.Equal("85d557f47b", payload.Checksum);
        Assert.Equal(5, payload.Metadata.Count);
        Assert.Equal("test", payload.Metadata["environment"]);
        Assert.Equal("Advance podinfo.test canary weight 10", payload.EventMessage);
        Assert.Equal("Normal", payload.EventType);
        Assert.Equal("flagger-test", payload.Cluster);
        Assert.Equal(1736500000123L, payload.TimestampMilliseconds);
        Assert.Equal(new DateTimeOffset(2025, 1, 10, 9, 6, 40, 123, TimeSpan.Zero), payload.Timestamp);
    }

    [Fact]
    public void Parse_GatingHookPayload_HasNoEventFields()
    {
        var payload = Parse("""{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"85d557f47b","metadata":{"type":"helmv3","cmd":"test podinfo -n test"}}""");

        Assert.Equal("helmv3", payload.Metadata["type"]);
        Assert.Null(payload.EventMessage);
        Assert.Null(payload.EventType);
        Assert.Null(payload.Cluster);
        Assert.Null(payload.TimestampMilliseconds);
        Assert.Null(payload.Timestamp);
    }

    [Fact]
    public void Parse_OnlyNameAndNamespace_DefaultsTheRest()
    {
        var payload = Parse("""{"name":"podinfo","namespace":"test"}""");

        Assert.Equal(string.Empty, payload.Phase);
        Assert.Equal(string.Empty, payload.Checksum);
        Assert.Empty(payload.Metadata);
        Assert.Null(payload.TimestampMilliseconds);
    }

    [Fact]
    public void Parse_NullOptionalMembers_TreatedAsAbsent()
    {
        var payload = Parse("""{"name":"podinfo","namespace":"test","phase":null,"checksum":null,"metadata":null}""");

        Assert.Equal(string.Empty, payload.Phase);
        Assert.Equal(string.Empty, payload.Checksum);
        Assert.Empty(payload.Metadata);
    }

    [Fact]
    public void Parse_Body_KeepsExactBytesIncludingWhitespaceAndUnknownMembers()
    {
        var body = Encoding.UTF8.GetBytes("  {\"namespace\" : \"test\",\n \"name\":\"podinfo\", \"extra\": {\"a\": [1, 2.50, true, null]}, \"n\\u00e9\": \"\\u00e9\"}\r\n");

        var payload = FlaggerPayloadParser.Parse(body);

        Assert.Equal(body, payload.Utf8Json.ToArray());
    }

    [Fact]
    public void Parse_Body_CopiesTheInput()
    {
        var body = Encoding.UTF8.GetBytes("""{"name":"podinfo","namespace":"test"}""");

        var payload = FlaggerPayloadParser.Parse(body);
        body[2] = (byte)'N';

        Assert.Equal((byte)'n', payload.Utf8Json.Span[2]);
    }

    [Theory]
    [InlineData("")]
    [InlineData("Initializing")]
    [InlineData("Initialized")]
    [InlineData("Waiting")]
    [InlineData("Progressing")]
    [InlineData("WaitingPromotion")]
    [InlineData("Promoting")]
    [InlineData("Finalising")]
    [InlineData("Succeeded")]
    [InlineData("Failed")]
    [InlineData("Terminating")]
    [InlineData("Terminated")]
    public void Parse_EveryFlaggerPhase_Accepted(string phase)
    {
        var payload = Parse($$"""{"name":"podinfo","namespace":"test","phase":"{{phase}}"}""");

        Assert.Equal(phase, payload.Phase);
    }

    [Fact]
    public void Parse_UnknownWellFormedPhase_AcceptedUnchanged()
    {
        var payload = Parse("""{"name":"podinfo","namespace":"test","phase":"Paused"}""");

        Assert.Equal("Paused", payload.Phase);
    }

    [Theory]
    [InlineData("Waiting Promotion")]
    [InlineData("Progressing1")]
    [InlineData("in-progress")]
    [InlineData("Fin\u00e4lising")]
    public void Parse_MalformedPhase_Rejected(string phase)
    {
        var ex = ParseFails($$"""{"name":"podinfo","namespace":"test","phase":"{{phase}}"}""");

        Assert.Equal("phase", ex.Field);
        Assert.StartsWith("phase '", ex.Message, StringComparison.Ordinal);
        Assert.Contains("is not a canary phase", ex.Message, StringComparison.Ordinal);
        Assert.Contains("WaitingPromotion", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_PhaseLongerThan64Letters_Rejected()
    {
        var ex = ParseFails($$"""{"name":"podinfo","namespace":"test","phase":"{{new string('P', 65)}}"}""");

        Assert.Equal("phase", ex.Field);
        Assert.Contains("at most 64", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("\r\n\t")]
    public void Parse_EmptyBody_Rejected(string body)
    {
        var ex = ParseFails(body);

        Assert.Null(ex.Field);
        Assert.StartsWith("Request body is empty", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("[]", "array")]
    [InlineData("""[{"name":"podinfo","namespace":"test"}]""", "array")]
    [InlineData("\"podinfo\"", "string")]
    [InlineData("42", "number")]
    [InlineData("true", "boolean")]
    [InlineData("null", "null")]
    public void Parse_NotAnObject_Rejected(string body, string kind)
    {
        var ex = ParseFails(body);

        Assert.Equal($"Request body must be a JSON object, got {kind}; a Flagger webhook payload is a JSON object such as {{\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\"}}.", ex.Message);
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"name":"podinfo","namespace":"test",}""")]
    [InlineData("""{"name":"podinfo" "namespace":"test"}""")]
    [InlineData("""{"name":'podinfo',"namespace":"test"}""")]
    [InlineData("""{"name":"podinfo","namespace":"test"} // comment""")]
    [InlineData("""{"name":"podinfo","namespace":"test"}{}""")]
    [InlineData("""{"name":"podinfo","namespace":"test"} x""")]
    [InlineData("""{"name":"podinfo","namespace":"test","extra":[1,]}""")]
    [InlineData("""{"name":"podinfo","namespace":"test","extra":01}""")]
    [InlineData("{\"name\":\"pod\tinfo\",\"namespace\":\"test\"}")]
    public void Parse_MalformedJson_RejectedWithReaderPosition(string body)
    {
        var ex = ParseFails(body);

        Assert.Null(ex.Field);
        Assert.StartsWith("Request body is not valid JSON: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("BytePositionInLine", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidUtf8_RejectedWithOffset()
    {
        var body = Encoding.UTF8.GetBytes("""{"name":"podinfo","namespace":"test","x":"?"}""");
        body[41] = 0xC3; // a lead byte followed by '"' is not UTF-8

        var ex = ParseFails(body);

        Assert.Equal("Request body is not valid UTF-8: invalid byte sequence at offset 41.", ex.Message);
    }

    [Fact]
    public void Parse_EncodedSurrogate_RejectedAsInvalidUtf8()
    {
        var prefix = Encoding.UTF8.GetBytes("""{"name":"podinfo","namespace":"test","x":" """.TrimEnd());
        byte[] body = [.. prefix, 0xED, 0xA0, 0x80, (byte)'"', (byte)'}'];

        var ex = ParseFails(body);

        Assert.Equal($"Request body is not valid UTF-8: invalid byte sequence at offset {prefix.Length}.", ex.Message);
    }

    [Fact]
    public void Parse_ByteOrderMark_Rejected()
    {
        byte[] body = [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""{"name":"podinfo","namespace":"test"}""")];

        var ex = ParseFails(body);

        Assert.Contains("byte order mark", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"podinfo","name":"other","namespace":"test"}""", "name")]
    [InlineData("""{"name":"podinfo","namespace":"test","namespace":"test"}""", "namespace")]
    [InlineData("""{"name":"podinfo","namespace":"test","phase":"","phase":"Failed"}""", "phase")]
    [InlineData("""{"name":"podinfo","namespace":"test","checksum":"a","checksum":"b"}""", "checksum")]
    [InlineData("""{"name":"podinfo","namespace":"test","metadata":{},"metadata":{}}""", "metadata")]
    [InlineData("""{"name":"podinfo","namespace":"test","metadata":{"cluster":"a","cluster":"b"}}""", "metadata.cluster")]
    [InlineData("""{"name":"podinfo","namespace":"test","extra":1,"extra":2}""", "extra")]
    [InlineData("""{"name":"podinfo","namespace":"test","extra":{"a":1,"a":2}}""", "extra.a")]
    [InlineData("""{"name":"podinfo","namespace":"test","extra":[{"b":{"c":1,"c":1}}]}""", "extra[0].b.c")]
    [InlineData("""{"name":"podinfo","n\u0061me":"podinfo","namespace":"test"}""", "name")]
    public void Parse_DuplicateMember_RejectedNamingIt(string body, string path)
    {
        var ex = ParseFails(body);

        Assert.Equal(path, ex.Field);
        Assert.StartsWith($"Duplicate member '{path}': each JSON member may appear only once", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EscapedPairedSurrogateInUnknownMember_Accepted()
    {
        var payload = Parse("""{"name":"podinfo","namespace":"test","extra":["\ud83d\ude00","\n"]}""");

        Assert.Equal("podinfo", payload.Name);
    }

    [Fact]
    public void Parse_SameMemberNameInDifferentObjects_Accepted()
    {
        var payload = Parse("""{"name":"podinfo","namespace":"test","extra":[{"name":"a"},{"name":"b"}],"metadata":{"name":"c"}}""");

        Assert.Equal("c", payload.Metadata["name"]);
    }

    [Theory]
    [InlineData("""{"namespace":"test"}""", "name", "name is required (the canary name)")]
    [InlineData("""{"name":"podinfo"}""", "namespace", "namespace is required (the canary namespace)")]
    [InlineData("""{}""", "name", "name is required")]
    [InlineData("""{"Name":"podinfo","namespace":"test"}""", "name", "name is required")]
    [InlineData("""{"name":"","namespace":"test"}""", "name", "name must not be empty")]
    [InlineData("""{"name":"podinfo","namespace":""}""", "namespace", "namespace must not be empty")]
    public void Parse_MissingOrEmptyName_Rejected(string body, string field, string message)
    {
        var ex = ParseFails(body);

        Assert.Equal(field, ex.Field);
        Assert.StartsWith(message, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("name", "42", "number")]
    [InlineData("name", "null", "null")]
    [InlineData("name", "true", "boolean")]
    [InlineData("name", "[\"podinfo\"]", "array")]
    [InlineData("name", "{\"value\":\"podinfo\"}", "object")]
    [InlineData("namespace", "7", "number")]
    [InlineData("namespace", "null", "null")]
    [InlineData("namespace", "false", "boolean")]
    [InlineData("phase", "1", "number")]
    [InlineData("phase", "[]", "array")]
    [InlineData("phase", "{}", "object")]
    [InlineData("checksum", "12345", "number")]
    [InlineData("checksum", "true", "boolean")]
    public void Parse_WrongTypeForField_RejectedNamingFieldAndType(string field, string value, string kind)
    {
        var members = new Dictionary<string, string> { ["name"] = "\"podinfo\"", ["namespace"] = "\"test\"", [field] = value };
        var body = "{" + string.Join(",", members.Select(m => $"\"{m.Key}\":{m.Value}")) + "}";

        var ex = ParseFails(body);

        Assert.Equal(field, ex.Field);
        Assert.Equal($"{field} must be a string, got {kind}.", ex.Message);
    }

    [Theory]
    [InlineData("\"cluster=a\"", "string")]
    [InlineData("[]", "array")]
    [InlineData("42", "number")]
    [InlineData("true", "boolean")]
    public void Parse_MetadataNotAnObject_Rejected(string value, string kind)
    {
        var ex = ParseFails(WithMetadata(value));

        Assert.Equal("metadata", ex.Field);
        Assert.Equal($"metadata must be an object of string values, got {kind}.", ex.Message);
    }

    [Theory]
    [InlineData("timestamp", "1736500000123", "number")]
    [InlineData("retries", "3", "number")]
    [InlineData("enabled", "true", "boolean")]
    [InlineData("owner", "null", "null")]
    [InlineData("tags", "[\"a\"]", "array")]
    [InlineData("labels", "{\"a\":\"b\"}", "object")]
    public void Parse_MetadataValueNotAString_RejectedNamingTheKey(string key, string value, string kind)
    {
        var ex = ParseFails(WithMetadata($"{{\"cluster\":\"a\",\"{key}\":{value}}}"));

        Assert.Equal($"metadata.{key}", ex.Field);
        Assert.StartsWith($"metadata.{key} must be a string, got {kind};", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("abc")]
    [InlineData("")]
    [InlineData("-1736500000123")]
    [InlineData("+1736500000123")]
    [InlineData("1736500000123.5")]
    [InlineData("1.736500000123e12")]
    [InlineData(" 1736500000123")]
    [InlineData("01736500000123")]
    [InlineData("0")]
    [InlineData("2025-01-10T09:06:40Z")]
    [InlineData("12345678901234567890")]
    public void Parse_TimestampNotDecimalMilliseconds_Rejected(string timestamp)
    {
        var ex = ParseFails(WithMetadata($"{{\"timestamp\":\"{timestamp}\"}}"));

        Assert.Equal("metadata.timestamp", ex.Field);
        Assert.StartsWith("metadata.timestamp must be Unix epoch milliseconds as a decimal string", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("946684799999", false)]
    [InlineData("4102444800000", false)]
    [InlineData("9999999999999999999", false)]
    [InlineData("1736500000", true)]
    [InlineData("12", false)]
    public void Parse_TimestampOutOfRange_Rejected(string timestamp, bool looksLikeSeconds)
    {
        var ex = ParseFails(WithMetadata($"{{\"timestamp\":\"{timestamp}\"}}"));

        Assert.Equal("metadata.timestamp", ex.Field);
        Assert.StartsWith($"metadata.timestamp {timestamp} is outside the accepted range", ex.Message, StringComparison.Ordinal);
        Assert.Equal(looksLikeSeconds, ex.Message.Contains("looks like seconds", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("946684800000")]
    [InlineData("4102444799999")]
    public void Parse_TimestampAtRangeEdges_Accepted(string timestamp)
    {
        var payload = Parse(WithMetadata($"{{\"timestamp\":\"{timestamp}\"}}"));

        Assert.Equal(long.Parse(timestamp, System.Globalization.CultureInfo.InvariantCulture), payload.TimestampMilliseconds);
    }

    [Theory]
    [InlineData("podinfo")]
    [InlineData("a")]
    [InlineData("my-app.v2")]
    [InlineData("0app")]
    [InlineData("a.b.c")]
    public void Parse_ValidCanaryName_Accepted(string name)
    {
        Assert.Equal(name, Parse($$"""{"name":"{{name}}","namespace":"test"}""").Name);
    }

    [Theory]
    [InlineData("PodInfo")]
    [InlineData("pod_info")]
    [InlineData("-podinfo")]
    [InlineData("podinfo-")]
    [InlineData("pod..info")]
    [InlineData(".podinfo")]
    [InlineData("pod info")]
    [InlineData("podinfo/test")]
    public void Parse_InvalidCanaryName_Rejected(string name)
    {
        var ex = ParseFails($$"""{"name":"{{name}}","namespace":"test"}""");

        Assert.Equal("name", ex.Field);
        Assert.StartsWith($"name '{name}' is not a valid Kubernetes object name: expected a DNS-1123 subdomain", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NameLongerThan253_Rejected()
    {
        var name = string.Join('.', Enumerable.Repeat(new string('a', 50), 5)) + "abc"; // 257 characters

        var ex = ParseFails($$"""{"name":"{{name}}","namespace":"test"}""");

        Assert.Equal("name", ex.Field);
        Assert.Contains("at most 253 characters", ex.Message, StringComparison.Ordinal);
        Assert.Contains("(257 characters)", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Test")]
    [InlineData("my.namespace")]
    [InlineData("-test")]
    [InlineData("test-")]
    [InlineData("te_st")]
    public void Parse_InvalidNamespace_Rejected(string ns)
    {
        var ex = ParseFails($$"""{"name":"podinfo","namespace":"{{ns}}"}""");

        Assert.Equal("namespace", ex.Field);
        Assert.StartsWith($"namespace '{ns}' is not a valid Kubernetes namespace: expected a DNS-1123 label", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NamespaceOf63And64Characters_AcceptedThenRejected()
    {
        Assert.Equal(63, Parse($$"""{"name":"podinfo","namespace":"{{new string('n', 63)}}"}""").Namespace.Length);

        var ex = ParseFails($$"""{"name":"podinfo","namespace":"{{new string('n', 64)}}"}""");
        Assert.Equal("namespace", ex.Field);
    }

    [Fact]
    public void Parse_NameWithControlCharacter_EscapedInMessage()
    {
        var ex = ParseFails("""{"name":"pod\u0001info","namespace":"test"}""");

        Assert.Contains("'pod\\u0001info'", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"name":"\ud800","namespace":"test"}""", "name")]
    [InlineData("""{"name":"podinfo","namespace":"test","metadata":{"env":"\udc00x"}}""", "metadata.env")]
    [InlineData("""{"name":"podinfo","namespace":"test","extra":{"list":["ok","\ud83d"]}}""", "extra.list[1]")]
    [InlineData("""{"name":"podinfo","namespace":"test","extra":{"\udfff":1}}""", "extra")]
    [InlineData("""{"name":"podinfo","namespace":"test","metadata":{"\udfff":"x"}}""", "metadata")]
    [InlineData("""{"\udfff":"x","name":"podinfo","namespace":"test"}""", null)]
    public void Parse_LoneSurrogateEscape_Rejected(string body, string? field)
    {
        var ex = ParseFails(body);

        Assert.Equal(field, ex.Field);
        Assert.Contains("not valid Unicode", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("has space")]
    [InlineData("tab\\t")]
    [InlineData("caf\u00e9")]
    public void Parse_ChecksumWithInvisibleOrNonAsciiCharacters_Rejected(string checksum)
    {
        var ex = ParseFails($$"""{"name":"podinfo","namespace":"test","checksum":"{{checksum}}"}""");

        Assert.Equal("checksum", ex.Field);
        Assert.Contains("visible ASCII characters only", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ChecksumTooLong_Rejected()
    {
        var ex = ParseFails($$"""{"name":"podinfo","namespace":"test","checksum":"{{new string('c', 129)}}"}""");

        Assert.Equal("checksum", ex.Field);
        Assert.Equal("checksum is 129 characters long; at most 128 are accepted.", ex.Message);
    }

    [Theory]
    [InlineData("prod\\neu")]
    [InlineData("prod\\u007f")]
    [InlineData("prod\\ufdd0")]
    public void Parse_ClusterWithForbiddenCharacters_Rejected(string cluster)
    {
        var ex = ParseFails(WithMetadata($"{{\"cluster\":\"{cluster}\"}}"));

        Assert.Equal("metadata.cluster", ex.Field);
        Assert.Contains("must not contain control characters", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ClusterTooLong_Rejected()
    {
        var ex = ParseFails(WithMetadata($"{{\"cluster\":\"{new string('c', 257)}\"}}"));

        Assert.Equal("metadata.cluster", ex.Field);
        Assert.Equal("metadata.cluster is 257 characters long; at most 256 are accepted.", ex.Message);
    }

    [Fact]
    public void Parse_EmptyCluster_TreatedAsNoCluster()
    {
        var payload = Parse("""{"name":"podinfo","namespace":"test","metadata":{"cluster":""}}""");

        Assert.Null(payload.Cluster);
        Assert.Equal(string.Empty, payload.Metadata["cluster"]);
    }

    [Fact]
    public void Parse_ClusterWithNonAsciiText_Accepted()
    {
        var payload = Parse("""{"name":"podinfo","namespace":"test","metadata":{"cluster":"prod-\u00e9\ud83d\ude00"}}""");

        Assert.Equal("prod-\u00e9\U0001F600", payload.Cluster);
    }

    [Fact]
    public void Parse_DeeplyNestedUnknownMember_RejectedBeyondMaxDepth()
    {
        var body = """{"name":"podinfo","namespace":"test","x":""" + new string('[', 70) + new string(']', 70) + "}";

        var ex = ParseFails(body);

        Assert.StartsWith("Request body is not valid JSON: ", ex.Message, StringComparison.Ordinal);
        Assert.Contains("depth", ex.Message, StringComparison.OrdinalIgnoreCase);
    }
}
