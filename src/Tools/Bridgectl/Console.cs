namespace Bridge.Ctl;

/// <summary>What a command reads and writes, so tests can run commands in-process as well as the real executable.</summary>
internal sealed class CtlConsole(TextWriter output, TextWriter error, Func<Stream> openInput, Func<string, string?> environment)
{
    public TextWriter Out { get; } = output;

    public TextWriter Error { get; } = error;

    public Stream OpenInput() => openInput();

    public string? Environment(string name) => environment(name);

    public static CtlConsole System() => new(
        global::System.Console.Out, global::System.Console.Error, global::System.Console.OpenStandardInput, global::System.Environment.GetEnvironmentVariable);
}
