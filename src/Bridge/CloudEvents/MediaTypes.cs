namespace Bridge.CloudEvents;

/// <summary>CloudEvents media types and the RFC 2046 / RFC 9110 media-type checks the formats need.</summary>
public static class MediaTypes
{
    /// <summary><c>application/json</c>, the default data content type of the JSON format.</summary>
    public const string Json = "application/json";

    /// <summary><c>application/protobuf</c>, the content type of protobuf message data.</summary>
    public const string Protobuf = "application/protobuf";

    /// <summary><c>application/x-protobuf</c>, the deprecated alias of <see cref="Protobuf"/>, still accepted when reading.</summary>
    public const string ProtobufAlias = "application/x-protobuf";

    /// <summary>
    /// <c>proto</c>: the parameter of <see cref="Protobuf"/> that names the message type of the bytes, as in
    /// <c>application/protobuf; proto=pkg.Msg</c> (see <see cref="WithProtobufTypeUrl"/>).
    /// </summary>
    public const string ProtobufMessageTypeParameter = "proto";

    /// <summary><c>type.googleapis.com/</c>: the type URL prefix protobuf runtimes use when packing an <c>Any</c>.</summary>
    public const string DefaultTypeUrlPrefix = "type.googleapis.com/";

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

    /// <summary>Whether a media type is protobuf data: <c>application/protobuf</c> or <c>application/x-protobuf</c>, any parameters, case-insensitive.</summary>
    /// <param name="mediaType">The media type. May be null (not protobuf).</param>
    /// <returns>True for protobuf data.</returns>
    public static bool IsProtobuf(string? mediaType)
    {
        if (string.IsNullOrEmpty(mediaType))
        {
            return false;
        }

        ReadOnlySpan<char> essence = Essence(mediaType);
        return essence.Equals(Protobuf, StringComparison.OrdinalIgnoreCase) || essence.Equals(ProtobufAlias, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The media type binary-mode messages (HTTP and Kafka) and the JSON format give protobuf message data, so the type
    /// URL of the <c>Any</c> survives where only bytes travel: <paramref name="mediaType"/> (or <c>application/protobuf</c>
    /// when null) with a <c>proto</c> parameter naming the message.
    /// </summary>
    /// <remarks>
    /// <para>The parameter holds the message's full name when the type URL is <c>type.googleapis.com/</c> + name (for
    /// example <c>application/protobuf; proto=flagger.v1.Canary</c>, the common convention for protobuf bodies), and the
    /// whole type URL, quoted, for any other prefix (<c>proto="example.com/types/flagger.v1.Canary"</c>). Either way the
    /// message name is the text after the last <c>/</c>, as in every <c>Any</c> type URL, and
    /// <see cref="TryGetProtobufTypeUrl"/> gives back the exact type URL.</para>
    /// <para>A <c>proto</c> parameter already present is replaced. A media type that is not protobuf (see
    /// <see cref="IsProtobuf"/>) is returned unchanged: it declares the bytes to be something else.</para>
    /// </remarks>
    /// <param name="mediaType">The data content type, or null for <c>application/protobuf</c>. Must be a valid media type when not null.</param>
    /// <param name="typeUrl">The <c>Any</c> type URL. Must not be null; must be a valid type URL (see <see cref="CloudEventData.FromProto(Google.Protobuf.WellKnownTypes.Any)"/>).</param>
    /// <returns>The media type to send. Never null.</returns>
    public static string WithProtobufTypeUrl(string? mediaType, string typeUrl)
    {
        ArgumentNullException.ThrowIfNull(typeUrl);
        if (mediaType != null && !IsProtobuf(mediaType))
        {
            return mediaType;
        }

        string value = typeUrl.StartsWith(DefaultTypeUrlPrefix, StringComparison.Ordinal)
            && typeUrl.Length > DefaultTypeUrlPrefix.Length && IsToken(typeUrl.AsSpan(DefaultTypeUrlPrefix.Length))
            ? typeUrl[DefaultTypeUrlPrefix.Length..]
            : Quote(typeUrl);
        string baseType = mediaType == null ? Protobuf : WithoutParameter(mediaType, ProtobufMessageTypeParameter);
        return $"{baseType}; {ProtobufMessageTypeParameter}={value}";
    }

    /// <summary>
    /// The type URL a protobuf media type names in its <c>proto</c> parameter (see <see cref="WithProtobufTypeUrl"/>):
    /// the value itself when it contains a <c>/</c>, else <c>type.googleapis.com/</c> + the value.
    /// </summary>
    /// <param name="mediaType">The media type. May be null (no type URL).</param>
    /// <param name="typeUrl">The type URL, or null.</param>
    /// <returns>True when <paramref name="mediaType"/> is protobuf (see <see cref="IsProtobuf"/>) with a usable
    /// <c>proto</c> parameter: printable ASCII, a message name after the last <c>/</c>.</returns>
    public static bool TryGetProtobufTypeUrl(string? mediaType, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? typeUrl)
    {
        typeUrl = null;
        if (!IsProtobuf(mediaType) || !TryFindParameter(mediaType!, ProtobufMessageTypeParameter, out _, out _, out string? value))
        {
            return false;
        }

        string candidate = value.Contains('/', StringComparison.Ordinal) ? value : DefaultTypeUrlPrefix + value;
        if (CheckTypeUrl(candidate) != null)
        {
            return false;
        }

        typeUrl = candidate;
        return true;
    }

    /// <summary>
    /// A media type without its <c>proto</c> parameter(s): what a decoder keeps as <c>datacontenttype</c> once the
    /// type URL has moved into the data. Everything else keeps its exact text.
    /// </summary>
    /// <param name="mediaType">The media type. Must not be null.</param>
    /// <returns>The media type without <c>proto</c>. Never null.</returns>
    public static string WithoutProtobufTypeUrl(string mediaType)
    {
        ArgumentNullException.ThrowIfNull(mediaType);
        return WithoutParameter(mediaType, ProtobufMessageTypeParameter);
    }

    /// <summary>
    /// Why a type URL is not usable (null when it is): it is printable ASCII without spaces and, as the <c>Any</c>
    /// documentation requires, has a <c>/</c> followed by the message name.
    /// </summary>
    internal static string? CheckTypeUrl(string typeUrl)
    {
        if (typeUrl.Length == 0)
        {
            return "the type URL is empty";
        }

        foreach (char c in typeUrl)
        {
            if (c <= ' ' || c >= 0x7F)
            {
                return $"the type URL has character U+{(int)c:X4}; only printable ASCII without spaces is allowed";
            }
        }

        int slash = typeUrl.LastIndexOf('/');
        return slash < 0 ? "a type URL has a '/' before the message name (type.googleapis.com/pkg.Msg)"
            : slash == typeUrl.Length - 1 ? "the type URL has no message name after its last '/'"
            : null;
    }

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

    /// <summary>
    /// Finds a parameter by name (case-insensitive) in a valid media type, quoted values included. The segment runs from
    /// the end of what precedes it (whitespace and <c>;</c> included) to the end of its value, so removing it leaves
    /// the rest exactly as it was.
    /// </summary>
    private static bool TryFindParameter(string mediaType, string name, out int segmentStart, out int segmentEnd,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? value)
    {
        segmentStart = segmentEnd = 0;
        value = null;
        ReadOnlySpan<char> s = mediaType;
        int slash = s.IndexOf('/');
        if (slash < 0)
        {
            return false;
        }

        int i = Token(s, slash + 1);
        while (i < s.Length)
        {
            int start = i;
            i = SkipWhitespace(s, i);
            if (i == s.Length || s[i] != ';')
            {
                return false;
            }

            i = SkipWhitespace(s, i + 1);
            if (i == s.Length || s[i] == ';')
            {
                continue;
            }

            int nameStart = i;
            int nameEnd = Token(s, i);
            if (nameEnd == nameStart || nameEnd >= s.Length || s[nameEnd] != '=')
            {
                return false;
            }

            i = nameEnd + 1;
            string? parameterValue;
            if (i < s.Length && s[i] == '"')
            {
                var unquoted = new System.Text.StringBuilder();
                i++;
                bool closed = false;
                while (i < s.Length)
                {
                    char c = s[i++];
                    if (c == '\\' && i < s.Length)
                    {
                        unquoted.Append(s[i++]);
                    }
                    else if (c == '"')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        unquoted.Append(c);
                    }
                }

                if (!closed)
                {
                    return false;
                }

                parameterValue = unquoted.ToString();
            }
            else
            {
                int valueEnd = Token(s, i);
                parameterValue = s[i..valueEnd].ToString();
                i = valueEnd;
            }

            if (s[nameStart..nameEnd].Equals(name, StringComparison.OrdinalIgnoreCase))
            {
                segmentStart = start;
                segmentEnd = i;
                value = parameterValue;
                return true;
            }
        }

        return false;
    }

    private static string WithoutParameter(string mediaType, string name)
    {
        string result = mediaType;
        while (TryFindParameter(result, name, out int start, out int end, out _))
        {
            result = string.Concat(result.AsSpan(0, start), result.AsSpan(end));
        }

        return result;
    }

    private static bool IsToken(ReadOnlySpan<char> s) => s.Length > 0 && Token(s, 0) == s.Length;

    private static string Quote(string value) =>
        "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

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
