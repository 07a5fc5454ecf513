using System.Text;
using System.Text.Unicode;

namespace Bridge.CloudEvents.Internal;

/// <summary>Turns a binary-mode body (HTTP or Kafka) into a payload.</summary>
internal static class DataClassifier
{
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
