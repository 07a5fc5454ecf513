using CloudNative.CloudEvents;
using CloudNative.CloudEvents.Core;
using SdkAttribute = CloudNative.CloudEvents.CloudEventAttribute;
using SdkAttributeType = CloudNative.CloudEvents.CloudEventAttributeType;

namespace Bridge.CloudEvents.Sdk.Internal;

/// <summary>Attribute definitions and values, one attribute at a time, in both directions.</summary>
internal static class AttributeConversion
{
    /// <summary>Values quoted in messages are cut here, like the codec's own messages.</summary>
    private const int MaxQuotedLength = 120;

    public static SdkAttributeType ToSdk(CloudEventAttributeType type) => type switch
    {
        CloudEventAttributeType.Boolean => SdkAttributeType.Boolean,
        CloudEventAttributeType.Integer => SdkAttributeType.Integer,
        CloudEventAttributeType.String => SdkAttributeType.String,
        CloudEventAttributeType.Binary => SdkAttributeType.Binary,
        CloudEventAttributeType.Uri => SdkAttributeType.Uri,
        CloudEventAttributeType.UriReference => SdkAttributeType.UriReference,
        CloudEventAttributeType.Timestamp => SdkAttributeType.Timestamp,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown attribute type"),
    };

    public static CloudEventAttributeType ToBridge(SdkAttributeType type) => CloudEventAttributeTypes.GetOrdinal(type) switch
    {
        CloudEventAttributeTypeOrdinal.Boolean => CloudEventAttributeType.Boolean,
        CloudEventAttributeTypeOrdinal.Integer => CloudEventAttributeType.Integer,
        CloudEventAttributeTypeOrdinal.String => CloudEventAttributeType.String,
        CloudEventAttributeTypeOrdinal.Binary => CloudEventAttributeType.Binary,
        CloudEventAttributeTypeOrdinal.Uri => CloudEventAttributeType.Uri,
        CloudEventAttributeTypeOrdinal.UriReference => CloudEventAttributeType.UriReference,
        CloudEventAttributeTypeOrdinal.Timestamp => CloudEventAttributeType.Timestamp,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown CloudEvents SDK attribute type"),
    };

    /// <summary>The SDK's definition: its own for core attributes, a new extension of the same type otherwise.</summary>
    public static SdkAttribute ToSdk(CloudEventAttribute attribute)
    {
        if (attribute.IsExtension)
        {
            return SdkAttribute.CreateExtension(attribute.Name, ToSdk(attribute.Type));
        }

        CloudEventsSpecVersion v1 = CloudEventsSpecVersion.V1_0;
        return attribute.Name switch
        {
            "specversion" => CloudEventsSpecVersion.SpecVersionAttribute,
            "id" => v1.IdAttribute,
            "source" => v1.SourceAttribute,
            "type" => v1.TypeAttribute,
            "datacontenttype" => v1.DataContentTypeAttribute,
            "dataschema" => v1.DataSchemaAttribute,
            "subject" => v1.SubjectAttribute,
            "time" => v1.TimeAttribute,
            _ => throw new ArgumentOutOfRangeException(nameof(attribute), attribute.Name, "Not a core attribute of CloudEvents 1.0"),
        };
    }

    /// <summary>
    /// A stored value of ours as the SDK's .NET type: byte arrays copied (the two events must not share them),
    /// URIs parsed into <see cref="System.Uri"/>, whose <see cref="System.Uri.OriginalString"/> keeps the exact text,
    /// timestamps as the <see cref="DateTimeOffset"/> the SDK stores (with their offset).
    /// </summary>
    public static object ToSdkValue(CloudEventAttribute attribute, object value) => attribute.Type switch
    {
        CloudEventAttributeType.Binary => ((byte[])value).AsSpan().ToArray(),
        CloudEventAttributeType.Uri => ToSystemUri(attribute.Name, (string)value, UriKind.Absolute),
        CloudEventAttributeType.UriReference => ToSystemUri(attribute.Name, (string)value, UriKind.RelativeOrAbsolute),
        CloudEventAttributeType.Timestamp => ToDateTimeOffset(attribute.Name, (CloudEventTimestamp)value),
        _ => value,
    };

    /// <summary>
    /// The definition an SDK attribute takes here. Core attributes and known extensions keep their own type; an SDK
    /// String is then read as the type's canonical string, as the HTTP and Kafka decoders read headers. Any other
    /// type difference is an invalid value, as it would be in the JSON format.
    /// </summary>
    /// <exception cref="CloudEventFormatException">The name is invalid, or a known attribute has another type.</exception>
    public static CloudEventAttribute ToBridge(SdkAttribute attribute)
    {
        string name = attribute.Name;
        CloudEventAttributeType type = ToBridge(attribute.Type);
        CloudEventAttribute? defined = CloudEventAttributes.GetCore(name) ?? CloudEventAttributes.GetKnownExtension(name);
        if (defined == null)
        {
            return CloudEventAttribute.CreateExtension(name, type);
        }

        if (defined.Type != type && type != CloudEventAttributeType.String)
        {
            throw new CloudEventFormatException(name,
                $"Attribute '{name}' is of type {defined.Type}, but the CloudEvents SDK event declares it {attribute.Type.Name}");
        }

        return defined;
    }

    /// <summary>An SDK value as ours: URIs as their exact original text, byte arrays left to the model (which copies).</summary>
    public static object ToBridgeValue(object value) => value is Uri uri ? uri.OriginalString : value;

    public static string Quote(string value) =>
        value.Length <= MaxQuotedLength ? $"'{value}'" : $"'{value[..MaxQuotedLength]}…' ({value.Length} characters)";

    // DateTimeOffset counts 100 ns ticks: rounding the nanoseconds away would hand the SDK a different instant.
    private static DateTimeOffset ToDateTimeOffset(string name, CloudEventTimestamp timestamp)
    {
        if (timestamp.TryGetDateTimeOffset(out DateTimeOffset result))
        {
            return result;
        }

        throw new CloudEventSdkConversionException(name,
            $"Attribute '{name}' cannot be represented in a CloudEvents SDK event: {Quote(timestamp.ToString())} has "
            + $"{timestamp.SubTickNanoseconds} ns below the 100 ns tick of DateTimeOffset, which the SDK stores timestamps in");
    }

    private static Uri ToSystemUri(string name, string text, UriKind kind)
    {
        try
        {
            return new Uri(text, kind);
        }
        catch (UriFormatException e)
        {
            throw new CloudEventSdkConversionException(name,
                $"Attribute '{name}' cannot be represented in a CloudEvents SDK event: {Quote(text)} is a valid "
                + $"{(kind == UriKind.Absolute ? "URI" : "URI-reference")} but System.Uri, which the SDK stores URIs in, rejects it ({e.Message})", e);
        }
    }
}
