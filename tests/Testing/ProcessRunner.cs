using System.ComponentModel;
using System.Diagnostics;

namespace Bridge.Testing;

/// <summary>Runs a program to its end (a build, a stub generator, a probe) and returns its exit code and output.</summary>
public static class ProcessRunner
{
    /// <summary>
    /// Runs <paramref name="program"/>; the output is stdout followed by stderr. A program that cannot be
    /// started (not installed) gives exit code -1 and the reason, so callers can name what to install.
    /// </summary>
    /// <exception cref="TimeoutException">The program ran longer than <paramref name="timeout"/>.</exception>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string program,
        IEnumerable<string> arguments,
        TimeSpan timeout,
        IReadOnlyDictionary<string, string>? environment = null,
        string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(info)!;
        }
        catch (Win32Exception e)
        {
            return (-1, $"{program}: {e.Message}");
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(timeout);
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
