namespace Bridge.Audit.Configuration;

/// <summary>
/// Who may read the audit log (section <c>Auth</c>, the same shape as the bridge's): bearer tokens, each optionally
/// limited to namespaces. Every token is read-only. With no token the API is open (a warning is logged at start).
/// </summary>
internal sealed class AuditAuthOptions
{
    public const string SectionName = "Auth";

    /// <summary>Shortest token accepted, in characters; shorter ones fail at start.</summary>
    public const int MinTokenLength = 16;

    /// <summary>The accepted tokens. Default: none (open API).</summary>
    public List<AuditTokenOptions> Tokens { get; set; } = [];
}

/// <summary>One accepted token.</summary>
internal sealed class AuditTokenOptions
{
    /// <summary>Name of the caller, shown in logs (never the token). Required, unique.</summary>
    public string Name { get; set; } = string.Empty;

    /// <summary>The token itself. Exactly one of <see cref="Token"/> and <see cref="TokenFile"/> is required.</summary>
    public string? Token { get; set; }

    /// <summary>Path of a file holding the token, read once at start; a trailing newline is removed.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Namespaces this token may read. Default: empty, meaning every namespace.</summary>
    public List<string> Namespaces { get; set; } = [];
}
