namespace Bridge.Server.Auth;

/// <summary>
/// Who may send events: bearer tokens, each optionally limited to namespaces. With no token
/// configured the ingress is open (a warning is logged once at start).
/// </summary>
/// <example>
/// <code>
/// "Auth": { "Tokens": [ { "Name": "flagger", "TokenFile": "/var/run/secrets/bridge/flagger", "Namespaces": [ "test" ] } ] }
/// </code>
/// </example>
internal sealed class AuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Shortest token accepted, in characters; shorter ones fail at start.</summary>
    public const int MinTokenLength = 16;

    /// <summary>The accepted tokens. Default: none (open ingress).</summary>
    public List<TokenOptions> Tokens { get; set; } = [];
}

/// <summary>One accepted token.</summary>
internal sealed class TokenOptions
{
    /// <summary>Name of the caller, shown in logs and metrics (never the token). Required, unique.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The token itself. Exactly one of <see cref="Token"/> and <see cref="TokenFile"/> is required.</summary>
    public string? Token { get; set; }

    /// <summary>
    /// Path of a file holding the token (a mounted Kubernetes secret), read once at start; a trailing
    /// newline is removed.
    /// </summary>
    public string? TokenFile { get; set; }

    /// <summary>Namespaces this token may send events for. Default: empty, meaning every namespace.</summary>
    public List<string> Namespaces { get; set; } = [];
}
