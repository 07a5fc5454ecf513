using System.Text;
using Google.Protobuf.WellKnownTypes;

namespace Bridge.CloudEvents.Tests;

/// <summary>Sample events and comparison helpers shared by the format and binding tests.</summary>
internal static class TestEvents
{
    public static readonly DateTimeOffset SampleTime = new(2024, 2, 29, 23, 59, 58, TimeSpan.FromHours(2));

    /// <summary>What a transport preserves of extension types.</summary>
    public enum Typing
    {
        /// <summary>Protobuf: every type.</summary>
        All,

        /// <summary>JSON: Boolean, Integer, String.</summary>
        Json,

        /// <summary>Headers: String only (known extensions keep their type).</summary>
        Headers,
    }

    public static CloudEvent Minimal() => new() { Id = "1", Source = "/src", Type = "com.example.minimal" };

    public static CloudEvent AllCore()
    {
        var e = new CloudEvent
        {
            Id = "id-ü-😀",
            Source = "https://example.com/a/b?x=1#frag",
            Type = "com.example.all",
            DataContentType = "application/json",
            DataSchema = "https://schemas.example.com/v1/thing.json",
            Subject = "canary/podinfo 50%",
            Time = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero).AddTicks(1234567),
            Data = CloudEventData.FromJson("""{"a":1,"b":[true,null,"x"]}"""),
        };
        return e;
    }

    public static CloudEvent WithExtensions()
    {
        var e = Minimal();
        e["extbool"] = true;
        e["extint"] = int.MinValue;
        e["extintmax"] = int.MaxValue;
        e["extstring"] = "Euro € 😀 \"quoted\" 50%25 a+b,c;d";
        e["extbinary"] = new byte[] { 0, 1, 2, 255 };
        e["exturi"] = new Uri("https://example.com/x%20y");
        e["exturiref"] = new Uri("../rel?q#f", UriKind.Relative);
        e["exttime"] = SampleTime;
        e["partitionkey"] = "canary/podinfo";
        e["knativebrokerttl"] = 255;
        e["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
        return e;
    }

    /// <summary>Timestamps finer than .NET's 100 ns tick: <c>time</c> with an offset, and an extension before 1970.</summary>
    public static CloudEvent WithNanoseconds()
    {
        var e = Minimal();
        e.PreciseTime = CloudEventTimestamp.Parse("2026-12-01T13:00:00.123456789+01:00");
        e["extnanos"] = CloudEventTimestamp.Parse("1969-12-31T23:59:59.999999999Z");
        return e;
    }

    public static CloudEvent WithData(CloudEventData data, string? contentType)
    {
        var e = Minimal();
        e.DataContentType = contentType;
        e.Data = data;
        return e;
    }

    public static IEnumerable<(string Name, CloudEvent Event)> Attributes() =>
    [
        ("minimal", Minimal()),
        ("all-core", AllCore()),
        ("extensions", WithExtensions()),
        ("nanoseconds", WithNanoseconds()),
        ("datacontenttype-without-data", WithData(CloudEventData.None, "application/xml")),
    ];

    public static IEnumerable<(string Name, CloudEvent Event)> DataKinds(bool includeProto, bool includeEmptyBinary) =>
        new List<(string, CloudEvent)>
        {
            ("none", WithData(CloudEventData.None, null)),
            ("binary", WithData(CloudEventData.FromBytes(new byte[] { 0xff, 0x00, 0x7b }), "application/octet-stream")),
            ("binary-no-content-type", WithData(CloudEventData.FromBytes(new byte[] { 1, 2, 3 }), null)),
            ("text", WithData(CloudEventData.FromText("hello € \"world\"\n"), "text/plain; charset=utf-8")),
            ("json-object", WithData(CloudEventData.FromJson("""{"a":1}"""), "application/json")),
            ("json-string-holding-json", WithData(CloudEventData.FromJson("\"{\\\"a\\\":1}\""), "application/json")),
            ("json-null", WithData(CloudEventData.JsonNull, "application/json")),
            ("json-vendor", WithData(CloudEventData.FromJson("[1,2]"), "application/vnd.example+json; charset=utf-8")),
        }
        .Concat(includeEmptyBinary ? [("binary-empty", WithData(CloudEventData.FromBytes(Array.Empty<byte>()), "application/octet-stream"))] : [])
        .Concat(includeProto
            ?
            [
                ("proto", WithData(CloudEventData.FromProto(new StringValue { Value = "v" }), "application/protobuf")),
                ("proto-custom-type-url", WithData(CloudEventData.FromProto(new Any { TypeUrl = "example.com/types/pkg.Msg", Value = Google.Protobuf.ByteString.CopyFrom(1, 2, 3) }), "application/protobuf")),
            ]
            : []);

    /// <summary>The event a transport should give back: extension values of types it cannot carry become their canonical string.</summary>
    public static CloudEvent ExpectedAfter(CloudEvent original, Typing typing)
    {
        CloudEvent expected = original.Clone();
        foreach (KeyValuePair<CloudEventAttribute, object> extension in original.GetExtensions())
        {
            CloudEventAttribute attribute = extension.Key;
            if (CloudEventAttributes.GetKnownExtension(attribute.Name) != null)
            {
                continue;
            }

            bool keep = typing switch
            {
                Typing.All => true,
                Typing.Json => attribute.Type is CloudEventAttributeType.Boolean or CloudEventAttributeType.Integer or CloudEventAttributeType.String,
                _ => attribute.Type == CloudEventAttributeType.String,
            };
            if (!keep)
            {
                expected.RemoveExtension(attribute.Name);
                expected.SetExtension(attribute.Name, CanonicalString.Format(extension.Value, attribute.Type));
            }
        }

        return expected;
    }

    public static void AssertEqual(CloudEvent expected, CloudEvent actual)
    {
        var e = expected.GetPopulatedAttributes().OrderBy(a => a.Attribute.Name, StringComparer.Ordinal).ToList();
        var a = actual.GetPopulatedAttributes().OrderBy(a => a.Attribute.Name, StringComparer.Ordinal).ToList();
        Assert.Equal(e.Select(x => x.Attribute.Name), a.Select(x => x.Attribute.Name));
        for (int i = 0; i < e.Count; i++)
        {
            Assert.True(e[i].Attribute.Type == a[i].Attribute.Type, $"type of '{e[i].Attribute.Name}': expected {e[i].Attribute.Type}, got {a[i].Attribute.Type}");
            Assert.True(ValueEquals(e[i].Value, a[i].Value), $"value of '{e[i].Attribute.Name}': expected {Show(e[i].Value)}, got {Show(a[i].Value)}");
        }

        Assert.True(expected.Data.Equals(actual.Data), $"data: expected {Describe(expected.Data)}, got {Describe(actual.Data)}");
    }

    public static string Describe(CloudEventData data) => data.Kind switch
    {
        CloudEventDataKind.Json or CloudEventDataKind.Binary => $"{data.Kind} [{Encoding.UTF8.GetString(data.Bytes.Span)}]",
        CloudEventDataKind.Text => $"Text [{data.Text}]",
        _ => data.ToString(),
    };

    private static bool ValueEquals(object x, object y) => (x, y) switch
    {
        (byte[] a, byte[] b) => a.AsSpan().SequenceEqual(b),
        (CloudEventTimestamp a, CloudEventTimestamp b) => a == b,
        _ => x.Equals(y),
    };

    private static string Show(object value) => value is byte[] b ? Convert.ToBase64String(b) : $"{value} ({value.GetType().Name})";
}
