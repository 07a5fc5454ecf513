using System.Text.Json;
using Bridge.CloudEvents.Sdk.Internal;
using CloudNative.CloudEvents;
using SdkAttribute = CloudNative.CloudEvents.CloudEventAttribute;
using SdkAttributeType = CloudNative.CloudEvents.CloudEventAttributeType;
using SdkCloudEvent = CloudNative.CloudEvents.CloudEvent;

namespace Bridge.CloudEvents.Sdk;

/// <summary>
/// Converts events between this library's <see cref="CloudEvent"/> and the CloudEvents SDK's
/// <see cref="SdkCloudEvent">CloudNative.CloudEvents.CloudEvent</see>, so code built on the SDK can take and give
/// events of the bridge. Every attribute keeps its name, type and value; what cannot cross unchanged is rejected.
/// </summary>
/// <remarks>
/// <para>Attributes: Boolean, Integer, String and Binary values keep their .NET type (Binary arrays are copied).
/// Timestamp values, <see cref="CloudEventTimestamp"/> here (to the nanosecond), are the
/// <see cref="DateTimeOffset"/> the SDK stores there, offset included; a timestamp with nanoseconds below the 100 ns
/// tick of <see cref="DateTimeOffset"/> is rejected rather than rounded. URI and URI-reference values, exact strings
/// here, become <see cref="Uri"/> objects there, and come back as their <see cref="Uri.OriginalString"/>. Extensions
/// keep their type in both directions. Known extensions (<see cref="CloudEventAttributes.KnownExtensions"/>) take
/// their defined type here: an SDK String value for one is read as the canonical string of that type, as this
/// library's HTTP and Kafka decoders read headers.</para>
/// <para>Data, by <see cref="CloudEventDataKind"/>:</para>
/// <list type="table">
/// <listheader><term>here</term><description>SDK <see cref="SdkCloudEvent.Data"/></description></listheader>
/// <item><term>None</term><description>null</description></item>
/// <item><term>Binary</term><description><see cref="byte"/>[] (a copy; also accepted back: <see cref="ReadOnlyMemory{T}"/> of bytes)</description></item>
/// <item><term>Text</term><description><see cref="string"/></description></item>
/// <item><term>Json</term><description><see cref="JsonElement"/> (standalone; the JSON null value is a <see cref="JsonValueKind.Null"/> element, unlike no data;
/// the element's exact text comes back, but whitespace around the value is not part of it and is not kept)</description></item>
/// <item><term>Proto</term><description><see cref="Google.Protobuf.WellKnownTypes.Any"/> (a copy; any other protobuf message is packed into one on the way back)</description></item>
/// </list>
/// <para>These are the objects the SDK's own formatters produce when decoding, so its <c>JsonEventFormatter</c> encodes
/// Binary, Text and Json data as they are (an <c>Any</c> needs a protobuf formatter). One difference in meaning: the
/// SDK's JSON formatter writes a string payload without <c>datacontenttype</c> as a JSON string under
/// <c>application/json</c>, while this library's formats send Text data without one as <c>text/plain</c>; set
/// <c>datacontenttype</c> to make either side unambiguous. Other objects in an SDK event (records, dictionaries,
/// <c>JsonNode</c>) are serialized with System.Text.Json, as the SDK's JSON formatter would, when the content type
/// declares JSON or is absent, and give Json data.</para>
/// <para>The conversion neither adds nor checks the required attributes: an incomplete event converts to an equally
/// incomplete one, and <see cref="CloudEvent.Validate"/> (or the SDK's <c>Validate</c>) tells.</para>
/// </remarks>
public static class CloudEventSdkExtensions
{
    /// <summary>Converts this event to a CloudEvents SDK event with the same attributes, types and data.</summary>
    /// <param name="cloudEvent">The event. Must not be null.</param>
    /// <returns>A new SDK event (spec version 1.0) sharing nothing mutable with <paramref name="cloudEvent"/>. Never null.</returns>
    /// <exception cref="CloudEventSdkConversionException">A valid value the SDK cannot hold unchanged: a URI that
    /// <see cref="Uri"/> cannot parse (for example a port above 65535), a media type that
    /// <see cref="System.Net.Mime.ContentType"/> rejects (for example a repeated parameter), or a timestamp with
    /// nanoseconds a <see cref="DateTimeOffset"/> cannot hold (for example <c>2026-12-01T12:00:00.123456789Z</c>).
    /// The message names the attribute.</exception>
    public static SdkCloudEvent ToSdkCloudEvent(this CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var result = new SdkCloudEvent(CloudEventsSpecVersion.V1_0);
        foreach ((CloudEventAttribute attribute, object value) in cloudEvent.GetPopulatedAttributes())
        {
            if (attribute == CloudEventAttributes.SpecVersion)
            {
                continue;
            }

            object sdkValue = AttributeConversion.ToSdkValue(attribute, value);
            try
            {
                result[AttributeConversion.ToSdk(attribute)] = sdkValue;
            }
            catch (ArgumentException e)
            {
                string text = AttributeConversion.Quote(attribute.Format(value));
                throw new CloudEventSdkConversionException(attribute.Name,
                    $"Attribute '{attribute.Name}' cannot be represented in a CloudEvents SDK event: the SDK rejects {text} ({e.Message})", e);
            }
        }

        result.Data = DataConversion.ToSdk(cloudEvent.Data);
        return result;
    }

    /// <summary>Converts a CloudEvents SDK event to this library's event with the same attributes, types and data.</summary>
    /// <param name="cloudEvent">The SDK event. Must not be null.</param>
    /// <returns>A new event sharing nothing mutable with <paramref name="cloudEvent"/>. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The SDK event holds a value the CloudEvents specification forbids
    /// (the SDK accepts, for example, a <c>source</c> with a raw space, a relative <c>dataschema</c> such as <c>/schema</c>,
    /// a <c>datacontenttype</c> with a comment, or an extension named <c>data</c>). The message names the attribute.</exception>
    /// <exception cref="CloudEventSdkConversionException">The SDK event has a spec version other than 1.0, or data this
    /// library has no representation for (an object that is not JSON-serializable, or not bytes, text or a protobuf
    /// message under a content type that does not declare JSON).</exception>
    public static CloudEvent ToBridgeCloudEvent(this SdkCloudEvent cloudEvent) => ToBridgeCloudEvent(cloudEvent, null);

    /// <summary>
    /// Converts a CloudEvents SDK event to this library's event, serializing data objects that are not bytes, text,
    /// JSON elements or protobuf messages with the given System.Text.Json options.
    /// </summary>
    /// <param name="cloudEvent">The SDK event. Must not be null.</param>
    /// <param name="serializerOptions">Options for serializing object data to JSON (as given to the SDK's
    /// <c>JsonEventFormatter</c>). May be null for the defaults.</param>
    /// <returns>A new event sharing nothing mutable with <paramref name="cloudEvent"/>. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The SDK event holds a value the CloudEvents specification forbids. The message names the attribute.</exception>
    /// <exception cref="CloudEventSdkConversionException">The SDK event has a spec version other than 1.0, or data this library has no representation for.</exception>
    public static CloudEvent ToBridgeCloudEvent(this SdkCloudEvent cloudEvent, JsonSerializerOptions? serializerOptions)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        string version = cloudEvent.SpecVersion.VersionId;
        if (version != CloudEventAttributes.SpecVersionValue)
        {
            throw new CloudEventSdkConversionException(CloudEventAttributes.SpecVersion.Name,
                $"Attribute 'specversion' is {AttributeConversion.Quote(version)}; only '1.0' is implemented here");
        }

        var result = new CloudEvent();
        foreach (KeyValuePair<SdkAttribute, object> entry in cloudEvent.GetPopulatedAttributes())
        {
            result.SetAttribute(AttributeConversion.ToBridge(entry.Key), AttributeConversion.ToBridgeValue(entry.Value));
        }

        result.Data = DataConversion.ToBridge(cloudEvent.Data, cloudEvent.DataContentType, serializerOptions);
        return result;
    }

    /// <summary>
    /// The SDK's definition of an attribute: the SDK's own for a core attribute, else an extension of the same name
    /// and type. Useful as the extension attributes an SDK formatter decodes with, so typed extensions keep their type.
    /// </summary>
    /// <param name="attribute">The definition. Must not be null.</param>
    /// <returns>The SDK definition. Never null.</returns>
    public static SdkAttribute ToSdkAttribute(this CloudEventAttribute attribute)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        return AttributeConversion.ToSdk(attribute);
    }

    /// <summary>The SDK's attribute type for one of ours.</summary>
    /// <param name="type">The type.</param>
    /// <returns>The SDK type of the same name. Never null.</returns>
    public static SdkAttributeType ToSdkAttributeType(this CloudEventAttributeType type) => AttributeConversion.ToSdk(type);

    /// <summary>This library's attribute type for one of the SDK's.</summary>
    /// <param name="type">The SDK type. Must not be null.</param>
    /// <returns>The type of the same name.</returns>
    public static CloudEventAttributeType ToBridgeAttributeType(this SdkAttributeType type)
    {
        ArgumentNullException.ThrowIfNull(type);
        return AttributeConversion.ToBridge(type);
    }
}
