namespace Bridge.Server.Hosting;

/// <summary>Process-level settings of the bridge host.</summary>
/// <example><code>"Hosting": { "ShutdownTimeout": "00:00:25" }</code></example>
internal sealed class HostingOptions
{
    public const string SectionName = "Hosting";

    /// <summary>
    /// How long a stop may take: in-flight requests finish, then Kafka flushes what it holds.
    /// Default 25 s, inside Kubernetes' default 30 s termination grace period.
    /// </summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(25);
}

/// <summary>Console log format (section <c>Logging</c>, key <c>Format</c>).</summary>
/// <example><code>"Logging": { "Format": "json" }</code></example>
internal sealed class LogFormatOptions
{
    public const string SectionName = "Logging";

    /// <summary>One JSON object per line (for log collectors).</summary>
    public const string Json = "json";

    /// <summary>One human-readable line per entry.</summary>
    public const string Simple = "simple";

    /// <summary><c>simple</c> (default) or <c>json</c>, case-insensitive.</summary>
    public string Format { get; set; } = Simple;

    public bool IsJson => string.Equals(Format, Json, StringComparison.OrdinalIgnoreCase);
}
