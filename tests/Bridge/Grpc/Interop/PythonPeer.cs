using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

namespace Bridge.Grpc.Tests.Interop;

/// <summary>
/// Debian's grpcio (importable only from /usr/bin/python3) as a real, independent gRPC peer. Generates the
/// health stubs once into a temporary directory; fails loudly when the packages are missing.
/// </summary>
public sealed class PythonPeer : IAsyncLifetime
{
    public const string Python = "/usr/bin/python3";
    private const string MissingMessage =
        "The gRPC interop tests need " + Python + " with grpcio and grpc_tools. Install the Debian packages " +
        "python3-grpcio and python3-grpc-tools (apt-get install -y python3-grpcio python3-grpc-tools).";

    private string? _problem;

    public string StubDirectory { get; } = Directory.CreateTempSubdirectory("grpc-interop-").FullName;

    public static string ScriptDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "Interop");

    public async Task InitializeAsync()
    {
        if (!File.Exists(Python))
        {
            _problem = MissingMessage + " (" + Python + " does not exist)";
            return;
        }
        var check = await RunAsync("-c", "import grpc, grpc_tools");
        if (check.ExitCode != 0)
        {
            _problem = MissingMessage + " Import failed: " + check.Output;
            return;
        }
        var protoc = await RunAsync("-m", "grpc_tools.protoc", "-I" + ScriptDirectory, "--python_out=" + StubDirectory,
            "--grpc_python_out=" + StubDirectory, Path.Combine(ScriptDirectory, "health.proto"));
        if (protoc.ExitCode != 0)
        {
            _problem = "Generating Python stubs for health.proto failed: " + protoc.Output;
        }
    }

    public Task DisposeAsync()
    {
        Directory.Delete(StubDirectory, recursive: true);
        return Task.CompletedTask;
    }

    /// <summary>Fails the test (never skips it) when Python gRPC is unusable.</summary>
    public void EnsureAvailable()
    {
        if (_problem is not null)
        {
            Assert.Fail(_problem);
        }
    }

    public ScriptProcess Start(string script, params string[] arguments) =>
        new(Python, [Path.Combine(ScriptDirectory, script), .. arguments]);

    private static Task<(int ExitCode, string Output)> RunAsync(params string[] arguments) =>
        ProcessRunner.RunAsync(Python, arguments, TimeSpan.FromSeconds(60));
}
