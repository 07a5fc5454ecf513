using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Bridge.Server.Flagger;

/// <summary>
/// Strict parser of Flagger webhook payloads. It reads the body once with <see cref="Utf8JsonReader"/>,
/// keeps the exact bytes for the event data and rejects anything a consumer could read two ways.
/// </summary>
/// <remarks>
/// Rules: the body is a single JSON object in UTF-8 (no byte order mark); no object anywhere in it
/// repeats a member name; <c>name</c> (DNS-1123 subdomain) and <c>namespace</c> (DNS-1123 label) are
/// required strings; <c>phase</c> is a string of ASCII letters (at most 64) or empty, and a phase this
/// version does not know is accepted so that a Flagger upgrade never loses events; <c>checksum</c> is a
/// string of at most 128 visible ASCII characters; <c>metadata</c> is an object of string values, with
/// <c>metadata.timestamp</c> a decimal string of Unix epoch milliseconds between 2000 and 2100 and
/// <c>metadata.cluster</c> text without control characters (at most 256). <c>null</c> counts as absent
/// for the optional <c>phase</c>, <c>checksum</c> and <c>metadata</c>, as Go clients marshal nil maps
/// that way. Unknown top-level members are allowed and stay in the data unchanged.
/// </remarks>
internal static class FlaggerPayloadParser
{
    /// <summary>Earliest accepted <c>metadata.timestamp</c>: 2000-01-01T00:00:00Z.</summary>
    public const long MinTimestampMilliseconds = 946_684_800_000;

    /// <summary>First rejected <c>metadata.timestamp</c>: 2100-01-01T00:00:00Z.</summary>
    public const long MaxTimestampMilliseconds = 4_102_444_800_000;

    /// <summary>Longest accepted <c>checksum</c>; Flagger's are about ten characters.</summary>
    public const int MaxChecksumLength = 128;

    /// <summary>Longest accepted <c>metadata.cluster</c>.</summary>
    public const int MaxClusterLength = 256;

    private const string PayloadShape = "a Flagger webhook payload is a JSON object such as {\"name\":\"podinfo\",\"namespace\":\"test\",\"phase\":\"Progressing\"}";

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    [Flags]
    private enum Member
    {
        None = 0,
        Name = 1,
        Namespace = 2,
        Phase = 4,
        Checksum = 8,
        Metadata = 16,
    }

    /// <summary>Parses and validates one request body.</summary>
    /// <param name="utf8Json">The request body as received.</param>
    /// <returns>The payload, holding a copy of <paramref name="utf8Json"/>.</returns>
    /// <exception cref="FlaggerPayloadException">The body is not a valid Flagger payload; the message names the field.</exception>
    public static FlaggerPayload Parse(ReadOnlySpan<byte> utf8Json)
    {
        CheckEncoding(utf8Json);
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        try
        {
            return ReadPayload(ref reader, utf8Json);
        }
        catch (JsonException ex)
        {
            throw new FlaggerPayloadException(null, $"Request body is not valid JSON: {ex.Message}", ex);
        }
    }

    private static void CheckEncoding(ReadOnlySpan<byte> utf8Json)
    {
        if (utf8Json.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            throw new FlaggerPayloadException(null, $"Request body is empty; {PayloadShape}.");
        }

        if (utf8Json.StartsWith("\uFEFF"u8))
        {
            throw new FlaggerPayloadException(null, "Request body starts with a UTF-8 byte order mark; send UTF-8 JSON without a BOM.");
        }

        if (!Utf8.IsValid(utf8Json))
        {
            throw new FlaggerPayloadException(
                null,
                $"Request body is not valid UTF-8: invalid byte sequence at offset {FirstInvalidUtf8Offset(utf8Json)}.");
        }
    }

    private static int FirstInvalidUtf8Offset(ReadOnlySpan<byte> bytes)
    {
        var offset = 0;
        while (offset < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[offset..], out _, out var consumed) != System.Buffers.OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return offset;
    }

    private static FlaggerPayload ReadPayload(ref Utf8JsonReader reader, ReadOnlySpan<byte> utf8Json)
    {
        reader.Read();
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FlaggerPayloadException(null, $"Request body must be a JSON object, got {Kind(reader.TokenType)}; {PayloadShape}.");
        }

        string? name = null;
        string? ns = null;
        string? phase = null;
        string? checksum = null;
        Dictionary<string, string>? metadata = null;
        var seen = Member.None;
        HashSet<string>? otherMembers = null;

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var member = ReadText(ref reader, null);
            reader.Read();
            switch (member)
            {
                case "name":
                    MarkSeen(ref seen, Member.Name, member);
                    name = ReadRequiredString(ref reader, member);
                    break;
                case "namespace":
                    MarkSeen(ref seen, Member.Namespace, member);
                    ns = ReadRequiredString(ref reader, member);
                    break;
                case "phase":
                    MarkSeen(ref seen, Member.Phase, member);
                    phase = ReadOptionalString(ref reader, member);
                    break;
                case "checksum":
                    MarkSeen(ref seen, Member.Checksum, member);
                    checksum = ReadOptionalString(ref reader, member);
                    break;
                case "metadata":
                    MarkSeen(ref seen, Member.Metadata, member);
                    metadata = ReadMetadata(ref reader);
                    break;
                default:
                    if (!(otherMembers ??= new HashSet<string>(StringComparer.Ordinal)).Add(member))
                    {
                        throw Duplicate(member);
                    }

                    CheckValue(ref reader, member);
                    break;
            }
        }

        // A second root value ("{}{}", "{} x") makes this Read throw; trailing whitespace is fine.
        reader.Read();

        return new FlaggerPayload
        {
            Name = ValidateName(name),
            Namespace = ValidateNamespace(ns),
            Phase = ValidatePhase(phase ?? string.Empty),
            Checksum = ValidateChecksum(checksum ?? string.Empty),
            Metadata = metadata is null ? FlaggerPayload.NoMetadata : ValidateMetadata(metadata),
            TimestampMilliseconds = metadata?.TryGetValue(FlaggerPayload.TimestampKey, out var timestamp) == true
                ? ParseTimestamp(timestamp)
                : null,
            Utf8Json = utf8Json.ToArray(),
        };
    }

    private static void MarkSeen(ref Member seen, Member member, string name)
    {
        if ((seen & member) != 0)
        {
            throw Duplicate(name);
        }

        seen |= member;
    }

    private static FlaggerPayloadException Duplicate(string path) =>
        new(path, $"Duplicate member '{FlaggerPayloadException.Describe(path)}': each JSON member may appear only once, as readers disagree on which one wins.");

    private static string ReadRequiredString(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.String
            ? ReadText(ref reader, field)
            : throw new FlaggerPayloadException(field, $"{field} must be a string, got {Kind(reader.TokenType)}.");

    private static string? ReadOptionalString(ref Utf8JsonReader reader, string field) =>
        reader.TokenType == JsonTokenType.Null ? null : ReadRequiredString(ref reader, field);

    // field is the JSON path of the value, or of the object whose member name is read.
    private static string ReadText(ref Utf8JsonReader reader, string? field)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException ex)
        {
            var what = reader.TokenType == JsonTokenType.PropertyName
                ? (field is null ? "A member name" : $"A member name in {field}")
                : field;
            throw new FlaggerPayloadException(field, $"{what} contains an escape sequence that is not valid Unicode (a lone surrogate such as \\ud800).", ex);
        }
    }

    private static Dictionary<string, string>? ReadMetadata(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new FlaggerPayloadException("metadata", $"metadata must be an object of string values, got {Kind(reader.TokenType)}.");
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var key = ReadText(ref reader, "metadata");
            var path = "metadata." + key;
            reader.Read();
            if (reader.TokenType != JsonTokenType.String)
            {
                throw new FlaggerPayloadException(
                    path,
                    $"{FlaggerPayloadException.Describe(path)} must be a string, got {Kind(reader.TokenType)}; Flagger metadata values are strings, so quote numbers and booleans.");
            }

            if (!metadata.TryAdd(key, ReadText(ref reader, FlaggerPayloadException.Describe(path))))
            {
                throw Duplicate(path);
            }
        }

        return metadata;
    }

    // Members the bridge does not interpret still reach every consumer, so they must be unambiguous too.
    private static void CheckValue(ref Utf8JsonReader reader, string path)
    {
        if (reader.TokenType == JsonTokenType.StartObject)
        {
            HashSet<string>? names = null;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                var member = ReadText(ref reader, FlaggerPayloadException.Describe(path));
                var memberPath = path + "." + member;
                if (!(names ??= new HashSet<string>(StringComparer.Ordinal)).Add(member))
                {
                    throw Duplicate(memberPath);
                }

                reader.Read();
                CheckValue(ref reader, memberPath);
            }
        }
        else if (reader.TokenType == JsonTokenType.StartArray)
        {
            var index = 0;
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                CheckValue(ref reader, path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]");
                index++;
            }
        }
        else if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped)
        {
            // Only an escape can smuggle a lone surrogate past the UTF-8 check.
            ReadText(ref reader, FlaggerPayloadException.Describe(path));
        }
    }

    private static string ValidateName(string? name)
    {
        const string field = "name";
        if (name is null)
        {
            throw new FlaggerPayloadException(field, $"name is required (the canary name); {PayloadShape}.");
        }

        if (name.Length == 0)
        {
            throw new FlaggerPayloadException(field, "name must not be empty; it is the canary name.");
        }

        if (!KubernetesNames.IsDns1123Subdomain(name))
        {
            throw new FlaggerPayloadException(
                field,
                $"name '{FlaggerPayloadException.Describe(name)}' is not a valid Kubernetes object name: expected a DNS-1123 subdomain " +
                "(lower-case letters, digits, '-' and '.', each dot-separated part starting and ending with a letter or digit, at most 253 characters).");
        }

        return name;
    }

    private static string ValidateNamespace(string? ns)
    {
        const string field = "namespace";
        if (ns is null)
        {
            throw new FlaggerPayloadException(field, $"namespace is required (the canary namespace); {PayloadShape}.");
        }

        if (ns.Length == 0)
        {
            throw new FlaggerPayloadException(field, "namespace must not be empty; it is the canary namespace.");
        }

        if (!KubernetesNames.IsDns1123Label(ns))
        {
            throw new FlaggerPayloadException(
                field,
                $"namespace '{FlaggerPayloadException.Describe(ns)}' is not a valid Kubernetes namespace: expected a DNS-1123 label " +
                "(lower-case letters, digits and '-', starting and ending with a letter or digit, at most 63 characters).");
        }

        return ns;
    }

    private static string ValidatePhase(string phase)
    {
        if (!FlaggerPhases.IsWellFormed(phase))
        {
            throw new FlaggerPayloadException(
                "phase",
                $"phase '{FlaggerPayloadException.Describe(phase)}' is not a canary phase: expected one of {string.Join(", ", FlaggerPhases.All)}, " +
                $"an empty string, or another name of ASCII letters only (at most {FlaggerPhases.MaxLength}).");
        }

        return phase;
    }

    private static string ValidateChecksum(string checksum)
    {
        if (checksum.Length > MaxChecksumLength)
        {
            throw new FlaggerPayloadException("checksum", $"checksum is {checksum.Length} characters long; at most {MaxChecksumLength} are accepted.");
        }

        foreach (var c in checksum)
        {
            if (c is < '!' or > '~')
            {
                throw new FlaggerPayloadException(
                    "checksum",
                    $"checksum '{FlaggerPayloadException.Describe(checksum)}' must contain visible ASCII characters only (no spaces or control characters).");
            }
        }

        return checksum;
    }

    private static Dictionary<string, string> ValidateMetadata(Dictionary<string, string> metadata)
    {
        if (metadata.TryGetValue(FlaggerPayload.ClusterKey, out var cluster))
        {
            if (cluster.Length > MaxClusterLength)
            {
                throw new FlaggerPayloadException("metadata.cluster", $"metadata.cluster is {cluster.Length} characters long; at most {MaxClusterLength} are accepted.");
            }

            if (!IsAttributeText(cluster))
            {
                throw new FlaggerPayloadException(
                    "metadata.cluster",
                    $"metadata.cluster '{FlaggerPayloadException.Describe(cluster)}' must not contain control characters or Unicode noncharacters.");
            }
        }

        return metadata;
    }

    private static long ParseTimestamp(string value)
    {
        const string field = "metadata.timestamp";
        var wellFormed = value.Length is > 0 and <= 19 && value[0] != '0';
        foreach (var c in value)
        {
            wellFormed &= char.IsAsciiDigit(c);
        }

        if (!wellFormed)
        {
            throw new FlaggerPayloadException(
                field,
                $"metadata.timestamp must be Unix epoch milliseconds as a decimal string of digits without sign or leading zeros " +
                $"(for example \"1736500000123\"), got '{FlaggerPayloadException.Describe(value)}'.");
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            || milliseconds is < MinTimestampMilliseconds or >= MaxTimestampMilliseconds)
        {
            var hint = milliseconds is >= MinTimestampMilliseconds / 1000 and < MaxTimestampMilliseconds / 1000
                ? " It looks like seconds; Flagger sends milliseconds."
                : string.Empty;
            throw new FlaggerPayloadException(
                field,
                $"metadata.timestamp {value} is outside the accepted range: Unix epoch milliseconds from 2000-01-01 to 2100-01-01 UTC " +
                $"({MinTimestampMilliseconds} to {MaxTimestampMilliseconds - 1}).{hint}");
        }

        return milliseconds;
    }

    // CloudEvents string values forbid control characters, noncharacters and lone surrogates.
    internal static bool IsAttributeText(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c <= '\u001F' || c is >= '\u007F' and <= '\u009F' || c is >= '\uFDD0' and <= '\uFDEF' || c is '\uFFFE' or '\uFFFF')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return false;
                }

                if ((char.ConvertToUtf32(c, value[i + 1]) & 0xFFFE) == 0xFFFE)
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    private static string Kind(JsonTokenType token) => token switch
    {
        JsonTokenType.String => "string",
        JsonTokenType.Number => "number",
        JsonTokenType.True or JsonTokenType.False => "boolean",
        JsonTokenType.Null => "null",
        JsonTokenType.StartObject => "object",
        JsonTokenType.StartArray => "array",
        _ => token.ToString(),
    };
}
