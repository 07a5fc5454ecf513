namespace Bridge.Server.Auth;

/// <summary>
/// Checks the credentials a caller presents, whatever the transport: a bearer token (HTTP header,
/// query parameter, gRPC <c>authorization</c> metadata) or an HMAC-SHA256 signature of the body.
/// All comparisons take constant time.
/// </summary>
internal interface ITokenAuthenticator
{
    /// <summary>True when no token is configured: every request is accepted as <see cref="BridgeCaller.Anonymous"/>.</summary>
    bool IsOpen { get; }

    /// <summary>The caller whose token equals <paramref name="token"/>, or null when none does.</summary>
    /// <param name="token">The presented token, without scheme. May be empty.</param>
    BridgeCaller? AuthenticateToken(ReadOnlySpan<char> token);

    /// <summary>
    /// The caller whose token, used as HMAC-SHA256 key over <paramref name="body"/>, yields
    /// <paramref name="signature"/>, or null when none does.
    /// </summary>
    /// <param name="signature">The 32-byte signature (decoded from hex).</param>
    /// <param name="body">The raw request body, exactly as received.</param>
    BridgeCaller? AuthenticateSignature(ReadOnlySpan<byte> signature, ReadOnlySpan<byte> body);
}

/// <summary>An authenticated caller: the token's name and the namespaces it may send events for.</summary>
internal sealed class BridgeCaller
{
    private readonly HashSet<string>? _namespaces;

    public BridgeCaller(string name, IReadOnlyCollection<string> namespaces)
    {
        Name = name;
        _namespaces = namespaces.Count == 0 ? null : new HashSet<string>(namespaces, StringComparer.Ordinal);
    }

    /// <summary>The caller of an open ingress (no token configured).</summary>
    public static BridgeCaller Anonymous { get; } = new("anonymous", []);

    /// <summary>The token's configured name.</summary>
    public string Name { get; }

    /// <summary>True when the token is limited to some namespaces.</summary>
    public bool IsRestricted => _namespaces is not null;

    /// <summary>
    /// Whether the caller may send events for <paramref name="namespace"/>. An unrestricted caller may
    /// send for any namespace, or none; a restricted one only for a listed namespace.
    /// </summary>
    /// <param name="namespace">The event's namespace. May be null when the event names none.</param>
    public bool MayAccess(string? @namespace) =>
        _namespaces is null || (@namespace is not null && _namespaces.Contains(@namespace));
}
