namespace Bridge.Ctl;

/// <summary>A failure the user gets as one line on stderr with <see cref="ExitCode"/>, instead of a stack trace.</summary>
internal sealed class CtlException : Exception
{
    public CtlException(int exitCode, string message)
        : base(message) => ExitCode = exitCode;

    public int ExitCode { get; }

    public static CtlException Usage(string message) => new(ExitCodes.Usage, message);

    public static CtlException Failure(string message) => new(ExitCodes.Failure, message);
}

/// <summary>The exit codes scripts and probes rely on.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>The bridge is unreachable or not serving, refused events, or ended the stream with an error.</summary>
    public const int Failure = 1;

    /// <summary>The command line or the input file is invalid; nothing was sent.</summary>
    public const int Usage = 2;
}
