using Google.Protobuf.WellKnownTypes;

namespace Bridge.CloudEvents.Sdk.Tests;

/// <summary>A wide set of valid events of this library, by name: every attribute type, edge values, each data kind.</summary>
internal static class BridgeEvents
{
    public static readonly DateTimeOffset SampleTime = new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.FromHours(5.75)).AddTicks(1234567);

    private static readonly Dictionary<string, Func<CloudEvent>> Cases = Build();

    public static IEnumerable<string> Names => Cases.Keys;

    /// <summary>Names of the cases whose data is not protobuf (the SDK's JSON formatter cannot encode an Any).</summary>
    public static IEnumerable<string> NamesWithoutProto => Cases.Where(c => c.Value().Data.Kind != CloudEventDataKind.Proto).Select(c => c.Key);

    public static CloudEvent Get(string name) => Cases[name]();

    public static CloudEvent Minimal() => new() { Id = "1", Source = "/src", Type = "com.example.minimal" };

    private static CloudEvent With(Action<CloudEvent> change)
    {
        CloudEvent e = Minimal();
        change(e);
        return e;
    }

    private static CloudEvent WithData(CloudEventData data, string? contentType) => With(e =>
    {
        e.DataContentType = contentType;
        e.Data = data;
    });

    private static CloudEvent WithExtension(CloudEventAttributeType type, object value) =>
        With(e => e.SetAttribute(CloudEventAttribute.CreateExtension("ext", type), value));

    private static Dictionary<string, Func<CloudEvent>> Build()
    {
        var cases = new Dictionary<string, Func<CloudEvent>>(StringComparer.Ordinal)
        {
            ["minimal"] = Minimal,
            ["incomplete-no-id-source-type"] = () => new CloudEvent { Subject = "only a subject" },
            ["all-core"] = () => new CloudEvent
            {
                Id = "id-ü-😀-\u00e9",
                Source = "https://example.com/a/b?x=1&y=%20#frag",
                Type = "app.flagger.canary.promoted",
                DataContentType = "application/json; charset=utf-8",
                DataSchema = "https://schemas.example.com/v1/thing.json",
                Subject = "test/podinfo 50% 日本語",
                Time = SampleTime,
                Data = CloudEventData.FromJson("""{"name":"podinfo","weight":50,"ok":true,"tags":["a",null]}"""),
            },
            ["datacontenttype-without-data"] = () => WithData(CloudEventData.None, "application/xml"),
            ["datacontenttype-upper-case-json"] = () => WithData(CloudEventData.FromJson("{}"), "Application/JSON"),
            ["datacontenttype-quoted-parameter"] = () => WithData(CloudEventData.FromText("a"), "text/plain; charset=\"utf-8\"; x=\"a;b\""),
            ["dataschema-urn"] = () => With(e => e.DataSchema = "urn:isbn:0451450523"),
            ["time-utc-whole-second"] = () => With(e => e.Time = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero)),
            ["time-one-tick"] = () => With(e => e.Time = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1)),
            ["time-negative-offset"] = () => With(e => e.Time = new DateTimeOffset(1999, 12, 31, 23, 59, 59, 999, TimeSpan.FromHours(-12))),
            ["time-plus-14"] = () => With(e => e.Time = new DateTimeOffset(2030, 6, 1, 12, 0, 0, TimeSpan.FromHours(14))),
            ["time-min"] = () => With(e => e.Time = DateTimeOffset.MinValue),
            ["time-max"] = () => With(e => e.Time = DateTimeOffset.MaxValue),
            ["subject-unicode-pairs"] = () => With(e => e.Subject = "𝄞 music \U0010FFFD \u2028 end"),
            ["id-long"] = () => With(e => e.Id = new string('x', 10_000)),
            ["known-extensions"] = () => With(e =>
            {
                e["partitionkey"] = "test/podinfo";
                e["traceparent"] = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
                e["tracestate"] = "congo=t61rcWkgMzE";
                e["knativeerrorcode"] = 503;
                e["knativeerrordest"] = "http://sink.default.svc.cluster.local";
                e["knativeerrordata"] = "aGVsbG8=";
                e["knativebrokerttl"] = 255;
            }),
            ["flagger-like"] = () => With(e =>
            {
                e.Source = "flagger.app/cluster/prod-eu";
                e.Type = "app.flagger.canary.weight.advanced";
                e.Subject = "test/podinfo";
                e.Time = new DateTimeOffset(2024, 5, 1, 10, 0, 0, 123, TimeSpan.Zero);
                e.DataContentType = "application/json";
                e["partitionkey"] = "test/podinfo";
                e["namespace"] = "test";
                e["canary"] = "podinfo";
                e["phase"] = "Progressing";
                e["severity"] = "info";
                e.Data = CloudEventData.FromJson("""{"name":"podinfo","namespace":"test","phase":"Progressing","metadata":{"eventMessage":"Advance podinfo.test canary weight 10","timestamp":"1714557600123"}}""");
            }),
            ["many-extensions"] = () => With(e =>
            {
                for (int i = 0; i < 60; i++)
                {
                    e.SetAttribute(CloudEventAttribute.CreateExtension($"x{i}", (CloudEventAttributeType)(i % 7)), ValueOf((CloudEventAttributeType)(i % 7), i));
                }
            }),
        };

        foreach (string source in new[]
        {
            "#frag", "1-555-123", "?q=1", "//authority/x", "../up/one", "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
            "mailto:someone@example.com", "a:", "HTTP://EXAMPLE.COM/Path", "http://h:/", "http://[::1]:8080/x",
            "http://user:pw@example.com/%41%e2%82%ac", "s3://bucket/key", "tag:example.com,2024:x", "http://ex_ample.com/",
        })
        {
            cases[$"source {source}"] = () => With(e => e.Source = source);
        }

        (string Name, CloudEventAttributeType Type, object Value)[] extensions =
        [
            ("bool-true", CloudEventAttributeType.Boolean, true),
            ("bool-false", CloudEventAttributeType.Boolean, false),
            ("int-min", CloudEventAttributeType.Integer, int.MinValue),
            ("int-max", CloudEventAttributeType.Integer, int.MaxValue),
            ("int-zero", CloudEventAttributeType.Integer, 0),
            ("string-empty", CloudEventAttributeType.String, ""),
            ("string-unicode", CloudEventAttributeType.String, "Euro € 😀 \"quoted\" 50%25 a+b,c;d \\ back"),
            ("string-looks-like-number", CloudEventAttributeType.String, "42"),
            ("string-looks-like-time", CloudEventAttributeType.String, "2024-01-01T00:00:00+00:00"),
            ("binary-empty", CloudEventAttributeType.Binary, Array.Empty<byte>()),
            ("binary-all-bytes", CloudEventAttributeType.Binary, Enumerable.Range(0, 256).Select(i => (byte)i).ToArray()),
            ("uri", CloudEventAttributeType.Uri, "https://example.com/x%20y?a=b#c"),
            ("uri-urn", CloudEventAttributeType.Uri, "urn:isbn:0451450523"),
            ("uri-ipv6", CloudEventAttributeType.Uri, "http://[2001:db8::7]/c=GB?objectClass?one"),
            ("uriref-relative", CloudEventAttributeType.UriReference, "../rel?q#f"),
            ("uriref-absolute", CloudEventAttributeType.UriReference, "https://example.com/"),
            ("uriref-empty", CloudEventAttributeType.UriReference, ""),
            ("uriref-fragment", CloudEventAttributeType.UriReference, "#only"),
            ("timestamp", CloudEventAttributeType.Timestamp, SampleTime),
            ("timestamp-utc", CloudEventAttributeType.Timestamp, new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero)),
        ];
        foreach ((string name, CloudEventAttributeType type, object value) in extensions)
        {
            cases[$"extension {name}"] = () => WithExtension(type, value);
        }

        (string Name, CloudEventData Data, string? ContentType)[] data =
        [
            ("none", CloudEventData.None, null),
            ("binary", CloudEventData.FromBytes(new byte[] { 0xff, 0x00, 0x7b }), "application/octet-stream"),
            ("binary-empty", CloudEventData.FromBytes(Array.Empty<byte>()), "application/octet-stream"),
            ("binary-no-content-type", CloudEventData.FromBytes(new byte[] { 1, 2, 3 }), null),
            ("binary-json-content-type", CloudEventData.FromBytes("{\"a\":1}"u8.ToArray()), "application/json"),
            ("text", CloudEventData.FromText("hello € \"world\"\n\ttab 😀"), "text/plain; charset=utf-8"),
            ("text-empty", CloudEventData.FromText(""), "text/plain"),
            ("text-xml", CloudEventData.FromText("<a b=\"c\">&amp;</a>"), "application/xml"),
            ("text-no-content-type", CloudEventData.FromText("plain"), null),
            ("text-json-content-type", CloudEventData.FromText("not json"), "application/json"),
            ("json-object", CloudEventData.FromJson("""{"a":1,"nested":{"b":[1,2,{"c":null}]}}"""), "application/json"),
            ("json-array", CloudEventData.FromJson("[1,\"two\",3.5,false]"), "application/json"),
            ("json-string", CloudEventData.FromJson("\"just a string\""), "application/json"),
            ("json-string-holding-json", CloudEventData.FromJson("\"{\\\"a\\\":1}\""), "application/json"),
            ("json-number-exact-text", CloudEventData.FromJson("1.50e+400"), "application/json"),
            ("json-true", CloudEventData.FromJson("true"), "application/json"),
            ("json-null", CloudEventData.JsonNull, "application/json"),
            ("json-null-no-content-type", CloudEventData.JsonNull, null),
            ("json-no-content-type", CloudEventData.FromJson("{\"x\":[]}"), null),
            ("json-escapes-kept", CloudEventData.FromJson("{\"\\u00e9\":\"caf\\u00e9 é \\/ \\ud83d\\ude00\"}"), "application/json"),
            ("json-inner-whitespace-kept", CloudEventData.FromJson("{ \"a\" :\n [ 1 , 2 ] }"), "application/json"),
            ("json-vendor", CloudEventData.FromJson("[1,2]"), "application/vnd.example+json; charset=utf-8"),
            ("json-text-plain-content-type", CloudEventData.FromJson("{\"a\":1}"), "text/plain"),
            ("proto", CloudEventData.FromProto(new StringValue { Value = "v" }), "application/protobuf"),
            ("proto-no-content-type", CloudEventData.FromProto(new Int32Value { Value = -7 }), null),
            ("proto-custom-type-url", CloudEventData.FromProto(new Any { TypeUrl = "example.com/pkg.Msg", Value = Google.Protobuf.ByteString.CopyFrom(1, 2, 3) }), "application/protobuf"),
        ];
        foreach ((string name, CloudEventData payload, string? contentType) in data)
        {
            cases[$"data {name}"] = () => WithData(payload, contentType);
        }

        return cases;
    }

    private static object ValueOf(CloudEventAttributeType type, int i) => type switch
    {
        CloudEventAttributeType.Boolean => i % 2 == 0,
        CloudEventAttributeType.Integer => i * -1000,
        CloudEventAttributeType.String => $"value {i}",
        CloudEventAttributeType.Binary => new[] { (byte)i },
        CloudEventAttributeType.Uri => $"https://example.com/{i}",
        CloudEventAttributeType.UriReference => $"/{i}",
        _ => SampleTime.AddDays(i),
    };
}
