using System.Globalization;
using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents;

/// <summary>
/// Conversions between the canonical string of each attribute type and its .NET value, with the strict
/// checks of the CloudEvents type system (RFC 3339 timestamps, RFC 3986 URIs, RFC 4648 Base64).
/// </summary>
public static class CanonicalString
{
    /// <summary>Renders a value as the canonical string of <paramref name="type"/>.</summary>
    /// <param name="value">A .NET value of the type (<see cref="bool"/>, <see cref="int"/>, <see cref="string"/>,
    /// <see cref="byte"/>[], <see cref="string"/> or <see cref="System.Uri"/> for URIs, <see cref="CloudEventTimestamp"/>
    /// or <see cref="DateTimeOffset"/>). Must not be null.</param>
    /// <param name="type">The attribute type.</param>
    /// <returns>The canonical string. Never null.</returns>
    /// <exception cref="ArgumentException">The value does not have the .NET type of <paramref name="type"/>.</exception>
    public static string Format(object value, CloudEventAttributeType type)
    {
        ArgumentNullException.ThrowIfNull(value);
        return (type, value) switch
        {
            (CloudEventAttributeType.Boolean, bool b) => b ? "true" : "false",
            (CloudEventAttributeType.Integer, int i) => i.ToString(CultureInfo.InvariantCulture),
            (CloudEventAttributeType.String or CloudEventAttributeType.Uri or CloudEventAttributeType.UriReference, string s) => s,
            (CloudEventAttributeType.Uri or CloudEventAttributeType.UriReference, Uri u) => u.OriginalString,
            (CloudEventAttributeType.Binary, byte[] bytes) => Convert.ToBase64String(bytes),
            (CloudEventAttributeType.Timestamp, CloudEventTimestamp t) => Rfc3339.Format(t),
            (CloudEventAttributeType.Timestamp, DateTimeOffset t) => Rfc3339.Format(t),
            _ => throw new ArgumentException($"A .NET {value.GetType().Name} is not a value of type {type}", nameof(value)),
        };
    }

    /// <summary>Parses the canonical string of <paramref name="type"/>.</summary>
    /// <param name="text">The canonical string. Must not be null.</param>
    /// <param name="type">The attribute type.</param>
    /// <param name="attributeName">The attribute name for error messages. Must not be null.</param>
    /// <returns>The .NET value (URIs stay strings, timestamps are <see cref="CloudEventTimestamp"/>). Never null.</returns>
    /// <exception cref="CloudEventFormatException">The text is not a canonical string of <paramref name="type"/>.</exception>
    public static object Parse(string text, CloudEventAttributeType type, string attributeName)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(attributeName);
        string? reason;
        switch (type)
        {
            case CloudEventAttributeType.Boolean:
                if (text == "true")
                {
                    return true;
                }

                if (text == "false")
                {
                    return false;
                }

                throw new CloudEventFormatException(attributeName,
                    $"Attribute '{attributeName}' is not a Boolean: {TextRules.Quote(text)} (only 'true' or 'false', case-sensitive)");
            case CloudEventAttributeType.Integer:
                reason = TryParseInteger(text, out int integer);
                return reason == null
                    ? integer
                    : throw new CloudEventFormatException(attributeName, $"Attribute '{attributeName}' is not an Integer: {TextRules.Quote(text)} ({reason})");
            case CloudEventAttributeType.String:
                reason = TextRules.CheckString(text);
                return reason == null
                    ? text
                    : throw new CloudEventFormatException(attributeName, $"Attribute '{attributeName}' is not a valid String: {TextRules.Quote(text)} ({reason})");
            case CloudEventAttributeType.Binary:
                reason = TryParseBase64(text, out byte[]? bytes);
                return reason == null
                    ? bytes!
                    : throw new CloudEventFormatException(attributeName, $"Attribute '{attributeName}' is not Base64: {TextRules.Quote(text)} ({reason})");
            case CloudEventAttributeType.Uri:
                reason = text.Length == 0 ? "empty" : UriSyntax.CheckAbsoluteUri(text);
                return reason == null
                    ? text
                    : throw new CloudEventFormatException(attributeName, $"Attribute '{attributeName}' is not an absolute URI: {TextRules.Quote(text)} ({reason})");
            case CloudEventAttributeType.UriReference:
                reason = UriSyntax.CheckUriReference(text);
                return reason == null
                    ? text
                    : throw new CloudEventFormatException(attributeName, $"Attribute '{attributeName}' is not a URI-reference: {TextRules.Quote(text)} ({reason})");
            case CloudEventAttributeType.Timestamp:
                reason = Rfc3339.TryParsePrecise(text, out CloudEventTimestamp time);
                return reason == null
                    ? time
                    : throw new CloudEventFormatException(attributeName, $"Attribute '{attributeName}' is not an RFC 3339 timestamp: {TextRules.Quote(text)} ({reason})");
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown attribute type");
        }
    }

    /// <summary>Renders a timestamp as RFC 3339 in UTC with <c>Z</c> and up to 7 fraction digits (trailing zeros dropped).</summary>
    /// <param name="value">The timestamp.</param>
    /// <returns>For example <c>2024-05-01T10:00:00.5Z</c>. Never null.</returns>
    public static string FormatTimestamp(DateTimeOffset value) => Rfc3339.Format(value);

    /// <summary>Renders a timestamp as RFC 3339 in UTC with <c>Z</c> and up to 9 fraction digits (trailing zeros dropped).</summary>
    /// <param name="value">The timestamp.</param>
    /// <returns>For example <c>2026-12-01T12:00:00.123456789Z</c>. Never null.</returns>
    public static string FormatTimestamp(CloudEventTimestamp value) => Rfc3339.Format(value);

    /// <summary>Parses a strict RFC 3339 date-time (seconds and offset mandatory, lower-case <c>t</c>/<c>z</c> allowed).</summary>
    /// <param name="text">The text. Must not be null.</param>
    /// <param name="value">The timestamp; fraction digits beyond 100 ns are truncated (<see cref="CloudEventTimestamp.TryParse"/> keeps nanoseconds).</param>
    /// <returns>True when <paramref name="text"/> is valid.</returns>
    public static bool TryParseTimestamp(string text, out DateTimeOffset value) => Rfc3339.TryParse(text, out value) == null;

    /// <summary>Whether a string is an RFC 3986 URI with a scheme (the URI type).</summary>
    /// <param name="text">The text. May be null (not valid).</param>
    /// <returns>True when valid.</returns>
    public static bool IsUri(string? text) => !string.IsNullOrEmpty(text) && UriSyntax.CheckAbsoluteUri(text) == null;

    /// <summary>Whether a string is an RFC 3986 URI-reference (the URI-reference type; may be relative).</summary>
    /// <param name="text">The text. May be null (not valid).</param>
    /// <returns>True when valid.</returns>
    public static bool IsUriReference(string? text) => text != null && UriSyntax.CheckUriReference(text) == null;

    /// <summary>Whether a string satisfies the String type (no control characters, noncharacters or unpaired surrogates).</summary>
    /// <param name="text">The text. May be null (not valid).</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidString(string? text) => text != null && TextRules.CheckString(text) == null;

    /// <summary>Parses JSON-number integer syntax (<c>-?(0|[1-9][0-9]*)</c>) in the Int32 range; returns null or the reason.</summary>
    internal static string? TryParseInteger(ReadOnlySpan<char> text, out int value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (text.Length > 0 && text[0] == '-')
        {
            negative = true;
            i = 1;
        }

        if (i == text.Length)
        {
            return "no digits";
        }

        if (text[i] == '0' && text.Length > i + 1)
        {
            return "leading zeros are not allowed";
        }

        long accumulator = 0;
        for (; i < text.Length; i++)
        {
            char c = text[i];
            if (c < '0' || c > '9')
            {
                return c is '+' ? "a '+' sign is not allowed" : c is '.' or 'e' or 'E' ? "not integral" : $"unexpected character at index {i}";
            }

            accumulator = (accumulator * 10) + (c - '0');
            if (accumulator > 2147483648L)
            {
                return "out of the Integer range -2147483648..2147483647";
            }
        }

        if (negative)
        {
            accumulator = -accumulator;
        }

        if (accumulator > int.MaxValue)
        {
            return "out of the Integer range -2147483648..2147483647";
        }

        value = (int)accumulator;
        return null;
    }

    /// <summary>Strict RFC 4648 Base64: standard alphabet, padding required, no whitespace.</summary>
    internal static string? TryParseBase64(ReadOnlySpan<char> text, out byte[]? bytes)
    {
        bytes = null;
        if (CheckBase64(text, out int padding) is { } error)
        {
            return error;
        }

        byte[] result = new byte[(text.Length / 4 * 3) - padding];
        if (!Convert.TryFromBase64Chars(text, result, out int written) || written != result.Length)
        {
            return "malformed";
        }

        bytes = result;
        return null;
    }

    /// <summary>Strict RFC 4648 Base64 from UTF-8 bytes (the unescaped JSON string), without an intermediate string.</summary>
    internal static string? TryParseBase64(ReadOnlySpan<byte> utf8, out byte[]? bytes)
    {
        bytes = null;
        if (CheckBase64(utf8, out int padding) is { } error)
        {
            return error;
        }

        byte[] result = new byte[(utf8.Length / 4 * 3) - padding];
        if (System.Buffers.Text.Base64.DecodeFromUtf8(utf8, result, out _, out int written) != System.Buffers.OperationStatus.Done
            || written != result.Length)
        {
            return "malformed";
        }

        bytes = result;
        return null;
    }

    // The decoders accept what the RFC forbids (whitespace, missing padding); this rejects it first and
    // names the offending position. T is char for text and byte for UTF-8.
    private static string? CheckBase64<T>(ReadOnlySpan<T> text, out int padding)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        padding = 0;
        if (text.Length % 4 != 0)
        {
            return "length is not a multiple of 4";
        }

        for (int i = 0; i < text.Length; i++)
        {
            int c = int.CreateTruncating(text[i]);
            if (c == '=')
            {
                if (i < text.Length - 2)
                {
                    return $"'=' before the end at index {i}";
                }

                padding++;
                continue;
            }

            if (padding > 0)
            {
                return $"data after '=' at index {i}";
            }

            if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/'))
            {
                return typeof(T) == typeof(byte)
                    ? $"byte 0x{c:X2} at index {i} is not in the Base64 alphabet"
                    : $"character U+{c:X4} at index {i} is not in the Base64 alphabet";
            }
        }

        return null;
    }
}
