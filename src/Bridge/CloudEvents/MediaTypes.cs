namespace Bridge.CloudEvents;

/// <summary>CloudEvents media types and the RFC 2046 / RFC 9110 media-type checks the formats need.</summary>
public static class MediaTypes
{
    /// <summary><c>application/json</c>, the default data content type of the JSON format.</summary>
    public const string Json = "application/json";

    /// <summary><c>application/protobuf</c>, the content type of protobuf message data.</summary>
    public const string Protobuf = "application/protobuf";

    /// <summary><c>text/plain; charset=utf-8</c>, used for text data that has no content type.</summary>
    public const string TextPlainUtf8 = "text/plain; charset=utf-8";

    /// <summary><c>application/cloudevents+json</c>: one event in the JSON format.</summary>
    public const string CloudEventsJson = "application/cloudevents+json";

    /// <summary><c>application/cloudevents+json; charset=UTF-8</c>: the Content-Type this library sends for structured JSON.</summary>
    public const string CloudEventsJsonUtf8 = "application/cloudevents+json; charset=UTF-8";

    /// <summary><c>application/cloudevents-batch+json</c>: a JSON array of events.</summary>
    public const string CloudEventsBatchJson = "application/cloudevents-batch+json";

    /// <summary><c>application/cloudevents-batch+json; charset=UTF-8</c>: the Content-Type this library sends for JSON batches.</summary>
    public const string CloudEventsBatchJsonUtf8 = "application/cloudevents-batch+json; charset=UTF-8";

    /// <summary><c>application/cloudevents+protobuf</c>: one event in the protobuf format.</summary>
    public const string CloudEventsProtobuf = "application/cloudevents+protobuf";

    /// <summary><c>application/cloudevents-batch+protobuf</c>: a <c>CloudEventBatch</c> message.</summary>
    public const string CloudEventsBatchProtobuf = "application/cloudevents-batch+protobuf";

    /// <summary>The prefix shared by every CloudEvents structured and batch media type.</summary>
    public const string CloudEventsPrefix = "application/cloudevents";

    /// <summary>The prefix shared by every CloudEvents batch media type.</summary>
    public const string CloudEventsBatchPrefix = "application/cloudevents-batch";

    /// <summary>
    /// Whether a media type declares JSON: after removing parameters and matching case-insensitively it is
    /// <c>*/json</c> or <c>*/*+json</c>. Null or empty is not JSON here; callers that follow the JSON format's
    /// "absent means application/json" rule check for null themselves.
    /// </summary>
    /// <param name="mediaType">The media type, with or without parameters. May be null.</param>
    /// <returns>True when the media type declares JSON.</returns>
    public static bool IsJson(string? mediaType)
    {
        if (string.IsNullOrEmpty(mediaType))
        {
            return false;
        }

        ReadOnlySpan<char> essence = Essence(mediaType);
        int slash = essence.IndexOf('/');
        if (slash <= 0)
        {
            return false;
        }

        ReadOnlySpan<char> subtype = essence[(slash + 1)..];
        return subtype.Equals("json", StringComparison.OrdinalIgnoreCase)
            || (subtype.Length > 5 && subtype.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>Whether a media type is a CloudEvents structured or batch media type (<c>application/cloudevents…</c>, case-insensitive).</summary>
    /// <param name="mediaType">The media type. May be null.</param>
    /// <returns>True when it starts with <c>application/cloudevents</c>.</returns>
    public static bool IsCloudEvents(string? mediaType) =>
        mediaType != null && mediaType.TrimStart().StartsWith(CloudEventsPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a media type is a CloudEvents batch media type (<c>application/cloudevents-batch…</c>, case-insensitive).</summary>
    /// <param name="mediaType">The media type. May be null.</param>
    /// <returns>True when it starts with <c>application/cloudevents-batch</c>.</returns>
    public static bool IsCloudEventsBatch(string? mediaType) =>
        mediaType != null && mediaType.TrimStart().StartsWith(CloudEventsBatchPrefix, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether a string is a valid media type <c>type/subtype *( OWS ";" OWS [ name=value ] )</c> (RFC 9110 §8.3.1).</summary>
    /// <param name="mediaType">The media type. May be null (not valid).</param>
    /// <returns>True when valid.</returns>
    public static bool IsValid(string? mediaType) => mediaType != null && Check(mediaType) == null;

    /// <summary>The media type without parameters and surrounding whitespace (case unchanged).</summary>
    internal static ReadOnlySpan<char> Essence(string mediaType)
    {
        int semicolon = mediaType.IndexOf(';', StringComparison.Ordinal);
        ReadOnlySpan<char> essence = semicolon >= 0 ? mediaType.AsSpan(0, semicolon) : mediaType.AsSpan();
        return essence.Trim();
    }

    /// <summary>Whether textual data of this type can be carried as a .NET string: <c>text/*</c> with no charset or UTF-8/US-ASCII.</summary>
    internal static bool IsUtf8Text(string? mediaType)
    {
        if (mediaType == null || !Essence(mediaType).StartsWith("text/", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        string? charset = GetParameter(mediaType, "charset");
        return charset == null
            || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            || charset.Equals("us-ascii", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The unquoted value of a parameter, or null.</summary>
    internal static string? GetParameter(string mediaType, string name)
    {
        ReadOnlySpan<char> rest = mediaType.AsSpan();
        int semicolon = rest.IndexOf(';');
        while (semicolon >= 0)
        {
            rest = rest[(semicolon + 1)..];
            int next = rest.IndexOf(';');
            ReadOnlySpan<char> parameter = (next >= 0 ? rest[..next] : rest).Trim();
            int eq = parameter.IndexOf('=');
            if (eq > 0 && parameter[..eq].Trim().Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                ReadOnlySpan<char> value = parameter[(eq + 1)..].Trim();
                if (value.Length >= 2 && value[0] == '"' && value[^1] == '"')
                {
                    value = value[1..^1];
                }

                return value.ToString();
            }

            semicolon = next;
        }

        return null;
    }

    /// <summary>Returns null when valid, else the reason.</summary>
    internal static string? Check(string mediaType)
    {
        ReadOnlySpan<char> s = mediaType;
        int i = 0;
        int typeEnd = Token(s, i);
        if (typeEnd == i)
        {
            return "expected a type token before '/'";
        }

        if (typeEnd >= s.Length || s[typeEnd] != '/')
        {
            return "expected 'type/subtype'";
        }

        i = typeEnd + 1;
        int subtypeEnd = Token(s, i);
        if (subtypeEnd == i)
        {
            return "expected a subtype token after '/'";
        }

        i = subtypeEnd;
        while (i < s.Length)
        {
            i = SkipWhitespace(s, i);
            if (i == s.Length)
            {
                return "trailing whitespace";
            }

            if (s[i] != ';')
            {
                return $"unexpected character '{s[i]}' at index {i}; parameters must follow ';'";
            }

            i = SkipWhitespace(s, i + 1);
            if (i == s.Length || s[i] == ';')
            {
                continue;
            }

            int nameEnd = Token(s, i);
            if (nameEnd == i || nameEnd >= s.Length || s[nameEnd] != '=')
            {
                return $"malformed parameter at index {i}; expected name=value";
            }

            i = nameEnd + 1;
            if (i < s.Length && s[i] == '"')
            {
                i++;
                bool closed = false;
                while (i < s.Length)
                {
                    char c = s[i];
                    if (c == '\\' && i + 1 < s.Length)
                    {
                        i += 2;
                        continue;
                    }

                    i++;
                    if (c == '"')
                    {
                        closed = true;
                        break;
                    }

                    if ((c < 0x20 && c != '\t') || c == 0x7F)
                    {
                        return $"control character in a quoted parameter value at index {i - 1}";
                    }
                }

                if (!closed)
                {
                    return "unterminated quoted parameter value";
                }
            }
            else
            {
                int valueEnd = Token(s, i);
                if (valueEnd == i)
                {
                    return $"empty parameter value at index {i}";
                }

                i = valueEnd;
            }
        }

        return null;
    }

    private static int SkipWhitespace(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && (s[i] == ' ' || s[i] == '\t'))
        {
            i++;
        }

        return i;
    }

    private static int Token(ReadOnlySpan<char> s, int i)
    {
        while (i < s.Length && IsTChar(s[i]))
        {
            i++;
        }

        return i;
    }

    private static bool IsTChar(char c) =>
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
        || c is '!' or '#' or '$' or '%' or '&' or '\'' or '*' or '+' or '-' or '.' or '^' or '_' or '`' or '|' or '~';
}
