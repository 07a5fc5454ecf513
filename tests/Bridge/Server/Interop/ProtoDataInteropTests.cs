using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Google.Protobuf.WellKnownTypes;

namespace Bridge.Server.Tests.Interop;

/// <summary>
/// Protobuf data and nanosecond times through the whole bridge, from each gRPC implementation users have:
/// every peer publishes an event whose data is a google.protobuf.Duration packed into an Any
/// (<c>proto_data</c>) with a <c>time</c> of seconds=1764590400, nanos=123456789, through Kafka, and
/// subscribes to it again. The delivery must carry <c>proto_data</c> with the same type URL and bytes, unpack
/// to the same Duration in that language, and keep the time to the nanosecond.
/// </summary>
[Collection(BridgeInteropCollection.Name)]
public sealed class ProtoDataInteropTests(BridgeInteropFixture bridge)
{
    private const long TimeSeconds = 1764590400;
    private const int TimeNanos = 123456789;
    private const long DurationSeconds = 5025;
    private const int DurationNanos = 987654321;
    private const string DurationTypeUrl = "type.googleapis.com/google.protobuf.Duration";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<string>> Descriptors = new(WriteDescriptorSetAsync);

    /// <summary>What any protobuf runtime must produce when it packs the Duration: the reference for every peer.</summary>
    private static readonly Any Expected = Any.Pack(new Duration { Seconds = DurationSeconds, Nanos = DurationNanos });

    [Fact]
    public async Task ProtoDataAndNanosecondTime_PublishedFromPython_DeliveredUnchangedToPython()
    {
        string ns = InteropEvents.UniqueNamespace();
        var e = InteropEvents.Event("python-protodata", ns);
        e.Remove("textData");
        var attributes = e["attributes"]!.AsObject();
        attributes.Remove("datacontenttype");
        attributes["time"] = new JsonObject { ["ceTimestamp"] = "2025-12-01T12:00:00.123456789Z" };
        e["protoData"] = new JsonObject
        {
            ["@type"] = DurationTypeUrl,
            ["value"] = string.Create(CultureInfo.InvariantCulture, $"{DurationSeconds}.{DurationNanos:D9}s"),
        };

        var published = await bridge.PeerAsync("publish", "--events", InteropEvents.Events(e));
        var delivered = await bridge.PeerAsync("subscribe", "--open", InteropEvents.Open(InteropEvents.UniqueSubscription("protodata-python"), ns), "--expect", "1");

        delivered.AssertStatus("OK");
        AssertRoundTrip("Python (grpcio)", "python-protodata", [.. published.Lines, .. delivered.Lines], published.Transcript + delivered.Transcript);
    }

    [Fact]
    public async Task ProtoDataAndNanosecondTime_PublishedFromNode_DeliveredUnchangedToNode()
    {
        string examples = await NodeExampleClientsTests.Installed.Value;
        string peer = Path.GetFullPath(Path.Combine(examples, "..", "..", "..", "tests", "Bridge", "Server", "Interop", "protodata_peer.js"));
        string ns = InteropEvents.UniqueNamespace();

        using var process = new ScriptProcess("node", [peer, examples, .. PeerArguments("--", ns, "protodata-node", "node-protodata")]);
        int exitCode = await process.WaitForExitAsync(Timeout);

        Assert.True(exitCode == 0, $"protodata_peer.js exited with {exitCode}.\n{process.Transcript}");
        AssertRoundTrip("Node (@grpc/grpc-js)", "node-protodata", process.Output, process.Transcript);
    }

    [Fact]
    public async Task ProtoDataAndNanosecondTime_PublishedFromGo_DeliveredUnchangedToGo()
    {
        string program = await GoPrograms.BuildAsync("protodata");
        string descriptors = await Descriptors.Value;
        string ns = InteropEvents.UniqueNamespace();

        var (exitCode, output) = await ProcessRunner.RunAsync(program,
            ["-descriptors", descriptors, .. PeerArguments("-", ns, "protodata-go", "go-protodata")], Timeout);

        Assert.True(exitCode == 0, $"The Go peer (protodata) exited with {exitCode}.\n{output}");
        AssertRoundTrip("Go (grpc-go)", "go-protodata", output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), output);
    }

    private string[] PeerArguments(string dash, string ns, string purpose, string id) =>
    [
        dash + "address", bridge.GrpcAddress, dash + "namespace", ns, dash + "subscription", InteropEvents.UniqueSubscription(purpose),
        dash + "id", id,
        dash + "time-seconds", TimeSeconds.ToString(CultureInfo.InvariantCulture), dash + "time-nanos", TimeNanos.ToString(CultureInfo.InvariantCulture),
        dash + "duration-seconds", DurationSeconds.ToString(CultureInfo.InvariantCulture), dash + "duration-nanos", DurationNanos.ToString(CultureInfo.InvariantCulture),
    ];

    /// <summary>Both properties, from the SENT, RESULT, DELIVERY and STATUS lines a peer printed.</summary>
    private static void AssertRoundTrip(string language, string id, IReadOnlyList<string> lines, string transcript)
    {
        Assert.False(lines.Any(line => line.StartsWith("FAIL", StringComparison.Ordinal)), $"The {language} peer failed.\n{transcript}");
        string expectedValue = Expected.Value.ToBase64();

        var sent = OneLine(lines, "SENT", language, transcript);
        Assert.True(sent.GetProperty("type_url").GetString() == DurationTypeUrl && sent.GetProperty("value").GetString() == expectedValue,
            $"{language} packed the Duration as {sent}, not as {{type_url: {DurationTypeUrl}, value: {expectedValue}}} like Google.Protobuf.\n{transcript}");

        var result = OneLine(lines, "RESULT", language, transcript);
        Assert.True(result.GetProperty("outcome").GetString() == "accepted", $"Publish from {language} did not accept the event: {result}.\n{transcript}");

        var delivery = OneLine(lines, "DELIVERY", language, transcript);
        Assert.Equal(id, delivery.GetProperty("id").GetString());
        string? kind = delivery.GetProperty("data_kind").ValueKind == JsonValueKind.Null ? null : delivery.GetProperty("data_kind").GetString();
        Assert.True(kind == "proto_data",
            $"The event published from {language} with proto_data was delivered with {kind ?? "no data"}: the Any's type URL did not survive Kafka.\n{transcript}");
        var protoData = delivery.GetProperty("proto_data");
        Assert.True(protoData.GetProperty("type_url").GetString() == DurationTypeUrl,
            $"{language} got proto_data with type URL '{protoData.GetProperty("type_url").GetString()}', published as '{DurationTypeUrl}'.\n{transcript}");
        Assert.True(protoData.GetProperty("value").GetString() == expectedValue,
            $"{language} got proto_data bytes (base64) {protoData.GetProperty("value").GetString()}, published as {expectedValue}.\n{transcript}");
        var unpacked = delivery.GetProperty("unpacked");
        Assert.True(
            unpacked.TryGetProperty("type", out var type) && type.GetString() == "google.protobuf.Duration"
            && unpacked.GetProperty("seconds").GetInt64() == DurationSeconds && unpacked.GetProperty("nanos").GetInt32() == DurationNanos,
            $"{language} unpacked the delivered Any as {unpacked}, not as the Duration {DurationSeconds}s {DurationNanos}ns it published.\n{transcript}");
        Assert.True(delivery.TryGetProperty("datacontenttype", out var contentType) && contentType.GetString() == "application/protobuf",
            $"An event published from {language} with proto_data and no datacontenttype must be delivered with 'application/protobuf'.\n{transcript}");

        Assert.True(delivery.TryGetProperty("time", out var time), $"The event published from {language} was delivered without its time.\n{transcript}");
        Assert.True(time.GetProperty("seconds").GetInt64() == TimeSeconds && time.GetProperty("nanos").GetInt32() == TimeNanos,
            $"The time published from {language} as seconds={TimeSeconds}, nanos={TimeNanos} was delivered as seconds={time.GetProperty("seconds")}, nanos={time.GetProperty("nanos")}.\n{transcript}");

        string? status = lines.LastOrDefault(line => line.StartsWith("STATUS ", StringComparison.Ordinal));
        Assert.True(status is not null && status.Split(' ')[1] == "OK", $"The {language} Subscribe call did not end with OK after the ack and half-close.\n{transcript}");
    }

    private static JsonElement OneLine(IReadOnlyList<string> lines, string kind, string language, string transcript)
    {
        var matching = lines.Where(line => line.StartsWith(kind + " ", StringComparison.Ordinal)).ToList();
        Assert.True(matching.Count == 1, $"The {language} peer printed {matching.Count} {kind} lines, expected one.\n{transcript}");
        return JsonDocument.Parse(matching[0][(kind.Length + 1)..]).RootElement.Clone();
    }

    /// <summary>The API's descriptors for the Go peer's dynamic messages, written by protoc from the repository's protos.</summary>
    private static async Task<string> WriteDescriptorSetAsync()
    {
        string directory = Directory.CreateTempSubdirectory("bridge-descriptors-").FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(directory, recursive: true);
        string file = Path.Combine(directory, "bridge.pb");
        var (code, output) = await ProcessRunner.RunAsync(BridgeInteropFixture.Python,
            ["-m", "grpc_tools.protoc", "-I", BridgeInteropFixture.ProtoDirectory, "--include_imports", "--descriptor_set_out=" + file, "bridge/v1/bridge.proto"],
            Timeout);
        Assert.True(code == 0,
            "Writing the descriptor set with grpc_tools.protoc failed; it needs the Debian package python3-grpc-tools: " + output);
        return file;
    }
}
