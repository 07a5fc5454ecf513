using System.Buffers;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;

namespace Bridge.Server.Auth;

/// <summary>What an HTTP request presents as credentials, before anything is verified.</summary>
internal enum CredentialKind
{
    /// <summary>No credentials at all.</summary>
    None,

    /// <summary>A token (<c>?token=</c> or <c>Authorization: Bearer</c>), checked before the body is read.</summary>
    Token,

    /// <summary>An HMAC-SHA256 body signature (<c>X-Signature: sha256=&lt;hex&gt;</c>), checked after the body is read.</summary>
    Signature,

    /// <summary>Credentials that cannot be understood; <see cref="HttpCredentials.Problem"/> says why.</summary>
    Malformed,
}

/// <summary>
/// Credentials of an HTTP request: a bearer token from <c>Authorization</c>, a token from the query
/// (Flagger cannot send headers), or a body signature (the Flux <c>generic-hmac</c> convention).
/// When several are present the header token wins, then the query token, then the signature.
/// </summary>
internal readonly struct HttpCredentials
{
    /// <summary>The query parameter that carries a token.</summary>
    public const string QueryParameter = "token";

    /// <summary>The header that carries a body signature.</summary>
    public const string SignatureHeader = "X-Signature";

    private const string SignaturePrefix = "sha256=";

    private HttpCredentials(CredentialKind kind, string? token = null, byte[]? signature = null, string? problem = null)
    {
        Kind = kind;
        Token = token;
        Signature = signature;
        Problem = problem;
    }

    public CredentialKind Kind { get; }

    /// <summary>The token when <see cref="Kind"/> is <see cref="CredentialKind.Token"/>.</summary>
    public string? Token { get; }

    /// <summary>The decoded 32-byte signature when <see cref="Kind"/> is <see cref="CredentialKind.Signature"/>.</summary>
    public byte[]? Signature { get; }

    /// <summary>Why the credentials are malformed, for the 401 detail.</summary>
    public string? Problem { get; }

    /// <summary>Reads the credentials of <paramref name="request"/>. Must not be null.</summary>
    public static HttpCredentials From(HttpRequest request)
    {
        var authorization = request.Headers.Authorization;
        if (authorization.Count > 0)
        {
            var value = authorization[0] ?? string.Empty;
            return TryParseBearer(value, out var bearer)
                ? new HttpCredentials(CredentialKind.Token, bearer.ToString())
                : new HttpCredentials(CredentialKind.Malformed, problem: "The Authorization header must be 'Bearer <token>'.");
        }

        if (request.QueryString.HasValue && request.Query.TryGetValue(QueryParameter, out var query))
        {
            return query.Count == 1 && !string.IsNullOrEmpty(query[0])
                ? new HttpCredentials(CredentialKind.Token, query[0])
                : new HttpCredentials(CredentialKind.Malformed, problem: "The 'token' query parameter must appear once and not be empty.");
        }

        var signature = request.Headers[SignatureHeader];
        if (signature.Count > 0)
        {
            return TryParseSignature(signature[0], out var bytes)
                ? new HttpCredentials(CredentialKind.Signature, signature: bytes)
                : new HttpCredentials(CredentialKind.Malformed, problem: $"The {SignatureHeader} header must be 'sha256=' followed by the 64 hex digits of the body's HMAC-SHA256.");
        }

        return new HttpCredentials(CredentialKind.None);
    }

    /// <summary>
    /// Parses <c>Bearer &lt;token&gt;</c> (scheme case-insensitive), as in HTTP <c>Authorization</c> and
    /// gRPC <c>authorization</c> metadata.
    /// </summary>
    public static bool TryParseBearer(ReadOnlySpan<char> value, out ReadOnlySpan<char> token)
    {
        const string Scheme = "Bearer ";
        value = value.Trim();
        if (value.Length > Scheme.Length && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
        {
            token = value[Scheme.Length..].TrimStart();
            return !token.IsEmpty;
        }

        token = default;
        return false;
    }

    /// <summary>Parses <c>sha256=&lt;64 hex digits&gt;</c> (prefix and digits case-insensitive).</summary>
    public static bool TryParseSignature(string? value, out byte[] signature)
    {
        signature = [];
        var text = value.AsSpan().Trim();
        if (!text.StartsWith(SignaturePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var hex = text[SignaturePrefix.Length..];
        if (hex.Length != HMACSHA256.HashSizeInBytes * 2)
        {
            return false;
        }

        var bytes = new byte[HMACSHA256.HashSizeInBytes];
        if (Convert.FromHexString(hex, bytes, out _, out var written) != OperationStatus.Done || written != bytes.Length)
        {
            return false;
        }

        signature = bytes;
        return true;
    }
}
