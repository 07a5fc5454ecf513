namespace Bridge.CloudEvents.Internal;

/// <summary>
/// RFC 3986 grammar checks for the URI and URI-reference types.
/// </summary>
/// <remarks>
/// <see cref="System.Uri"/> accepts spaces, stray '%' and backslashes and rewrites what it accepts, so it cannot
/// decide whether a string is a URI-reference. Values are checked here and kept as their exact text.
/// The URI type accepts the RFC 3986 <c>URI</c> production (scheme required, fragment allowed), which is what
/// CloudEvents SDKs check in practice; <c>absolute-URI</c> alone would reject schema URLs with a fragment.
/// </remarks>
internal static class UriSyntax
{
    /// <summary>Returns null when <paramref name="s"/> is an RFC 3986 URI-reference, else the reason.</summary>
    public static string? CheckUriReference(ReadOnlySpan<char> s) => Check(s, requireScheme: false);

    /// <summary>Returns null when <paramref name="s"/> is an RFC 3986 URI with a scheme, else the reason.</summary>
    public static string? CheckAbsoluteUri(ReadOnlySpan<char> s) => Check(s, requireScheme: true);

    private static string? Check(ReadOnlySpan<char> s, bool requireScheme)
    {
        int delimiter = s.IndexOfAny(":/?#");
        ReadOnlySpan<char> rest = s;
        if (delimiter >= 0 && s[delimiter] == ':')
        {
            ReadOnlySpan<char> scheme = s[..delimiter];
            if (!IsScheme(scheme))
            {
                return scheme.IsEmpty
                    ? "empty scheme before ':'"
                    : "':' in the first segment of a relative reference (or an invalid scheme)";
            }

            rest = s[(delimiter + 1)..];
        }
        else if (requireScheme)
        {
            return "no scheme (an absolute URI is required)";
        }

        int hash = rest.IndexOf('#');
        if (hash >= 0)
        {
            string? fragmentError = CheckQueryOrFragment(rest[(hash + 1)..], "fragment");
            if (fragmentError != null)
            {
                return fragmentError;
            }

            rest = rest[..hash];
        }

        int question = rest.IndexOf('?');
        if (question >= 0)
        {
            string? queryError = CheckQueryOrFragment(rest[(question + 1)..], "query");
            if (queryError != null)
            {
                return queryError;
            }

            rest = rest[..question];
        }

        if (rest.StartsWith("//"))
        {
            rest = rest[2..];
            int slash = rest.IndexOf('/');
            ReadOnlySpan<char> authority = slash >= 0 ? rest[..slash] : rest;
            string? authorityError = CheckAuthority(authority);
            if (authorityError != null)
            {
                return authorityError;
            }

            rest = slash >= 0 ? rest[slash..] : [];
        }

        return CheckPath(rest);
    }

    private static bool IsScheme(ReadOnlySpan<char> scheme)
    {
        if (scheme.IsEmpty || !IsAlpha(scheme[0]))
        {
            return false;
        }

        foreach (char c in scheme[1..])
        {
            if (!(IsAlpha(c) || IsDigit(c) || c == '+' || c == '-' || c == '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static string? CheckPath(ReadOnlySpan<char> path)
    {
        for (int i = 0; i < path.Length; i++)
        {
            char c = path[i];
            if (c == '/')
            {
                continue;
            }

            string? error = CheckPChar(path, ref i, "path");
            if (error != null)
            {
                return error;
            }
        }

        return null;
    }

    private static string? CheckQueryOrFragment(ReadOnlySpan<char> part, string what)
    {
        for (int i = 0; i < part.Length; i++)
        {
            char c = part[i];
            if (c == '/' || c == '?')
            {
                continue;
            }

            string? error = CheckPChar(part, ref i, what);
            if (error != null)
            {
                return error;
            }
        }

        return null;
    }

    /// <summary>pchar = unreserved / pct-encoded / sub-delims / ":" / "@".</summary>
    private static string? CheckPChar(ReadOnlySpan<char> s, ref int i, string what)
    {
        char c = s[i];
        if (IsUnreserved(c) || IsSubDelim(c) || c == ':' || c == '@')
        {
            return null;
        }

        return c == '%' ? CheckPercent(s, ref i, what) : Illegal(c, i, what);
    }

    private static string? CheckPercent(ReadOnlySpan<char> s, ref int i, string what)
    {
        if (i + 2 < s.Length && IsHex(s[i + 1]) && IsHex(s[i + 2]))
        {
            i += 2;
            return null;
        }

        return $"'%' not followed by two hex digits in the {what}";
    }

    private static string Illegal(char c, int index, string what) =>
        c == ' '
            ? $"raw space in the {what}"
            : $"character U+{(int)c:X4} ('{(c < 0x20 || c > 0x7E ? '?' : c)}') is not allowed in the {what}";

    private static string? CheckAuthority(ReadOnlySpan<char> authority)
    {
        int at = authority.IndexOf('@');
        if (at >= 0)
        {
            ReadOnlySpan<char> userInfo = authority[..at];
            for (int i = 0; i < userInfo.Length; i++)
            {
                char c = userInfo[i];
                if (IsUnreserved(c) || IsSubDelim(c) || c == ':')
                {
                    continue;
                }

                string? error = c == '%' ? CheckPercent(userInfo, ref i, "userinfo") : Illegal(c, i, "userinfo");
                if (error != null)
                {
                    return error;
                }
            }

            authority = authority[(at + 1)..];
        }

        ReadOnlySpan<char> port;
        if (authority.StartsWith('['))
        {
            int close = authority.IndexOf(']');
            if (close < 0)
            {
                return "unterminated '[' in the host";
            }

            ReadOnlySpan<char> literal = authority[1..close];
            if (!IsIPv6(literal) && !IsIPvFuture(literal))
            {
                return "invalid IP literal in the host";
            }

            ReadOnlySpan<char> after = authority[(close + 1)..];
            if (!after.IsEmpty && after[0] != ':')
            {
                return "unexpected characters after the IP literal";
            }

            port = after.IsEmpty ? [] : after[1..];
        }
        else
        {
            int colon = authority.IndexOf(':');
            ReadOnlySpan<char> host = colon >= 0 ? authority[..colon] : authority;
            for (int i = 0; i < host.Length; i++)
            {
                char c = host[i];
                if (IsUnreserved(c) || IsSubDelim(c))
                {
                    continue;
                }

                string? error = c == '%' ? CheckPercent(host, ref i, "host") : Illegal(c, i, "host");
                if (error != null)
                {
                    return error;
                }
            }

            port = colon >= 0 ? authority[(colon + 1)..] : [];
        }

        foreach (char c in port)
        {
            if (!IsDigit(c))
            {
                return "the port must be digits";
            }
        }

        return null;
    }

    private static bool IsIPvFuture(ReadOnlySpan<char> s)
    {
        if (s.Length < 4 || (s[0] != 'v' && s[0] != 'V'))
        {
            return false;
        }

        int i = 1;
        while (i < s.Length && IsHex(s[i]))
        {
            i++;
        }

        if (i == 1 || i >= s.Length || s[i] != '.' || i + 1 >= s.Length)
        {
            return false;
        }

        foreach (char c in s[(i + 1)..])
        {
            if (!(IsUnreserved(c) || IsSubDelim(c) || c == ':'))
            {
                return false;
            }
        }

        return true;
    }

    internal static bool IsIPv6(ReadOnlySpan<char> s)
    {
        int groups = 0;
        bool compressed = false;
        int i = 0;
        if (s.StartsWith("::"))
        {
            compressed = true;
            i = 2;
            if (s.Length == 2)
            {
                return true;
            }
        }
        else if (s.IsEmpty || s[0] == ':')
        {
            return false;
        }

        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && IsHex(s[i]) && i - start < 5)
            {
                i++;
            }

            if (i < s.Length && s[i] == '.')
            {
                // Trailing IPv4 form, worth two groups.
                if (!IsIPv4(s[start..]))
                {
                    return false;
                }

                groups += 2;
                i = s.Length;
                break;
            }

            int length = i - start;
            if (length == 0 || length > 4)
            {
                return false;
            }

            groups++;
            if (i == s.Length)
            {
                break;
            }

            if (s[i] != ':')
            {
                return false;
            }

            i++;
            if (i < s.Length && s[i] == ':')
            {
                if (compressed)
                {
                    return false;
                }

                compressed = true;
                i++;
                if (i == s.Length)
                {
                    break;
                }
            }
            else if (i == s.Length)
            {
                return false;
            }
        }

        return compressed ? groups <= 7 : groups == 8;
    }

    private static bool IsIPv4(ReadOnlySpan<char> s)
    {
        int parts = 0;
        foreach (Range r in s.Split('.'))
        {
            ReadOnlySpan<char> octet = s[r];
            parts++;
            if (octet.IsEmpty || octet.Length > 3 || (octet.Length > 1 && octet[0] == '0'))
            {
                return false;
            }

            int value = 0;
            foreach (char c in octet)
            {
                if (!IsDigit(c))
                {
                    return false;
                }

                value = (value * 10) + (c - '0');
            }

            if (value > 255)
            {
                return false;
            }
        }

        return parts == 4;
    }

    private static bool IsAlpha(char c) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

    private static bool IsDigit(char c) => c >= '0' && c <= '9';

    private static bool IsHex(char c) => IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

    private static bool IsUnreserved(char c) => IsAlpha(c) || IsDigit(c) || c == '-' || c == '.' || c == '_' || c == '~';

    private static bool IsSubDelim(char c) => c is '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=';
}
