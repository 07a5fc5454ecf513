using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bridge.CloudEvents;
using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Sinks.Chat;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Notifier.Tests.Sinks.Chat;

/// <summary>A clock standing still at a given instant, so signatures and timestamps can be recomputed.</summary>
internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => now;
}

/// <summary>
/// Builds chat sinks the way the notifier does (a <see cref="SinkDefinition"/> over a configuration section, a real
/// HttpClient) pointed at a <see cref="RecordingHttpServer"/>, and events the way the bridge publishes them.
/// </summary>
internal static class ChatSinkFixture
{
    /// <summary>The instant signatures are computed at: 2025-01-10T09:06:40.123Z.</summary>
    public static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(1736500000123);

    public static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static ISinkFactory Factory(string kind) =>
        new ServiceCollection().AddChatSinks().BuildServiceProvider().GetServices<ISinkFactory>().Single(f => f.Kind == kind);

    public static SinkDefinition Definition(string kind, IDictionary<string, string?> keys, string name = "chat", string? dataDirectory = null) =>
        new(name, kind, new ConfigurationBuilder().AddInMemoryCollection(keys).Build(), Http, new ServiceCollection().AddLogging().BuildServiceProvider(), new FixedTimeProvider(Now), dataDirectory);

    public static ISink Create(string kind, IDictionary<string, string?> keys, string name = "chat", string? dataDirectory = null) =>
        Factory(kind).Create(Definition(kind, keys, name, dataDirectory));

    /// <summary>
    /// The event the bridge publishes for Flagger's "Advance podinfo.test canary weight 10" (docs/events.md), with a
    /// dashboard link in the canary webhook's metadata.
    /// </summary>
    public static Notification Notification(
        string message = "Advance podinfo.test canary weight 10",
        string type = "app.flagger.canary.weight.advanced",
        string severity = "info",
        string phase = "Progressing",
        string checksum = "85d557f47b",
        string id = "4e73075d6c380d6acfddda2582a984d2")
    {
        var data = new JsonObject
        {
            ["name"] = "podinfo",
            ["namespace"] = "test",
            ["phase"] = phase,
            ["checksum"] = checksum,
            ["metadata"] = new JsonObject
            {
                ["cluster"] = "flagger-test",
                ["dashboard"] = "https://grafana.example.com/d/podinfo?var-ns=test",
                ["environment"] = "test",
                ["eventMessage"] = message,
                ["eventType"] = severity == "info" ? "Normal" : "Warning",
                ["timestamp"] = "1736500000123",
            },
        };
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = "/flagger",
            ["type"] = type,
            ["subject"] = "test/podinfo",
            ["time"] = "2025-01-10T09:06:40.123Z",
            ["datacontenttype"] = "application/json",
            ["partitionkey"] = "test/podinfo",
            ["namespace"] = "test",
            ["canary"] = "podinfo",
            ["phase"] = phase,
            ["severity"] = severity,
            ["cluster"] = "flagger-test",
            ["checksum"] = checksum,
            ["hooktype"] = "event",
            ["eventtype"] = severity == "info" ? "Normal" : "Warning",
            ["data"] = data,
        };
        return Model.Notification.From(JsonEventFormat.Decode(Encoding.UTF8.GetBytes(cloudEvent.ToJsonString())));
    }

    public static SinkMessage Message(Notification? notification = null, string? text = null, string? body = null) => new()
    {
        Notification = notification ?? Notification(),
        Route = "all",
        Text = text,
        Body = body,
        IdempotencyKey = "key-1",
    };

    /// <summary>Asserts two JSON documents are equal as JSON (member order and whitespace aside), showing both when not.</summary>
    public static void AssertJson(string expected, JsonElement actual)
    {
        JsonNode? want = JsonNode.Parse(expected);
        JsonNode? got = JsonNode.Parse(actual.GetRawText());
        Assert.True(JsonNode.DeepEquals(want, got), $"Expected:\n{want?.ToJsonString(Indented)}\nActual:\n{got?.ToJsonString(Indented)}");
    }

    /// <summary>Every string value in a JSON document, depth first.</summary>
    public static IEnumerable<string> Strings(JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.String:
                yield return element.GetString()!;
                break;
            case JsonValueKind.Object:
                foreach (JsonProperty property in element.EnumerateObject())
                {
                    foreach (string s in Strings(property.Value))
                    {
                        yield return s;
                    }
                }
                break;
            case JsonValueKind.Array:
                foreach (JsonElement item in element.EnumerateArray())
                {
                    foreach (string s in Strings(item))
                    {
                        yield return s;
                    }
                }
                break;
        }
    }
}
