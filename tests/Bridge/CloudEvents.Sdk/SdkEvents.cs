using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Extensions;
using Google.Protobuf.WellKnownTypes;
using SdkAttribute = CloudNative.CloudEvents.CloudEventAttribute;
using SdkAttributeType = CloudNative.CloudEvents.CloudEventAttributeType;
using SdkCloudEvent = CloudNative.CloudEvents.CloudEvent;

namespace Bridge.CloudEvents.Sdk.Tests;

/// <summary>Valid CloudEvents SDK events, by name, as SDK-based code builds them.</summary>
internal static class SdkEvents
{
    private static readonly Dictionary<string, Func<SdkCloudEvent>> Cases = Build();

    public static IEnumerable<string> Names => Cases.Keys;

    public static SdkCloudEvent Get(string name) => Cases[name]();

    public static SdkCloudEvent Minimal() => new()
    {
        Id = "sdk-1",
        Source = new Uri("https://example.com/sdk"),
        Type = "com.example.sdk",
    };

    public static JsonElement Json(string json)
    {
        using JsonDocument document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }

    private static SdkCloudEvent With(Action<SdkCloudEvent> change)
    {
        SdkCloudEvent e = Minimal();
        change(e);
        return e;
    }

    private static Dictionary<string, Func<SdkCloudEvent>> Build()
    {
        var cases = new Dictionary<string, Func<SdkCloudEvent>>(StringComparer.Ordinal)
        {
            ["minimal"] = Minimal,
            ["all-core"] = () => new SdkCloudEvent
            {
                Id = "ü-😀",
                Source = new Uri("/relative/source?x=1", UriKind.Relative),
                Type = "com.example.all",
                DataContentType = "application/json",
                DataSchema = new Uri("https://schemas.example.com/v1"),
                Subject = "subject 日本語",
                Time = new DateTimeOffset(2024, 7, 1, 8, 30, 0, TimeSpan.FromHours(-7)).AddTicks(9),
                Data = Json("""{"a":[1,2,3]}"""),
            },
            ["source-fragment"] = () => With(e => e.Source = new Uri("#frag", UriKind.Relative)),
            ["source-urn"] = () => With(e => e.Source = new Uri("urn:example:source")),
            ["partitioning-extension"] = () => With(e => e.SetPartitionKey("test/podinfo")),
            ["sequence-extension"] = () => With(e => e[Sequence.SequenceAttribute] = "0042"),
            ["sampling-extension"] = () => With(e => e[Sampling.SampledRateAttribute] = 10),
            ["extensions-every-type"] = () => With(e =>
            {
                e[SdkAttribute.CreateExtension("extbool", SdkAttributeType.Boolean)] = true;
                e[SdkAttribute.CreateExtension("extint", SdkAttributeType.Integer)] = int.MinValue;
                e[SdkAttribute.CreateExtension("extstring", SdkAttributeType.String)] = "ünï 😀 %";
                e[SdkAttribute.CreateExtension("extbinary", SdkAttributeType.Binary)] = new byte[] { 0, 255, 7 };
                e[SdkAttribute.CreateExtension("exturi", SdkAttributeType.Uri)] = new Uri("https://example.com/x%20y");
                e[SdkAttribute.CreateExtension("exturiref", SdkAttributeType.UriReference)] = new Uri("../up?q#f", UriKind.Relative);
                e[SdkAttribute.CreateExtension("exttime", SdkAttributeType.Timestamp)] = new DateTimeOffset(2020, 2, 29, 12, 0, 0, TimeSpan.FromMinutes(90));
                e["untyped"] = "string by default";
            }),
            ["known-extensions-typed"] = () => With(e =>
            {
                e[SdkAttribute.CreateExtension("knativebrokerttl", SdkAttributeType.Integer)] = 255;
                e[SdkAttribute.CreateExtension("traceparent", SdkAttributeType.String)] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
            }),
            ["data-none"] = () => With(e => e.DataContentType = "text/plain"),
            ["data-bytes"] = () => With(e =>
            {
                e.DataContentType = "application/octet-stream";
                e.Data = new byte[] { 1, 2, 3, 0 };
            }),
            ["data-bytes-empty"] = () => With(e => e.Data = Array.Empty<byte>()),
            ["data-string"] = () => With(e =>
            {
                e.DataContentType = "text/plain; charset=utf-8";
                e.Data = "text € 😀";
            }),
            ["data-json-object"] = () => With(e =>
            {
                e.DataContentType = "application/json";
                e.Data = Json("""{ "é" : "\u00e9", "n" : 1.0 }""");
            }),
            ["data-json-null"] = () => With(e => e.Data = Json("null")),
            ["data-json-string"] = () => With(e => e.Data = Json("\"s\"")),
            ["data-any"] = () => With(e =>
            {
                e.DataContentType = "application/protobuf";
                e.Data = Any.Pack(new StringValue { Value = "packed" });
            }),
        };
        return cases;
    }
}
