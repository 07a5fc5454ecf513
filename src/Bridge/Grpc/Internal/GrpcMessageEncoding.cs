using System.Text;

namespace Bridge.Grpc.Internal;

/// <summary>
/// Percent-encoding of <c>grpc-message</c>: UTF-8 bytes outside 0x20-0x7E and '%' itself become %XX.
/// Kestrel refuses non-ASCII header values, so an unencoded message would turn the call into HTTP 500.
/// </summary>
internal static class GrpcMessageEncoding
{
    public static string Encode(string message)
    {
        if (!NeedsEncoding(message))
        {
            return message;
        }
        byte[] bytes = Encoding.UTF8.GetBytes(message);
        var sb = new StringBuilder(bytes.Length * 3);
        foreach (byte b in bytes)
        {
            if (b < 0x20 || b > 0x7E || b == (byte)'%')
            {
                sb.Append('%').Append(HexDigit(b >> 4)).Append(HexDigit(b & 0xF));
            }
            else
            {
                sb.Append((char)b);
            }
        }
        return sb.ToString();
    }

    /// <summary>Decodes %XX sequences as UTF-8; a malformed sequence is kept as it is.</summary>
    public static string Decode(string value)
    {
        if (!value.Contains('%', StringComparison.Ordinal))
        {
            return value;
        }
        var bytes = new List<byte>(value.Length);
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c == '%' && i + 2 < value.Length
                && TryHex(value[i + 1], out int hi) && TryHex(value[i + 2], out int lo))
            {
                bytes.Add((byte)((hi << 4) | lo));
                i += 2;
            }
            else if (c < 0x80)
            {
                bytes.Add((byte)c);
            }
            else
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(c.ToString()));
            }
        }
        return Encoding.UTF8.GetString(bytes.ToArray());
    }

    private static bool NeedsEncoding(string message)
    {
        foreach (char c in message)
        {
            if (c < 0x20 || c > 0x7E || c == '%')
            {
                return true;
            }
        }
        return false;
    }

    private static char HexDigit(int v) => (char)(v < 10 ? '0' + v : 'A' + v - 10);

    private static bool TryHex(char c, out int value)
    {
        value = c switch
        {
            >= '0' and <= '9' => c - '0',
            >= 'a' and <= 'f' => c - 'a' + 10,
            >= 'A' and <= 'F' => c - 'A' + 10,
            _ => -1,
        };
        return value >= 0;
    }
}
