namespace Bridge.Server.Flagger;

/// <summary>
/// Severity of a Flagger event, with the meaning of Flagger's alert severities: a consumer that wants
/// what an alert provider of severity <c>warn</c> receives takes <c>warn</c> and <c>error</c>.
/// </summary>
internal enum FlaggerSeverity
{
    /// <summary>Normal progress.</summary>
    Info,

    /// <summary>Needs attention: analysis halted, waiting for approval, manual rollback.</summary>
    Warn,

    /// <summary>The rollout failed: rolled back on failed checks or deadline, canary or promotion failed.</summary>
    Error,
}

/// <summary>Wire values of <see cref="FlaggerSeverity"/> (the <c>severity</c> extension).</summary>
internal static class FlaggerSeverities
{
    /// <summary>Returns <c>info</c>, <c>warn</c> or <c>error</c>, Flagger's own spellings.</summary>
    public static string ToWireValue(this FlaggerSeverity severity) => severity switch
    {
        FlaggerSeverity.Info => "info",
        FlaggerSeverity.Warn => "warn",
        FlaggerSeverity.Error => "error",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, "Unknown severity."),
    };
}
