using System.Security.Cryptography;
using System.Text;
using Bridge.Audit.Configuration;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Bridge.Audit.Api;

/// <summary>Who is calling: a token's name and the namespaces it may read (null: every namespace).</summary>
internal sealed record AuditCaller(string Name, IReadOnlySet<string>? Namespaces)
{
    public static readonly AuditCaller Anonymous = new("anonymous", null);

    public bool SeesEverything => Namespaces is null;

    public bool MayRead(string? ns) => Namespaces is null || (ns is not null && Namespaces.Contains(ns));
}

/// <summary>
/// Checks bearer tokens (the <c>Authorization</c> header, or <c>?token=</c> for browsers' EventSource, which cannot send
/// headers). Tokens are compared by their SHA-256 in constant time.
/// </summary>
internal sealed class AuditAuthenticator
{
    private readonly List<(byte[] Digest, AuditCaller Caller)> _tokens = [];

    public AuditAuthenticator(IOptions<AuditAuthOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        foreach (var token in options.Value.Tokens)
        {
            var secret = AuditAuthOptionsValidator.ReadToken(token);
            IReadOnlySet<string>? namespaces = token.Namespaces.Count == 0 ? null : new HashSet<string>(token.Namespaces, StringComparer.Ordinal);
            _tokens.Add((SHA256.HashData(Encoding.UTF8.GetBytes(secret)), new AuditCaller(token.Name, namespaces)));
        }
    }

    public bool IsOpen => _tokens.Count == 0;

    /// <summary>The caller, or the reason the request is refused (for a 401).</summary>
    public (AuditCaller? Caller, string? Error) Authenticate(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (IsOpen)
        {
            return (AuditCaller.Anonymous, null);
        }

        string? presented = null;
        var header = request.Headers.Authorization.ToString();
        if (header.Length > 0)
        {
            if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                return (null, "The Authorization header must be 'Bearer <token>'.");
            }

            presented = header["Bearer ".Length..].Trim();
        }
        else if (request.Query.TryGetValue("token", out var query))
        {
            presented = query.ToString();
        }

        if (string.IsNullOrEmpty(presented))
        {
            return (null, "A token is required: send 'Authorization: Bearer <token>' (or ?token=<token> from a browser's EventSource).");
        }

        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        AuditCaller? caller = null;
        foreach (var (known, candidate) in _tokens)
        {
            if (CryptographicOperations.FixedTimeEquals(known, digest))
            {
                caller ??= candidate;
            }
        }

        return caller is null ? (null, "The token is not valid.") : (caller, null);
    }
}
