using System.Runtime.InteropServices;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Bridge.CloudEvents.Sdk.Internal;

/// <summary>The payload in both directions; see <see cref="CloudEventSdkExtensions"/> for the mapping.</summary>
internal static class DataConversion
{
    private const string Data = "data";

    /// <summary>Our payload as the object the SDK's formatters expect; nothing is shared with <paramref name="data"/>.</summary>
    public static object? ToSdk(CloudEventData data) => data.Kind switch
    {
        CloudEventDataKind.None => null,
        CloudEventDataKind.Binary => data.Bytes.ToArray(),
        CloudEventDataKind.Text => data.Text,
        CloudEventDataKind.Json => ParseJson(data.Bytes),
        CloudEventDataKind.Proto => data.Proto!.Clone(),
        _ => throw new ArgumentOutOfRangeException(nameof(data), data.Kind, "Unknown data kind"),
    };

    /// <summary>An SDK payload as ours; nothing is shared with <paramref name="data"/>.</summary>
    /// <exception cref="CloudEventSdkConversionException">The object has no representation here.</exception>
    /// <exception cref="CloudEventFormatException">The object is not a valid payload (a protobuf Any without a type URL).</exception>
    public static CloudEventData ToBridge(object? data, string? dataContentType, JsonSerializerOptions? serializerOptions)
    {
        switch (data)
        {
            case null:
                return CloudEventData.None;
            case byte[] bytes:
                return CloudEventData.FromBytes(bytes.AsSpan().ToArray());
            case ReadOnlyMemory<byte> memory:
                return CloudEventData.FromBytes(memory.ToArray());
            case string text:
                return CloudEventData.FromText(text);
            case JsonElement element:
                if (element.ValueKind == JsonValueKind.Undefined)
                {
                    throw new CloudEventSdkConversionException(Data,
                        "Attribute 'data' is an undefined JsonElement (default(JsonElement)), which is no JSON value");
                }

                // The element's own bytes, not a re-serialization, so the JSON text stays exactly as it was.
                return CloudEventData.FromJson(JsonMarshal.GetRawUtf8Value(element).ToArray());
            case Any any:
                if (string.IsNullOrEmpty(any.TypeUrl))
                {
                    throw new CloudEventFormatException(Data, "Attribute 'data' is a protobuf Any without a type URL");
                }

                return CloudEventData.FromProto(any.Clone());
            case IMessage message:
                return CloudEventData.FromProto(Any.Pack(message));
            default:
                return SerializeJson(data, dataContentType, serializerOptions);
        }
    }

    private static JsonElement ParseJson(ReadOnlyMemory<byte> utf8Json)
    {
        using JsonDocument document = JsonDocument.Parse(utf8Json);
        return document.RootElement.Clone();
    }

    // The SDK's JSON formatter serializes any other object when the content type declares JSON (or is absent, which
    // means application/json); doing the same here yields the JSON that formatter would have sent.
    private static CloudEventData SerializeJson(object data, string? dataContentType, JsonSerializerOptions? serializerOptions)
    {
        string typeName = data.GetType().FullName ?? data.GetType().Name;
        if (dataContentType != null && !MediaTypes.IsJson(dataContentType))
        {
            throw new CloudEventSdkConversionException(Data,
                $"Attribute 'data' is a .NET {typeName} with datacontenttype {AttributeConversion.Quote(dataContentType)}: "
                + "only byte[], ReadOnlyMemory<byte>, string and protobuf messages can be carried with a content type that is not JSON");
        }

        byte[] utf8Json;
        try
        {
            utf8Json = JsonSerializer.SerializeToUtf8Bytes(data, data.GetType(), serializerOptions);
        }
        catch (Exception e) when (e is NotSupportedException or JsonException or InvalidOperationException or ArgumentException)
        {
            throw new CloudEventSdkConversionException(Data,
                $"Attribute 'data' is a .NET {typeName} that System.Text.Json cannot serialize: {e.Message}", e);
        }

        return CloudEventData.FromJson(utf8Json);
    }
}
