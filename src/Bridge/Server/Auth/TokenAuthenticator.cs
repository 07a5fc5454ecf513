using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Auth;

/// <summary>
/// <see cref="ITokenAuthenticator"/> over the tokens of <see cref="AuthOptions"/>, read (from files
/// where configured) once when the service starts.
/// </summary>
internal sealed class TokenAuthenticator : ITokenAuthenticator
{
    private const int MaxStackToken = 256;

    // Far above any real token; longer input is rejected without hashing it.
    private const int MaxTokenLength = 4096;

    private readonly Entry[] _entries;

    /// <param name="options">The validated options. Must not be null.</param>
    /// <param name="redactor">Told the tokens, so that logs never show them. May be null.</param>
    public TokenAuthenticator(IOptions<AuthOptions> options, TokenRedactor? redactor = null)
    {
        var secrets = options.Value.Tokens
            .Select(t => (Token: t, Secret: t.TokenFile is { Length: > 0 } file ? ReadTokenFile(file) : t.Token ?? string.Empty))
            .ToArray();
        redactor?.Protect(secrets.Select(s => s.Secret));
        _entries = Array.ConvertAll(secrets, s =>
        {
            var key = Encoding.UTF8.GetBytes(s.Secret);
            return new Entry(new BridgeCaller(s.Token.Name, s.Token.Namespaces), key, SHA256.HashData(key));
        });
    }

    public bool IsOpen => _entries.Length == 0;

    /// <summary>Names of the configured tokens, for the start-up log.</summary>
    public IReadOnlyList<string> TokenNames => Array.ConvertAll(_entries, e => e.Caller.Name);

    public BridgeCaller? AuthenticateToken(ReadOnlySpan<char> token)
    {
        if (IsOpen)
        {
            return BridgeCaller.Anonymous;
        }

        if (token.IsEmpty || token.Length > MaxTokenLength)
        {
            return null;
        }

        // Comparing SHA-256 digests keeps the comparison constant-time even when lengths differ.
        Span<byte> utf8 = token.Length <= MaxStackToken ? stackalloc byte[MaxStackToken * 3] : new byte[Encoding.UTF8.GetMaxByteCount(token.Length)];
        var length = Encoding.UTF8.GetBytes(token, utf8);
        Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..length], digest);

        BridgeCaller? match = null;
        foreach (var entry in _entries)
        {
            if (CryptographicOperations.FixedTimeEquals(digest, entry.Digest))
            {
                match ??= entry.Caller;
            }
        }

        return match;
    }

    public BridgeCaller? AuthenticateSignature(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> body)
    {
        if (IsOpen)
        {
            return BridgeCaller.Anonymous;
        }

        if (signature.Length != HMACSHA256.HashSizeInBytes)
        {
            return null;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        BridgeCaller? match = null;
        foreach (var entry in _entries)
        {
            HMACSHA256.HashData(entry.Key, body, expected);
            if (CryptographicOperations.FixedTimeEquals(expected, signature))
            {
                match ??= entry.Caller;
            }
        }

        return match;
    }

    /// <summary>Reads a mounted token file: the whole file minus trailing line breaks.</summary>
    internal static string ReadTokenFile(string path) => File.ReadAllText(path).TrimEnd('\r', '\n');

    private sealed record Entry(BridgeCaller Caller, byte[] Key, byte[] Digest);
}
