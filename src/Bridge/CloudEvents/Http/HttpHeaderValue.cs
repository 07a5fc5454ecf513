using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace Bridge.CloudEvents.Http;

/// <summary>
/// The HTTP binding's header value encoding (CloudEvents HTTP binding §3.1.3.2): percent-encoded UTF-8.
/// </summary>
/// <remarks>
/// Decoding undoes RFC 7230 quoted-string syntax first, then applies exactly one round of percent-decoding
/// (so <c>%2525</c> becomes <c>%25</c>), then requires well-formed UTF-8: overlong forms, encoded surrogates,
/// truncated sequences and stray continuation bytes are rejected, as is a '%' without two hex digits.
/// '+' is literal; this is not form decoding.
/// </remarks>
internal static class HttpHeaderValue
{
    private const string Hex = "0123456789ABCDEF";

    /// <summary>Percent-encodes the UTF-8 bytes of space, '"', '%' and every character outside U+0021-U+007E.</summary>
    public static string Encode(string value)
    {
        int first = IndexOfCharToEncode(value);
        if (first < 0)
        {
            return value;
        }

        var sb = new StringBuilder(value.Length + 16);
        sb.Append(value, 0, first);
        Span<byte> utf8 = stackalloc byte[4];
        for (int i = first; i < value.Length; i++)
        {
            char c = value[i];
            if (!NeedsEncoding(c))
            {
                sb.Append(c);
                continue;
            }

            Rune rune;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                rune = new Rune(c, value[i + 1]);
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                // Values are validated before encoding; an unpaired surrogate cannot be expressed in UTF-8.
                throw new ArgumentException("The value contains an unpaired surrogate", nameof(value));
            }
            else
            {
                rune = new Rune(c);
            }

            int length = rune.EncodeToUtf8(utf8);
            for (int b = 0; b < length; b++)
            {
                sb.Append('%').Append(Hex[utf8[b] >> 4]).Append(Hex[utf8[b] & 0xF]);
            }
        }

        return sb.ToString();
    }

    /// <summary>Decodes a received header value; returns null on success, else the reason.</summary>
    public static string? TryDecode(string raw, out string value)
    {
        value = raw;
        string unquoted = raw;
        if (raw.Contains('"', StringComparison.Ordinal))
        {
            string? quoteError = Unquote(raw, out unquoted);
            if (quoteError != null)
            {
                return quoteError;
            }
        }

        bool simple = true;
        foreach (char c in unquoted)
        {
            if (c == '%' || c > 0x7E)
            {
                simple = false;
                break;
            }
        }

        if (simple)
        {
            value = unquoted;
            return null;
        }

        byte[] rented = ArrayPool<byte>.Shared.Rent(unquoted.Length);
        try
        {
            int n = 0;
            for (int i = 0; i < unquoted.Length; i++)
            {
                char c = unquoted[i];
                if (c == '%')
                {
                    if (i + 2 >= unquoted.Length || !IsHex(unquoted[i + 1]) || !IsHex(unquoted[i + 2]))
                    {
                        return $"malformed percent-escape at index {i}: '%' must be followed by two hex digits";
                    }

                    rented[n++] = (byte)((HexValue(unquoted[i + 1]) << 4) | HexValue(unquoted[i + 2]));
                    i += 2;
                }
                else if (c > 0x7E)
                {
                    return $"character U+{(int)c:X4} at index {i} must be percent-encoded";
                }
                else
                {
                    rented[n++] = (byte)c;
                }
            }

            ReadOnlySpan<byte> bytes = rented.AsSpan(0, n);
            if (!Utf8.IsValid(bytes))
            {
                return $"the percent-decoded bytes are not valid UTF-8 at byte {FirstInvalidUtf8(bytes)} (overlong form, encoded surrogate, truncated sequence or stray continuation byte)";
            }

            value = Encoding.UTF8.GetString(bytes);
            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static string? Unquote(string raw, out string result)
    {
        var sb = new StringBuilder(raw.Length);
        bool quoted = false;
        for (int i = 0; i < raw.Length; i++)
        {
            char c = raw[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    if (i + 1 >= raw.Length)
                    {
                        result = raw;
                        return "a quoted-string ends with a lone backslash";
                    }

                    sb.Append(raw[++i]);
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    sb.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else
            {
                sb.Append(c);
            }
        }

        result = sb.ToString();
        return quoted ? "unterminated quoted-string" : null;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        int index = 0;
        while (index < bytes.Length)
        {
            if (Rune.DecodeFromUtf8(bytes[index..], out _, out int consumed) != OperationStatus.Done)
            {
                return index;
            }

            index += consumed;
        }

        return index;
    }

    private static int IndexOfCharToEncode(string value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            if (NeedsEncoding(value[i]))
            {
                return i;
            }
        }

        return -1;
    }

    private static bool NeedsEncoding(char c) => c <= 0x20 || c >= 0x7F || c == '"' || c == '%';

    private static bool IsHex(char c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
