using System.Text;
using System.Text.Unicode;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Bridge.CloudEvents.Internal;

/// <summary>Turns a binary-mode body (HTTP or Kafka) into a payload.</summary>
internal static class DataClassifier
{
    /// <summary>
    /// Sets the data of an event decoded from a body whose content type is already the event's
    /// <c>datacontenttype</c>: protobuf bytes whose content type names their message become Proto data (see
    /// <see cref="TrySetProto"/>), everything else is classified by <see cref="FromBody"/>.
    /// </summary>
    public static void SetBody(CloudEvent cloudEvent, string? contentType, ReadOnlyMemory<byte> body)
    {
        if (!TrySetProto(cloudEvent, contentType, body))
        {
            cloudEvent.Data = FromBody(contentType, body);
        }
    }

    /// <summary>
    /// When <paramref name="contentType"/> is protobuf with a <c>proto</c> parameter (see
    /// <see cref="MediaTypes.WithProtobufTypeUrl"/>), sets Proto data (the bytes, not copied, packed with that type URL)
    /// and moves the parameter out of <c>datacontenttype</c>, undoing what the encoders add.
    /// </summary>
    public static bool TrySetProto(CloudEvent cloudEvent, string? contentType, ReadOnlyMemory<byte> body)
    {
        if (!MediaTypes.TryGetProtobufTypeUrl(contentType, out string? typeUrl))
        {
            return false;
        }

        cloudEvent.Data = CloudEventData.FromProto(new Any { TypeUrl = typeUrl, Value = UnsafeByteOperations.UnsafeWrap(body) });
        cloudEvent.DataContentType = MediaTypes.WithoutProtobufTypeUrl(contentType!);
        return true;
    }

    /// <summary>
    /// JSON content type and one JSON value gives Json data (same bytes); UTF-8 <c>text/*</c> gives Text; everything
    /// else, including bodies that do not match their declared type, stays opaque Binary so nothing is lost.
    /// </summary>
    public static CloudEventData FromBody(string? contentType, ReadOnlyMemory<byte> body)
    {
        if (contentType != null)
        {
            if (MediaTypes.IsJson(contentType))
            {
                if (CloudEventData.IsJsonValue(body.Span))
                {
                    return CloudEventData.FromValidatedJson(body);
                }
            }
            else if (MediaTypes.IsUtf8Text(contentType) && Utf8.IsValid(body.Span))
            {
                return CloudEventData.FromText(Encoding.UTF8.GetString(body.Span));
            }
        }

        return CloudEventData.FromBytes(body);
    }
}
