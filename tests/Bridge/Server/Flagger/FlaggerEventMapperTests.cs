using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bridge.CloudEvents;
using Bridge.Server.Flagger;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerEventMapperTests
{
    private const string EventPayload =
        """{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"85d557f47b","metadata":{"cluster":"flagger-test","environment":"test","eventMessage":"Advance podinfo.test canary weight 10","eventType":"Normal","timestamp":"1736500000123"}}""";

    private const string GatePayload =
        """{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"85d557f47b","metadata":{"type":"helmv3","cmd":"test podinfo -n test"}}""";

    private static readonly DateTimeOffset ReceivedAt = new(2025, 3, 1, 12, 0, 0, 456, TimeSpan.Zero);

    private static FlaggerEventMapper Mapper(string source = "/flagger", string? clusterName = null) =>
        new(Options.Create(new FlaggerOptions { Source = source, ClusterName = clusterName }));

    private static string WithMetadata(Dictionary<string, string> metadata, string members = "") =>
        "{\"name\":\"podinfo\",\"namespace\":\"test\"," + members + "\"metadata\":" + JsonSerializer.Serialize(metadata) + "}";

    private static FlaggerPayload Parse(string json) => FlaggerPayloadParser.Parse(Encoding.UTF8.GetBytes(json));

    private static CloudEvent Map(string json, string hook = "event", FlaggerEventMapper? mapper = null) =>
        (mapper ?? Mapper()).Map(Parse(json), FlaggerHookTypes.Parse(hook), ReceivedAt);

    [Fact]
    public void Map_EventWebhook_SetsEveryAttribute()
    {
        var cloudEvent = Map(EventPayload);

        Assert.True(cloudEvent.IsValid);
        Assert.Equal("1.0", cloudEvent.SpecVersion);
        Assert.Matches("^[0-9a-f]{32}$", cloudEvent.Id);
        Assert.Equal("/flagger", cloudEvent.Source);
        Assert.Equal("app.flagger.canary.weight.advanced", cloudEvent.Type);
        Assert.Equal("test/podinfo", cloudEvent.Subject);
        Assert.Equal(DateTimeOffset.FromUnixTimeMilliseconds(1736500000123), cloudEvent.Time);
        Assert.Equal("application/json", cloudEvent.DataContentType);
        Assert.Equal("test/podinfo", cloudEvent["partitionkey"]);
        Assert.Equal("test", cloudEvent["namespace"]);
        Assert.Equal("podinfo", cloudEvent["canary"]);
        Assert.Equal("Progressing", cloudEvent["phase"]);
        Assert.Equal("info", cloudEvent["severity"]);
        Assert.Equal("flagger-test", cloudEvent["cluster"]);
        Assert.Equal("85d557f47b", cloudEvent["checksum"]);
        Assert.Equal("event", cloudEvent["hooktype"]);
        Assert.Equal("Normal", cloudEvent["eventtype"]);
        Assert.Equal(9, cloudEvent.ExtensionCount);
    }

    [Fact]
    public void Map_Data_IsTheRequestBodyByteForByte()
    {
        var body = Encoding.UTF8.GetBytes("{ \"namespace\":\"test\", \"name\" : \"podinfo\",\n\"metadata\":{\"environment\":\"prod\",\"cluster\":\"eu-1\",\"note\":\"caf\u00e9 \\u00e9\"},\"future\":[1,2.50]}");

        var cloudEvent = Mapper().Map(FlaggerPayloadParser.Parse(body), FlaggerHookType.Event, ReceivedAt);

        Assert.Equal(CloudEventDataKind.Json, cloudEvent.Data.Kind);
        Assert.Equal(body, cloudEvent.Data.Bytes.ToArray());
        Assert.Equal("eu-1", cloudEvent["cluster"]);
        var metadata = cloudEvent.Data.ToJsonElement().GetProperty("metadata");
        Assert.Equal("prod", metadata.GetProperty("environment").GetString());
        Assert.Equal("eu-1", metadata.GetProperty("cluster").GetString());
    }

    [Theory]
    [InlineData("confirm-rollout")]
    [InlineData("pre-rollout")]
    [InlineData("rollout")]
    [InlineData("confirm-traffic-increase")]
    [InlineData("confirm-promotion")]
    [InlineData("post-rollout")]
    [InlineData("rollback")]
    public void Map_Hook_TypeFromHookWithInfoSeverity(string hook)
    {
        var cloudEvent = Map(GatePayload, hook);

        Assert.True(cloudEvent.IsValid);
        Assert.Equal("app.flagger.canary.hook." + hook, cloudEvent.Type);
        Assert.Equal("info", cloudEvent["severity"]);
        Assert.Equal(hook, cloudEvent["hooktype"]);
        Assert.Null(cloudEvent["eventtype"]);
        Assert.Null(cloudEvent["cluster"]);
        Assert.Equal(ReceivedAt, cloudEvent.Time);
    }

    [Fact]
    public void Map_HookWithEventLikeMetadata_NotClassified()
    {
        var cloudEvent = Map(EventPayload.Replace("Advance podinfo.test canary weight 10", "Canary failed! Scaling down podinfo.test", StringComparison.Ordinal), "post-rollout");

        Assert.Equal("app.flagger.canary.hook.post-rollout", cloudEvent.Type);
        Assert.Equal("info", cloudEvent["severity"]);
    }

    [Theory]
    [InlineData("Rolling back podinfo.test failed checks threshold reached 5", "Warning", "app.flagger.canary.rolledback", "error")]
    [InlineData("Halt podinfo.test advancement waiting for promotion approval gate", "Warning", "app.flagger.canary.approval.waiting", "warn")]
    [InlineData("Promotion completed! Scaling down podinfo.test", "Normal", "app.flagger.canary.promoted", "info")]
    [InlineData("something unexpected", "Warning", "app.flagger.canary.event", "warn")]
    public void Map_EventWebhook_ClassifiedTypeAndSeverity(string message, string eventType, string type, string severity)
    {
        var json = WithMetadata(
            new() { ["eventMessage"] = message, ["eventType"] = eventType, ["timestamp"] = "1736500000123" },
            "\"phase\":\"Progressing\",\"checksum\":\"85d557f47b\",");

        var cloudEvent = Map(json);

        Assert.Equal(type, cloudEvent.Type);
        Assert.Equal(severity, cloudEvent["severity"]);
        Assert.Equal(eventType, cloudEvent["eventtype"]);
    }

    [Fact]
    public void Map_EventWebhookWithoutMessage_GenericEventType()
    {
        var cloudEvent = Map("""{"name":"podinfo","namespace":"test"}""");

        Assert.Equal("app.flagger.canary.event", cloudEvent.Type);
        Assert.Equal("info", cloudEvent["severity"]);
    }

    [Fact]
    public void Map_NoTimestamp_TimeIsReceiptTime()
    {
        Assert.Equal(ReceivedAt, Map(GatePayload, "event").Time);
    }

    [Theory]
    [InlineData("946684800000", "2000-01-01T00:00:00.000Z")]
    [InlineData("1736500000123", "2025-01-10T09:06:40.123Z")]
    [InlineData("4102444799999", "2099-12-31T23:59:59.999Z")]
    public void Map_Timestamp_ExactInstant(string milliseconds, string expected)
    {
        var cloudEvent = Map(WithMetadata(new() { ["timestamp"] = milliseconds }));

        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), cloudEvent.Time);
        Assert.Equal(TimeSpan.Zero, cloudEvent.Time!.Value.Offset);
    }

    [Fact]
    public void Map_EmptyPhaseAndChecksum_ExtensionsOmitted()
    {
        var cloudEvent = Map("""{"name":"podinfo","namespace":"test","phase":"","checksum":""}""", "confirm-rollout");

        Assert.Null(cloudEvent["phase"]);
        Assert.Null(cloudEvent["checksum"]);
        Assert.Null(cloudEvent.GetAttribute("phase"));
        Assert.Equal(5, cloudEvent.ExtensionCount); // partitionkey, namespace, canary, severity, hooktype
    }

    [Fact]
    public void Map_UnknownPhase_PassedThrough()
    {
        var cloudEvent = Map("""{"name":"podinfo","namespace":"test","phase":"Paused"}""");

        Assert.Equal("Paused", cloudEvent["phase"]);
    }

    [Theory]
    [InlineData("Error")]
    [InlineData("normal")]
    [InlineData("")]
    public void Map_EventTypeNotNormalOrWarning_ExtensionOmitted(string eventType)
    {
        var cloudEvent = Map(WithMetadata(new() { ["eventType"] = eventType }));

        Assert.Null(cloudEvent["eventtype"]);
    }

    [Fact]
    public void Map_ClusterNameOption_SourceAndClusterExtension()
    {
        var cloudEvent = Map(GatePayload, "rollout", Mapper(clusterName: "prod-eu"));

        Assert.Equal("/flagger/clusters/prod-eu", cloudEvent.Source);
        Assert.Equal("prod-eu", cloudEvent["cluster"]);
    }

    [Fact]
    public void Map_MetadataClusterAndOption_MetadataWinsForExtensionOptionForSource()
    {
        var cloudEvent = Map(EventPayload, "event", Mapper("https://flagger.example.com/", "prod-eu"));

        Assert.Equal("https://flagger.example.com/clusters/prod-eu", cloudEvent.Source);
        Assert.Equal("flagger-test", cloudEvent["cluster"]);
    }

    [Fact]
    public void Map_EmptyMetadataCluster_FallsBackToOption()
    {
        var cloudEvent = Map("""{"name":"podinfo","namespace":"test","metadata":{"cluster":""}}""", "event", Mapper(clusterName: "prod-eu"));

        Assert.Equal("prod-eu", cloudEvent["cluster"]);
    }

    [Fact]
    public void Map_CustomSource_Used()
    {
        var mapper = Mapper("urn:flagger:prod");

        Assert.Equal("urn:flagger:prod", mapper.Source);
        Assert.Equal("urn:flagger:prod", Map(GatePayload, "rollout", mapper).Source);
    }

    [Fact]
    public void Map_SamePayloadTwice_SameId()
    {
        Assert.Equal(Map(EventPayload).Id, Map(EventPayload).Id);
    }

    [Fact]
    public void Map_MetadataKeyOrderAndWhitespace_DoNotChangeId()
    {
        var reordered = """
            { "metadata": { "timestamp": "1736500000123", "eventType": "Normal", "eventMessage": "Advance podinfo.test canary weight 10",
                            "environment": "test", "cluster": "flagger-test" },
              "checksum": "85d557f47b", "phase": "Progressing", "namespace": "test", "name": "podinfo" }
            """;

        Assert.Equal(Map(EventPayload).Id, Map(reordered).Id);
    }

    [Theory]
    [InlineData("\"name\":\"podinfo\"", "\"name\":\"podinfo2\"")]
    [InlineData("\"namespace\":\"test\"", "\"namespace\":\"test2\"")]
    [InlineData("\"phase\":\"Progressing\"", "\"phase\":\"Succeeded\"")]
    [InlineData("\"phase\":\"Progressing\"", "\"phase\":\"\"")]
    [InlineData("\"checksum\":\"85d557f47b\"", "\"checksum\":\"85d557f47c\"")]
    [InlineData("\"checksum\":\"85d557f47b\"", "\"checksum\":\"\"")]
    [InlineData("\"timestamp\":\"1736500000123\"", "\"timestamp\":\"1736500000124\"")]
    [InlineData(",\"timestamp\":\"1736500000123\"", "")]
    [InlineData("canary weight 10", "canary weight 20")]
    [InlineData("\"eventMessage\":\"Advance podinfo.test canary weight 10\",", "")]
    [InlineData("\"eventMessage\":\"Advance podinfo.test canary weight 10\"", "\"eventMessage\":\"\"")]
    public void Map_IdInputChanged_DifferentId(string from, string to)
    {
        var changed = EventPayload.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(EventPayload, changed);

        Assert.NotEqual(Map(EventPayload).Id, Map(changed).Id);
    }

    [Theory]
    [InlineData("\"environment\":\"test\"", "\"environment\":\"prod\"")]
    [InlineData("\"cluster\":\"flagger-test\"", "\"cluster\":\"other\"")]
    [InlineData("\"eventType\":\"Normal\"", "\"eventType\":\"Warning\"")]
    [InlineData("\"environment\":\"test\",", "")]
    [InlineData("\"name\":\"podinfo\"", "\"name\":\"podinfo\",\"extra\":1")]
    public void Map_OtherMetadataOrMembersChanged_DifferentId(string from, string to)
    {
        var changed = EventPayload.Replace(from, to, StringComparison.Ordinal);
        Assert.NotEqual(EventPayload, changed);

        Assert.NotEqual(Map(EventPayload).Id, Map(changed).Id);
    }

    [Fact]
    public void Map_GateWithOtherHookMetadata_DifferentId()
    {
        var other = GatePayload.Replace("helmv3", "kubectl", StringComparison.Ordinal);

        Assert.NotEqual(Map(GatePayload, "confirm-promotion").Id, Map(other, "confirm-promotion").Id);
    }

    [Fact]
    public void Map_EscapesAndNestedMemberOrder_DoNotChangeId()
    {
        var plain = """{"name":"podinfo","namespace":"test","extra":{"a":[1,{"x":"y","b":true}],"c":null}}""";
        var equivalent = """{"extra":{"c":null,"a":[1,{"b":true,"x":"\u0079"}]},"namespace":"test","name":"pod\u0069nfo"}""";

        Assert.Equal(Map(plain).Id, Map(equivalent).Id);
    }

    [Theory]
    [InlineData("[1,{\"x\":\"y\",\"b\":true}]", "[{\"x\":\"y\",\"b\":true},1]")]
    [InlineData("1", "1.0")]
    [InlineData("1", "\"1\"")]
    [InlineData("null", "false")]
    [InlineData("{}", "[]")]
    [InlineData("\"ab\"", "[\"a\",\"b\"]")]
    public void Map_UnknownMemberValueChanged_DifferentId(string from, string to)
    {
        static string With(string value) => "{\"name\":\"podinfo\",\"namespace\":\"test\",\"extra\":" + value + "}";

        Assert.NotEqual(Map(With(from)).Id, Map(With(to)).Id);
    }

    [Fact]
    public void Map_SamePayloadOtherHook_DifferentId()
    {
        var ids = FlaggerHookTypes.Segments.Select(hook => Map(GatePayload, hook).Id).ToList();

        Assert.Equal(ids.Count, ids.Distinct().Count());
    }

    [Fact]
    public void Map_RepeatedGatePolls_SameIdUntilPhaseOrRevisionChanges()
    {
        var first = Map(GatePayload, "confirm-promotion").Id;
        var again = Map(GatePayload, "confirm-promotion").Id;
        var waiting = Map(GatePayload.Replace("Progressing", "WaitingPromotion", StringComparison.Ordinal), "confirm-promotion").Id;
        var nextRevision = Map(GatePayload.Replace("85d557f47b", "6c9b8f5d4", StringComparison.Ordinal), "confirm-promotion").Id;

        Assert.Equal(first, again);
        Assert.NotEqual(first, waiting);
        Assert.NotEqual(first, nextRevision);
    }

    [Fact]
    public void Map_FieldBoundaries_AreUnambiguous()
    {
        // Without length prefixes "ab"+"c" and "a"+"bc" would hash the same.
        var a = Map("""{"name":"ab","namespace":"test","phase":"","checksum":"c"}""").Id;
        var b = Map("""{"name":"ab","namespace":"test","phase":"C","checksum":""}""").Id;

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void ComputeId_FollowsDocumentedConstruction()
    {
        var payload = Parse(EventPayload);

        var expected = ReferenceId("event", EventPayload);

        Assert.Equal(expected, FlaggerEventMapper.ComputeId(payload, FlaggerHookType.Event));
        Assert.Equal(expected, Mapper().Map(payload, FlaggerHookType.Event, ReceivedAt).Id);
    }

    [Fact]
    public void ComputeId_NonAsciiNamesSortedByUtf8Bytes()
    {
        // U+FF5E sorts before U+10000 by UTF-16 code units, after it by UTF-8 bytes.
        const string Json = "{\"name\":\"podinfo\",\"namespace\":\"test\",\"metadata\":{\"\uFF5E\":\"a\",\"\uD800\uDC00\":\"b\"}}";

        Assert.Equal(ReferenceId("rollback", Json), FlaggerEventMapper.ComputeId(Parse(Json), FlaggerHookType.Rollback));
    }

    [Fact]
    public void Map_LongNonAsciiMessage_ValidEvent()
    {
        var message = string.Concat(Enumerable.Repeat("d\u00e9ploiement \u00e9chou\u00e9 \U0001F525 ", 2000));
        var json = WithMetadata(new() { ["eventMessage"] = message, ["eventType"] = "Warning" });

        var cloudEvent = Map(json);

        Assert.True(cloudEvent.IsValid);
        Assert.Equal("warn", cloudEvent["severity"]);
        Assert.Equal(ReferenceId("event", json), cloudEvent.Id);
    }

    [Fact]
    public void Map_DocumentedExamples_MatchDocs()
    {
        // The ids printed in docs/events.md; a change here changes the published contract.
        var example = Map(EventPayload);
        var gate = Map("""{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"85d557f47b"}""", "confirm-promotion");

        Assert.Equal("4e73075d6c380d6acfddda2582a984d2", example.Id);
        Assert.Equal("54d40506fb9069738a889ae632f2900c", gate.Id);
        Assert.Equal("app.flagger.canary.hook.confirm-promotion", gate.Type);
    }

    // Independent implementation of the id as documented in docs/events.md.
    private static string ReferenceId(string hookType, string json)
    {
        var bytes = new List<byte>(Encoding.ASCII.GetBytes("flagger-event-id/2"));
        AddBytes(bytes, 's', Encoding.UTF8.GetBytes(hookType));
        AddNode(bytes, JsonNode.Parse(json));
        return Convert.ToHexString(SHA256.HashData(bytes.ToArray()), 0, 16).ToLowerInvariant();
    }

    private static void AddNode(List<byte> bytes, JsonNode? node)
    {
        switch (node)
        {
            case null:
                bytes.Add((byte)'z');
                break;
            case JsonObject members:
                AddLength(bytes, 'o', members.Count);
                foreach (var (name, value) in members.Select(m => (Name: Encoding.UTF8.GetBytes(m.Key), m.Value)).OrderBy(m => Convert.ToHexString(m.Name), StringComparer.Ordinal))
                {
                    AddBytes(bytes, 's', name);
                    AddNode(bytes, value);
                }

                break;
            case JsonArray items:
                AddLength(bytes, 'a', items.Count);
                foreach (var item in items)
                {
                    AddNode(bytes, item);
                }

                break;
            default:
                var element = node.GetValue<JsonElement>();
                switch (element.ValueKind)
                {
                    case JsonValueKind.String:
                        AddBytes(bytes, 's', Encoding.UTF8.GetBytes(element.GetString()!));
                        break;
                    case JsonValueKind.Number:
                        AddBytes(bytes, 'n', Encoding.UTF8.GetBytes(element.GetRawText()));
                        break;
                    default:
                        bytes.Add(element.ValueKind == JsonValueKind.True ? (byte)'t' : (byte)'f');
                        break;
                }

                break;
        }
    }

    private static void AddBytes(List<byte> bytes, char kind, byte[] value)
    {
        AddLength(bytes, kind, value.Length);
        bytes.AddRange(value);
    }

    private static void AddLength(List<byte> bytes, char kind, int length)
    {
        bytes.Add((byte)kind);
        var prefix = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(prefix, length);
        bytes.AddRange(prefix);
    }
}
