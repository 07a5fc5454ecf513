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
            _problem = MissingMessage + " Import failed: " + check.Error;
            return;
        }
        var protoc = await RunAsync("-m", "grpc_tools.protoc", "-I" + ScriptDirectory, "--python_out=" + StubDirectory,
            "--grpc_python_out=" + StubDirectory, Path.Combine(ScriptDirectory, "health.proto"));
        if (protoc.ExitCode != 0)
        {
            _problem = "Generating Python stubs for health.proto failed: " + protoc.Error;
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

    public PythonProcess Start(string script, params string[] arguments) =>
        new(Python, [Path.Combine(ScriptDirectory, script), .. arguments]);

    private static async Task<(int ExitCode, string Error)> RunAsync(params string[] arguments)
    {
        var info = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        using Process process = Process.Start(info)!;
        Task<string> error = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (process.ExitCode, await error);
    }
}

/// <summary>A running Python script whose stdout lines can be awaited.</summary>
public sealed class PythonProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly StringBuilder _output = new();
    private readonly StringBuilder _errors = new();

    public PythonProcess(string python, string[] arguments)
    {
        var info = new ProcessStartInfo(python)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        info.Environment["PYTHONUNBUFFERED"] = "1";
        _process = new Process { StartInfo = info, EnableRaisingEvents = true };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
                return;
            }
            lock (_output)
            {
                _output.AppendLine(e.Data);
            }
            _lines.Writer.TryWrite(e.Data);
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (_errors)
                {
                    _errors.AppendLine(e.Data);
                }
            }
        };
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    /// <summary>Everything printed so far, for failure messages.</summary>
    public string Transcript
    {
        get
        {
            lock (_output)
            {
                lock (_errors)
                {
                    return "stdout:\n" + _output + "stderr:\n" + _errors;
                }
            }
        }
    }

    /// <summary>Waits for the next line matching <paramref name="predicate"/>; fails on a FAIL line, exit or timeout.</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (await _lines.Reader.WaitToReadAsync(cts.Token))
            {
                while (_lines.Reader.TryRead(out string? line))
                {
                    if (line.StartsWith("FAIL", StringComparison.Ordinal))
                    {
                        Assert.Fail("Python peer failed: " + line + "\n" + Transcript);
                    }
                    if (predicate(line))
                    {
                        return line;
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"Timed out after {timeout} waiting for the Python peer.\n" + Transcript);
        }
        Assert.Fail("The Python peer exited early.\n" + Transcript);
        return string.Empty;
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        await _process.WaitForExitAsync().WaitAsync(timeout);
        return _process.ExitCode;
    }

    /// <summary>Closing stdin asks a server script to stop.</summary>
    public void CloseInput() => _process.StandardInput.Close();

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit(5000);
        }
        _process.Dispose();
    }
}
