using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents;

/// <summary>The core attributes of CloudEvents 1.0 and the extension attributes this library knows by type.</summary>
public static class CloudEventAttributes
{
    /// <summary>The only spec version this library implements.</summary>
    public const string SpecVersionValue = "1.0";

    /// <summary><c>specversion</c> (String, required): always <c>1.0</c>.</summary>
    public static CloudEventAttribute SpecVersion { get; } = new("specversion", CloudEventAttributeType.String, true, false, 0, true,
        v => v == SpecVersionValue ? null : "is not a supported spec version (only '1.0' is implemented)");

    /// <summary><c>id</c> (String, required, non-empty).</summary>
    public static CloudEventAttribute Id { get; } = new("id", CloudEventAttributeType.String, true, false, 1, true);

    /// <summary><c>source</c> (URI-reference, required, non-empty).</summary>
    public static CloudEventAttribute Source { get; } = new("source", CloudEventAttributeType.UriReference, true, false, 2, true);

    /// <summary><c>type</c> (String, required, non-empty).</summary>
    public static CloudEventAttribute Type { get; } = new("type", CloudEventAttributeType.String, true, false, 3, true);

    /// <summary><c>datacontenttype</c> (String holding an RFC 2046 media type, optional).</summary>
    public static CloudEventAttribute DataContentType { get; } = new("datacontenttype", CloudEventAttributeType.String, false, false, 4, true,
        v => MediaTypes.Check(v) is { } reason ? $"is not a media type ({reason})" : null);

    /// <summary><c>dataschema</c> (absolute URI, optional).</summary>
    public static CloudEventAttribute DataSchema { get; } = new("dataschema", CloudEventAttributeType.Uri, false, false, 5, true);

    /// <summary><c>subject</c> (String, optional, non-empty).</summary>
    public static CloudEventAttribute Subject { get; } = new("subject", CloudEventAttributeType.String, false, false, 6, true);

    /// <summary><c>time</c> (Timestamp, optional).</summary>
    public static CloudEventAttribute Time { get; } = new("time", CloudEventAttributeType.Timestamp, false, false, 7, false);

    /// <summary><c>partitionkey</c> (String, non-empty): the Partitioning extension.</summary>
    public static CloudEventAttribute PartitionKey { get; } = new("partitionkey", CloudEventAttributeType.String, false, true, -1, true);

    /// <summary><c>traceparent</c> (String): the Distributed Tracing extension, W3C Trace Context of the starting trace.</summary>
    public static CloudEventAttribute TraceParent { get; } = new("traceparent", CloudEventAttributeType.String, false, true, -1, false);

    /// <summary><c>tracestate</c> (String): the Distributed Tracing extension.</summary>
    public static CloudEventAttribute TraceState { get; } = new("tracestate", CloudEventAttributeType.String, false, true, -1, false);

    /// <summary><c>knativeerrorcode</c> (Integer): the last HTTP status of a failed Knative delivery.</summary>
    public static CloudEventAttribute KnativeErrorCode { get; } = new("knativeerrorcode", CloudEventAttributeType.Integer, false, true, -1, false);

    /// <summary><c>knativeerrordest</c> (String): the URL whose delivery failed.</summary>
    public static CloudEventAttribute KnativeErrorDest { get; } = new("knativeerrordest", CloudEventAttributeType.String, false, true, -1, false);

    /// <summary><c>knativeerrordata</c> (String): the last response body of a failed delivery, Base64 and truncated by Knative.</summary>
    public static CloudEventAttribute KnativeErrorData { get; } = new("knativeerrordata", CloudEventAttributeType.String, false, true, -1, false);

    /// <summary><c>knativebrokerttl</c> (Integer): the Knative broker's remaining hop budget.</summary>
    public static CloudEventAttribute KnativeBrokerTtl { get; } = new("knativebrokerttl", CloudEventAttributeType.Integer, false, true, -1, false);

    /// <summary>The eight core attributes in canonical order (specversion, id, source, type, datacontenttype, dataschema, subject, time).</summary>
    public static IReadOnlyList<CloudEventAttribute> Core { get; } =
        [SpecVersion, Id, Source, Type, DataContentType, DataSchema, Subject, Time];

    /// <summary>The extension attributes this library knows by type. Other extensions take their type from the value.</summary>
    public static IReadOnlyList<CloudEventAttribute> KnownExtensions { get; } =
        [PartitionKey, TraceParent, TraceState, KnativeErrorCode, KnativeErrorDest, KnativeErrorData, KnativeBrokerTtl];

    /// <summary>The core attribute with this name, or null.</summary>
    /// <param name="name">The attribute name. Must not be null.</param>
    /// <returns>The core attribute, or null when <paramref name="name"/> is not a core attribute.</returns>
    public static CloudEventAttribute? GetCore(string name) => GetCore(name.AsSpan());

    /// <summary>The known extension with this name, or null.</summary>
    /// <param name="name">The attribute name. Must not be null.</param>
    /// <returns>The known extension definition, or null.</returns>
    public static CloudEventAttribute? GetKnownExtension(string name)
    {
        foreach (CloudEventAttribute attribute in KnownExtensions)
        {
            if (attribute.Name == name)
            {
                return attribute;
            }
        }

        return null;
    }

    internal static CloudEventAttribute? GetCore(ReadOnlySpan<char> name) => name switch
    {
        "specversion" => SpecVersion,
        "id" => Id,
        "source" => Source,
        "type" => Type,
        "datacontenttype" => DataContentType,
        "dataschema" => DataSchema,
        "subject" => Subject,
        "time" => Time,
        _ => null,
    };

    internal static CloudEventAttribute? GetCore(ReadOnlySpan<byte> utf8Name)
    {
        switch (utf8Name.Length)
        {
            case 2: return utf8Name.SequenceEqual("id"u8) ? Id : null;
            case 4:
                return utf8Name.SequenceEqual("type"u8) ? Type : utf8Name.SequenceEqual("time"u8) ? Time : null;
            case 6: return utf8Name.SequenceEqual("source"u8) ? Source : null;
            case 7: return utf8Name.SequenceEqual("subject"u8) ? Subject : null;
            case 10: return utf8Name.SequenceEqual("dataschema"u8) ? DataSchema : null;
            case 11: return utf8Name.SequenceEqual("specversion"u8) ? SpecVersion : null;
            case 15: return utf8Name.SequenceEqual("datacontenttype"u8) ? DataContentType : null;
            default: return null;
        }
    }

    /// <summary>Resolves a name to its definition: core, known extension, or a new extension of <paramref name="typeIfUnknown"/>.</summary>
    internal static CloudEventAttribute Resolve(string name, CloudEventAttributeType typeIfUnknown)
    {
        CloudEventAttribute? attribute = GetCore(name.AsSpan()) ?? GetKnownExtension(name);
        if (attribute != null)
        {
            return attribute;
        }

        if (!TextRules.IsValidAttributeName(name))
        {
            throw new CloudEventFormatException(name, TextRules.DescribeInvalidName(name));
        }

        return new CloudEventAttribute(name, typeIfUnknown, false, true, -1, false);
    }
}
