using System.Diagnostics;
using System.Text;
using System.Threading.Channels;

using Xunit;

namespace Bridge.Testing;

/// <summary>A running script or program (a Python or Node peer, an example client, a bridge) whose stdout lines can be awaited; killed when disposed.</summary>
public sealed class ScriptProcess : IDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
    private readonly List<string> _output = [];
    private readonly StringBuilder _errors = new();
    private readonly TaskCompletionSource _outputClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ScriptProcess(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(program)
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
        info.Environment["PYTHONDONTWRITEBYTECODE"] = "1";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _lines.Writer.TryComplete();
                _outputClosed.TrySetResult();
                return;
            }

            lock (_output)
            {
                _output.Add(e.Data);
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

    /// <summary>Every stdout line so far.</summary>
    public IReadOnlyList<string> Output
    {
        get
        {
            lock (_output)
            {
                return [.. _output];
            }
        }
    }

    /// <summary>Everything printed so far, for failure messages.</summary>
    public string Transcript
    {
        get
        {
            lock (_errors)
            {
                return "stdout:\n" + string.Join('\n', Output) + "\nstderr:\n" + _errors;
            }
        }
    }

    /// <summary>Waits for the next line matching <paramref name="predicate"/>; fails on a FAIL line, early exit or timeout.</summary>
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
                        Assert.Fail("The script failed: " + line + "\n" + Transcript);
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
            Assert.Fail($"Timed out after {timeout} waiting for the script.\n" + Transcript);
        }

        Assert.Fail("The script exited early.\n" + Transcript);
        return string.Empty;
    }

    /// <summary>Waits for the script to exit and for all of its output; fails the test after <paramref name="timeout"/>.</summary>
    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            await _process.WaitForExitAsync().WaitAsync(timeout);
            await _outputClosed.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"The script did not exit within {timeout}.\n" + Transcript);
        }

        return _process.ExitCode;
    }

    /// <summary>Writes one line to the process' standard input (a command for a driven process).</summary>
    public void WriteLine(string line)
    {
        _process.StandardInput.WriteLine(line);
        _process.StandardInput.Flush();
    }

    /// <summary>Kills the process at once, as <c>kill -9</c> does (SIGKILL: no shutdown code runs), and waits for it to end.</summary>
    public void Kill()
    {
        _process.Kill();
        _process.WaitForExit(5000);
    }

    /// <summary>Whether the process has ended.</summary>
    public bool HasExited => _process.HasExited;

    /// <summary>Closes the script's standard input (server scripts stop on it).</summary>
    public void CloseInput() => _process.StandardInput.Close();

    /// <summary>Sends a signal to the script (SIGINT = 2 is Ctrl-C).</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!;
        kill.WaitForExit(5000);
    }

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
