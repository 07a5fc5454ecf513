namespace Bridge.Server.Flagger;

/// <summary>RFC 3986 URI-reference check for configured CloudEvents sources.</summary>
internal static class UriReference
{
    /// <summary>
    /// Whether <paramref name="value"/> is a non-empty URI-reference: only RFC 3986 characters, '%'
    /// only as <c>%XX</c>, at most one '#', a well-formed scheme when there is one, and accepted by
    /// <see cref="Uri.TryCreate(string, UriKind, out Uri)"/>.
    /// </summary>
    public static bool IsValid(string value)
    {
        if (value.Length == 0)
        {
            return false;
        }

        var fragments = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '%')
            {
                if (i + 2 >= value.Length || !char.IsAsciiHexDigit(value[i + 1]) || !char.IsAsciiHexDigit(value[i + 2]))
                {
                    return false;
                }

                i += 2;
            }
            else if (c == '#')
            {
                fragments++;
            }
            else if (!IsUriCharacter(c))
            {
                return false;
            }
        }

        return fragments <= 1 && HasValidScheme(value) && Uri.TryCreate(value, UriKind.RelativeOrAbsolute, out _);
    }

    // A ':' before any '/', '?' or '#' makes the first part a scheme, which must be ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ).
    private static bool HasValidScheme(string value)
    {
        var end = value.AsSpan().IndexOfAny(":/?#");
        if (end < 0 || value[end] != ':')
        {
            return true;
        }

        if (end == 0 || !char.IsAsciiLetter(value[0]))
        {
            return false;
        }

        foreach (var c in value.AsSpan(1, end - 1))
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('+' or '-' or '.'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsUriCharacter(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~'
            or ':' or '/' or '?' or '[' or ']' or '@'
            or '!' or '$' or '&' or '\'' or '(' or ')' or '*' or '+' or ',' or ';' or '=';
}
