using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using SdkCloudEvent = CloudNative.CloudEvents.CloudEvent;

namespace Bridge.CloudEvents.Sdk.Tests;

/// <summary>Attribute-by-attribute comparisons of events of both models, with messages naming the attribute.</summary>
internal static class EventAssert
{
    /// <summary>Same attributes (names, types, values; timestamps to the nanosecond and offset) and the same data, byte for byte.</summary>
    public static void Same(CloudEvent expected, CloudEvent actual)
    {
        var e = Sorted(expected.GetPopulatedAttributes());
        var a = Sorted(actual.GetPopulatedAttributes());
        Assert.Equal(e.Select(x => x.Attribute.Name), a.Select(x => x.Attribute.Name));
        for (int i = 0; i < e.Count; i++)
        {
            string name = e[i].Attribute.Name;
            Assert.True(e[i].Attribute.Type == a[i].Attribute.Type, $"type of '{name}': expected {e[i].Attribute.Type}, got {a[i].Attribute.Type}");
            Assert.True(e[i].Attribute.IsExtension == a[i].Attribute.IsExtension, $"'{name}' extension or not");
            Assert.True(ValueEquals(e[i].Value, a[i].Value), $"value of '{name}': expected {Show(e[i].Value)}, got {Show(a[i].Value)}");
        }

        Assert.True(expected.Data.Equals(actual.Data), $"data: expected {Describe(expected.Data)}, got {Describe(actual.Data)}");
    }

    /// <summary>The SDK event holds exactly the attributes and data of <paramref name="bridge"/>, in the SDK's .NET types.</summary>
    public static void Corresponds(CloudEvent bridge, SdkCloudEvent sdk)
    {
        Assert.Equal("1.0", sdk.SpecVersion.VersionId);
        var ours = Sorted(bridge.GetPopulatedAttributes()).Where(x => x.Attribute.Name != "specversion").ToList();
        var theirs = sdk.GetPopulatedAttributes().OrderBy(x => x.Key.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(ours.Select(x => x.Attribute.Name), theirs.Select(x => x.Key.Name));
        for (int i = 0; i < ours.Count; i++)
        {
            string name = ours[i].Attribute.Name;
            Assert.True(ours[i].Attribute.IsExtension == theirs[i].Key.IsExtension, $"'{name}' extension or not");
            Assert.True(SdkTypeName(ours[i].Attribute.Type) == theirs[i].Key.Type.Name,
                $"type of '{name}': expected {SdkTypeName(ours[i].Attribute.Type)}, got {theirs[i].Key.Type.Name}");
            object expected = ours[i].Value;
            object actual = theirs[i].Value;
            if (ours[i].Attribute.Type is CloudEventAttributeType.Uri or CloudEventAttributeType.UriReference)
            {
                Uri uri = Assert.IsType<Uri>(actual);
                Assert.True((string)expected == uri.OriginalString, $"value of '{name}': expected '{expected}', got '{uri.OriginalString}'");
                Assert.True(ours[i].Attribute.Type != CloudEventAttributeType.Uri || uri.IsAbsoluteUri, $"'{name}' is a URI, so the Uri must be absolute");
                continue;
            }

            if (ours[i].Attribute.Type == CloudEventAttributeType.Timestamp)
            {
                // The SDK stores timestamps as DateTimeOffset: to the tick, with the offset.
                var time = (CloudEventTimestamp)expected;
                Assert.True(time.TryGetDateTimeOffset(out DateTimeOffset exact), $"'{name}' has sub-tick nanoseconds");
                expected = exact;
            }

            Assert.True(expected.GetType() == actual.GetType(), $".NET type of '{name}': expected {expected.GetType()}, got {actual.GetType()}");
            Assert.True(ValueEquals(expected, actual), $"value of '{name}': expected {Show(expected)}, got {Show(actual)}");
        }

        CloudEventData data = bridge.Data;
        switch (data.Kind)
        {
            case CloudEventDataKind.None:
                Assert.Null(sdk.Data);
                break;
            case CloudEventDataKind.Binary:
                Assert.Equal(data.Bytes.ToArray(), Assert.IsType<byte[]>(sdk.Data));
                break;
            case CloudEventDataKind.Text:
                Assert.Equal(data.Text, Assert.IsType<string>(sdk.Data));
                break;
            case CloudEventDataKind.Json:
                JsonElement element = Assert.IsType<JsonElement>(sdk.Data);
                Assert.Equal(Encoding.UTF8.GetString(data.Bytes.Span).Trim(), element.GetRawText());
                break;
            case CloudEventDataKind.Proto:
                Assert.Equal(data.Proto, Assert.IsType<Any>(sdk.Data));
                break;
        }
    }

    /// <summary>Two SDK events with the same attributes (definitions' names and types, values) and data.</summary>
    public static void SdkSame(SdkCloudEvent expected, SdkCloudEvent actual)
    {
        Assert.Equal(expected.SpecVersion, actual.SpecVersion);
        var e = expected.GetPopulatedAttributes().OrderBy(x => x.Key.Name, StringComparer.Ordinal).ToList();
        var a = actual.GetPopulatedAttributes().OrderBy(x => x.Key.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(e.Select(x => x.Key.Name), a.Select(x => x.Key.Name));
        for (int i = 0; i < e.Count; i++)
        {
            string name = e[i].Key.Name;
            Assert.True(e[i].Key.Type == a[i].Key.Type, $"type of '{name}': expected {e[i].Key.Type}, got {a[i].Key.Type}");
            Assert.True(e[i].Key.IsExtension == a[i].Key.IsExtension, $"'{name}' extension or not");
            Assert.True(e[i].Value.GetType() == a[i].Value.GetType(), $".NET type of '{name}': expected {e[i].Value.GetType()}, got {a[i].Value.GetType()}");
            Assert.True(ValueEquals(e[i].Value, a[i].Value), $"value of '{name}': expected {Show(e[i].Value)}, got {Show(a[i].Value)}");
        }

        switch (expected.Data)
        {
            case null:
                Assert.Null(actual.Data);
                break;
            case JsonElement element:
                Assert.Equal(element.GetRawText(), Assert.IsType<JsonElement>(actual.Data).GetRawText());
                break;
            default:
                Assert.True(expected.Data.GetType() == actual.Data?.GetType(), $"data: expected a {expected.Data.GetType()}, got {actual.Data?.GetType()}");
                Assert.True(ValueEquals(expected.Data, actual.Data!), $"data: expected {Show(expected.Data)}, got {Show(actual.Data!)}");
                break;
        }
    }

    /// <summary>Two JSON texts hold the same JSON value (escapes and whitespace aside).</summary>
    public static void JsonEquivalent(ReadOnlySpan<byte> expected, ReadOnlySpan<byte> actual)
    {
        using JsonDocument e = JsonDocument.Parse(expected.ToArray());
        using JsonDocument a = JsonDocument.Parse(actual.ToArray());
        Assert.True(JsonElement.DeepEquals(e.RootElement, a.RootElement),
            $"JSON: expected {Encoding.UTF8.GetString(expected)}, got {Encoding.UTF8.GetString(actual)}");
    }

    public static string Describe(CloudEventData data) => data.Kind switch
    {
        CloudEventDataKind.Json or CloudEventDataKind.Binary => $"{data.Kind} [{Encoding.UTF8.GetString(data.Bytes.Span)}]",
        CloudEventDataKind.Text => $"Text [{data.Text}]",
        _ => data.ToString(),
    };

    public static string SdkTypeName(CloudEventAttributeType type) => type switch
    {
        CloudEventAttributeType.Uri => "URI",
        CloudEventAttributeType.UriReference => "URI-Reference",
        _ => type.ToString(),
    };

    private static List<(CloudEventAttribute Attribute, object Value)> Sorted(IEnumerable<(CloudEventAttribute Attribute, object Value)> attributes) =>
        attributes.OrderBy(a => a.Attribute.Name, StringComparer.Ordinal).ToList();

    private static bool ValueEquals(object x, object y) => (x, y) switch
    {
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        (DateTimeOffset a, DateTimeOffset b) => a.EqualsExact(b),
        (CloudEventTimestamp a, CloudEventTimestamp b) => a.EqualsExact(b),
        (Uri a, Uri b) => a.OriginalString == b.OriginalString && a.IsAbsoluteUri == b.IsAbsoluteUri,
        _ => x.Equals(y),
    };

    private static string Show(object value) => value switch
    {
        byte[] b => $"0x{Convert.ToHexString(b)}",
        DateTimeOffset t => t.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
        CloudEventTimestamp t => $"{t.DateTimeOffset.ToString("O", System.Globalization.CultureInfo.InvariantCulture)} +{t.SubTickNanoseconds} ns",
        Uri u => $"Uri '{u.OriginalString}'",
        _ => $"{value} ({value.GetType().Name})",
    };
}
