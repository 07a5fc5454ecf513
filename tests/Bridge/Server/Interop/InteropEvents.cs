using System.Text.Json;
using System.Text.Json.Nodes;

namespace Bridge.Server.Tests.Interop;

/// <summary>Test inputs for the Python peer: CloudEvents and open requests in protobuf JSON, Flagger payloads.</summary>
internal static class InteropEvents
{
    /// <summary>A Kubernetes namespace name no other test uses, so a filter on it isolates a test's events.</summary>
    public static string UniqueNamespace() => "interop-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>A subscription name no other test uses.</summary>
    public static string UniqueSubscription(string purpose) => $"interop.{purpose}-{Guid.NewGuid():N}";

    /// <summary>
    /// An io.cloudevents.v1.CloudEvent in protobuf JSON with a <c>namespace</c> extension, JSON data and a
    /// <c>partitionkey</c> (the Kafka key), so events of one test and key stay in order on one partition.
    /// </summary>
    public static JsonObject Event(string id, string ns, string type = "com.example.interop.tested", string? source = "/interop/python", string? subject = null)
    {
        var attributes = new JsonObject
        {
            ["namespace"] = new JsonObject { ["ceString"] = ns },
            ["partitionkey"] = new JsonObject { ["ceString"] = $"{ns}/app" },
            ["subject"] = new JsonObject { ["ceString"] = subject ?? $"{ns}/app" },
            ["datacontenttype"] = new JsonObject { ["ceString"] = "application/json" },
            ["time"] = new JsonObject { ["ceTimestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'") },
        };
        var e = new JsonObject { ["specVersion"] = "1.0", ["type"] = type, ["attributes"] = attributes, ["textData"] = $"{{\"id\":\"{id}\"}}" };
        if (id.Length > 0)
        {
            e["id"] = id;
        }

        if (source is not null)
        {
            e["source"] = source;
        }

        return e;
    }

    public static string Events(params JsonObject[] events) => new JsonArray([.. events]).ToJsonString();

    /// <summary>An OpenSubscription in protobuf JSON: only events of <paramref name="ns"/>, from the earliest.</summary>
    public static string Open(string subscription, string ns, int maxInFlight = 0) => Open(subscription, "namespace", ns, maxInFlight);

    /// <summary>An OpenSubscription in protobuf JSON: only events whose <paramref name="attribute"/> equals <paramref name="value"/>, from the earliest.</summary>
    public static string Open(string subscription, string attribute, string value, int maxInFlight = 0) =>
        new JsonObject
        {
            ["subscription"] = subscription,
            ["filters"] = new JsonArray(new JsonObject { ["exact"] = new JsonObject { ["attributes"] = new JsonObject { [attribute] = value } } }),
            ["start"] = new JsonObject { ["earliest"] = true },
            ["maxInFlight"] = maxInFlight,
        }.ToJsonString();

    /// <summary>A Flagger event webhook payload (weight advanced) for canary <c>podinfo</c> in <paramref name="ns"/>.</summary>
    public static string FlaggerWeightAdvanced(string ns) =>
        JsonSerializer.Serialize(new
        {
            name = "podinfo",
            @namespace = ns,
            phase = "Progressing",
            checksum = "85d557f47b",
            metadata = new Dictionary<string, string>
            {
                ["eventMessage"] = $"Advance podinfo.{ns} canary weight 10",
                ["eventType"] = "Normal",
                ["timestamp"] = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
        });
}
