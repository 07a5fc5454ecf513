using System.Reflection;
using Bridge.Ctl;

using var cancellation = new CancellationTokenSource();
// Ctrl-C and SIGTERM end a tail cleanly (exit 0) instead of killing the process mid-line.
using var interrupt = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, Stop);
using var terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, Stop);
return await Cli.RunAsync(args, CtlConsole.System(), cancellation.Token);

void Stop(System.Runtime.InteropServices.PosixSignalContext context)
{
    context.Cancel = true;
    cancellation.Cancel();
}

namespace Bridge.Ctl
{
    /// <summary>Dispatches <c>bridgectl COMMAND ...</c> and turns every failure into one line on stderr and an exit code.</summary>
    internal static class Cli
    {
        public static readonly string Usage = $"""
            Usage: bridgectl COMMAND [options]

            The flagger-bridge operator's tool: talks to a bridge's gRPC port.

            Commands:
              health     {HealthCommand.Summary}
              tail       {TailCommand.Summary}
              publish    {PublishCommand.Summary}
              version    print bridgectl's version

            Every command takes --help. The address comes from --address or $BRIDGE_ADDRESS
            (default http://127.0.0.1:8081), the token from --token-file or $BRIDGE_TOKEN.
            Exit codes: 0 success, 1 the bridge is unreachable, not serving or refused, 2 invalid arguments or input.
            """;

        public static async Task<int> RunAsync(IReadOnlyList<string> args, CtlConsole console, CancellationToken cancellationToken)
        {
            try
            {
                if (args.Count == 0)
                {
                    await console.Error.WriteLineAsync(Usage);
                    return ExitCodes.Usage;
                }

                string command = args[0];
                string[] rest = [.. args.Skip(1)];
                switch (command)
                {
                    case "-h" or "--help" or "help":
                        await console.Out.WriteLineAsync(Usage);
                        return ExitCodes.Success;
                    case "--version" or "version":
                        return await VersionAsync(rest, console);
                    case "health":
                        return await RunAsync(Arguments.Parse(command, rest, [.. Connection.Options, "--timeout"]), HealthCommand.Help, HealthCommand.RunAsync, console, cancellationToken);
                    case "tail":
                        return await RunAsync(Arguments.Parse(command, rest, TailCommand.Options, TailCommand.Repeatable), TailCommand.Help, TailCommand.RunAsync, console, cancellationToken);
                    case "publish":
                        return await RunAsync(Arguments.Parse(command, rest, PublishCommand.Options), PublishCommand.Help, PublishCommand.RunAsync, console, cancellationToken);
                    default:
                        throw CtlException.Usage(command.StartsWith('-')
                            ? $"unknown option '{command}': a command comes first (see 'bridgectl --help')"
                            : $"unknown command '{command}': expected health, tail, publish or version (see 'bridgectl --help')");
                }
            }
            catch (CtlException e)
            {
                await console.Error.WriteLineAsync("bridgectl: " + Connection.OneLine(e.Message));
                return e.ExitCode;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Success;
            }
        }

        private static async Task<int> RunAsync(Arguments arguments, string help, Func<Arguments, CtlConsole, CancellationToken, Task<int>> run,
            CtlConsole console, CancellationToken cancellationToken)
        {
            if (arguments.Help)
            {
                await console.Out.WriteLineAsync(help);
                return ExitCodes.Success;
            }

            return await run(arguments, console, cancellationToken);
        }

        private static async Task<int> VersionAsync(string[] rest, CtlConsole console)
        {
            Arguments arguments = Arguments.Parse("version", rest, []);
            if (arguments.Help)
            {
                await console.Out.WriteLineAsync("Usage: bridgectl version\n\nPrints bridgectl's version.");
                return ExitCodes.Success;
            }

            arguments.ExpectPositionals(0, 0, "no arguments");
            await console.Out.WriteLineAsync($"bridgectl {Version}");
            return ExitCodes.Success;
        }

        public static string Version =>
            typeof(Cli).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
    }
}
