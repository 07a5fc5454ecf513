using System.Buffers;
using System.Text.RegularExpressions;

namespace Bridge.Server.Auth;

/// <summary>
/// Removes tokens from text bound for a log: the value of every <c>token</c> query parameter (the name
/// compared as the ingress reads it: percent-decoded, ignoring case) and every configured token, as is or
/// percent-encoded, wherever it appears.
/// </summary>
/// <remarks>
/// Flagger can only send its token in the URL, and ASP.NET Core's request logs, Kestrel's bad-request
/// details and exception messages all carry the URL. Redacting the parameter catches tokens that match no
/// configured one (a mistyped or revoked token is still a secret); redacting configured tokens catches any
/// other place a client put one. Thread-safe.
/// </remarks>
internal sealed partial class TokenRedactor
{
    /// <summary>What a token is replaced with.</summary>
    public const string Replacement = "[redacted]";

    private Protected _protected = new([], null);

    /// <summary>Adds the configured tokens, so they are redacted wherever they appear.</summary>
    /// <param name="secrets">The tokens. Must not be null.</param>
    public void Protect(IEnumerable<string> secrets)
    {
        ArgumentNullException.ThrowIfNull(secrets);
        var all = secrets
            .Where(s => !string.IsNullOrEmpty(s))
            .SelectMany(s => new[] { s, Uri.EscapeDataString(s) })
            .Concat(Volatile.Read(ref _protected).Secrets)
            .Distinct(StringComparer.Ordinal)
            .OrderByDescending(s => s.Length)
            .ToArray();
        Volatile.Write(ref _protected, new Protected(all, all.Length == 0 ? null : SearchValues.Create(all, StringComparison.Ordinal)));
    }

    /// <summary>The text without tokens, or null when it holds none (so callers keep the original).</summary>
    /// <param name="text">Text bound for a log. May be null.</param>
    public string? Redact(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        string? redacted = null;
        if (MayHoldQueryToken(text))
        {
            redacted = RedactQueryTokens(text);
        }

        var current = Volatile.Read(ref _protected);
        if (current.Search is { } search && (redacted ?? text).AsSpan().ContainsAny(search))
        {
            var result = redacted ?? text;
            foreach (var secret in current.Secrets)
            {
                result = result.Replace(secret, Replacement, StringComparison.Ordinal);
            }

            redacted = result;
        }

        return redacted;
    }

    // Cheap pre-check: a token parameter needs '=' and its name, literal or percent-encoded.
    private static bool MayHoldQueryToken(string text) =>
        text.Contains('=', StringComparison.Ordinal)
        && (text.Contains(HttpCredentials.QueryParameter, StringComparison.OrdinalIgnoreCase) || text.Contains('%', StringComparison.Ordinal));

    private static string? RedactQueryTokens(string text)
    {
        var changed = false;
        var result = QueryParameter().Replace(text, match =>
        {
            var value = match.Groups["value"];
            if (value.Length == 0 || !IsTokenParameter(match.Groups["name"].Value))
            {
                return match.Value;
            }

            changed = true;
            return string.Concat(match.ValueSpan[..(value.Index - match.Index)], Replacement);
        });
        return changed ? result : null;
    }

    private static bool IsTokenParameter(string name)
    {
        string decoded;
        try
        {
            decoded = Uri.UnescapeDataString(name.Replace('+', ' '));
        }
        catch (UriFormatException)
        {
            return false;
        }

        return decoded.Equals(HttpCredentials.QueryParameter, StringComparison.OrdinalIgnoreCase);
    }

    // A query parameter after '?', '&' or ';', up to the next delimiter, quote or whitespace (log text
    // quotes and escapes request lines, so those end a value too).
    [GeneratedRegex("""[?&;](?<name>[^=&;#?\s'"]{1,64})=(?<value>[^&;#\s'"]*)""", RegexOptions.CultureInvariant)]
    private static partial Regex QueryParameter();

    private sealed record Protected(string[] Secrets, SearchValues<string>? Search);
}
