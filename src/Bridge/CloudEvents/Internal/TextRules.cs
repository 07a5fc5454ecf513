using System.Text;

namespace Bridge.CloudEvents.Internal;

/// <summary>Character-level rules shared by every codec: attribute names, the String type, message quoting.</summary>
internal static class TextRules
{
    /// <summary>Values quoted in error messages are cut here so a hostile header cannot bloat logs.</summary>
    private const int MaxQuotedLength = 120;

    public static bool IsValidAttributeName(ReadOnlySpan<char> name)
    {
        if (name.IsEmpty || name.SequenceEqual("data"))
        {
            return false;
        }

        foreach (char c in name)
        {
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            {
                return false;
            }
        }

        return true;
    }

    public static bool IsValidAttributeName(ReadOnlySpan<byte> utf8Name)
    {
        if (utf8Name.IsEmpty || utf8Name.SequenceEqual("data"u8))
        {
            return false;
        }

        foreach (byte c in utf8Name)
        {
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Explains why <paramref name="name"/> is not a valid attribute name.</summary>
    public static string DescribeInvalidName(string name)
    {
        if (name.Length == 0)
        {
            return "Attribute name must not be empty";
        }

        if (name == "data")
        {
            return "Attribute name 'data' is reserved for the event payload";
        }

        return $"Attribute name {Quote(name)} is invalid: only lower-case ASCII letters a-z and digits 0-9 are allowed";
    }

    /// <summary>Checks the CloudEvents String type; returns null when valid, else the reason.</summary>
    public static string? CheckString(ReadOnlySpan<char> value)
    {
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            if (c >= 0x20 && c < 0x7F)
            {
                continue;
            }

            if (c < 0x20 || (c >= 0x7F && c <= 0x9F))
            {
                return $"control character U+{(int)c:X4} at index {i}";
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1]))
                {
                    return $"unpaired surrogate U+{(int)c:X4} at index {i}";
                }

                int cp = char.ConvertToUtf32(c, value[i + 1]);
                if ((cp & 0xFFFE) == 0xFFFE)
                {
                    return $"noncharacter U+{cp:X} at index {i}";
                }

                i++;
                continue;
            }

            if (char.IsLowSurrogate(c))
            {
                return $"unpaired surrogate U+{(int)c:X4} at index {i}";
            }

            if ((c >= 0xFDD0 && c <= 0xFDEF) || c >= 0xFFFE)
            {
                return $"noncharacter U+{(int)c:X4} at index {i}";
            }
        }

        return null;
    }

    /// <summary>Renders a value for an error message: quoted, truncated, with invisible characters escaped.</summary>
    public static string Quote(ReadOnlySpan<char> value)
    {
        var sb = new StringBuilder(Math.Min(value.Length, MaxQuotedLength) + 8);
        sb.Append('\'');
        int limit = Math.Min(value.Length, MaxQuotedLength);
        for (int i = 0; i < limit; i++)
        {
            char c = value[i];
            if (c < 0x20 || (c >= 0x7F && c <= 0x9F) || char.IsSurrogate(c) || c >= 0xFFFE || (c >= 0xFDD0 && c <= 0xFDEF))
            {
                sb.Append("\\u").Append(((int)c).ToString("X4", System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                sb.Append(c);
            }
        }

        sb.Append('\'');
        if (value.Length > MaxQuotedLength)
        {
            sb.Append("...(").Append(value.Length).Append(" chars)");
        }

        return sb.ToString();
    }
}
