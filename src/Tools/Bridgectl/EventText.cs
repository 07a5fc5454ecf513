using System.Globalization;
using System.Text.Json;
using Bridge.CloudEvents;

namespace Bridge.Ctl;

/// <summary>The human form of an event for <c>tail --output text</c>: one line, whatever the event holds.</summary>
internal static class EventText
{
    private const int MaxMessageLength = 300;

    public static string Line(CloudEvent cloudEvent)
    {
        string time = cloudEvent.Time?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "-";
        string severity = cloudEvent["severity"]?.ToString() ?? "-";
        string subject = cloudEvent.Subject ?? "-";
        string message = Connection.OneLine(Message(cloudEvent.Data));
        if (message.Length > MaxMessageLength)
        {
            message = string.Concat(message.AsSpan(0, MaxMessageLength), "...");
        }

        return $"{time} {severity,-5} {subject} {cloudEvent.Type} {message}".TrimEnd();
    }

    /// <summary>Flagger's <c>metadata.eventMessage</c>, else a top-level <c>message</c>, else the text data itself.</summary>
    private static string Message(CloudEventData data)
    {
        switch (data.Kind)
        {
            case CloudEventDataKind.Text:
                return data.Text ?? string.Empty;
            case CloudEventDataKind.Json when !data.IsJsonNull:
                try
                {
                    JsonElement root = data.ToJsonElement();
                    if (root.ValueKind != JsonValueKind.Object)
                    {
                        return root.ValueKind == JsonValueKind.String ? root.GetString() ?? string.Empty : root.GetRawText();
                    }

                    if (root.TryGetProperty("metadata", out JsonElement metadata) && metadata.ValueKind == JsonValueKind.Object
                        && metadata.TryGetProperty("eventMessage", out JsonElement eventMessage) && eventMessage.ValueKind == JsonValueKind.String)
                    {
                        return eventMessage.GetString() ?? string.Empty;
                    }

                    return root.TryGetProperty("message", out JsonElement text) && text.ValueKind == JsonValueKind.String
                        ? text.GetString() ?? string.Empty
                        : string.Empty;
                }
                catch (JsonException)
                {
                    return string.Empty;
                }

            default:
                return string.Empty;
        }
    }
}
