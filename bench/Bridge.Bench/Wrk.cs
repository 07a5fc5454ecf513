using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridge.Bench;

/// <summary>Runs wrk (Debian package `wrk`) as a separate process, so load generation does not share the bridge's process.</summary>
internal static partial class Wrk
{
    internal sealed record Result(double RequestsPerSecond, long Requests, long Non2xx, long SocketErrors, IReadOnlyDictionary<int, double> LatencyMillis, string Raw);

    /// <summary>wrk's Lua script posting Flagger event payloads, a different canary and timestamp per request.</summary>
    public static string WriteFlaggerScript()
    {
        var path = Path.Combine(Path.GetTempPath(), $"bridge-bench-{Environment.ProcessId}.lua");
        File.WriteAllText(path, """
            wrk.method = "POST"
            wrk.headers["Content-Type"] = "application/json"
            local counter = 0
            local thread_seed = math.random(1, 1000000)
            request = function()
              counter = counter + 1
              local canary = (counter + thread_seed) % 64
              local body = string.format('{"name":"podinfo-%d","namespace":"bench","phase":"Progressing","checksum":"85d557f47b","metadata":{"cluster":"bench","eventMessage":"Advance podinfo-%d.bench canary weight 10","eventType":"Normal","timestamp":"%d"}}', canary, canary, 1736500000000 + thread_seed * 1000000 + counter)
              return wrk.format(nil, nil, nil, body)
            end
            """);
        return path;
    }

    public static async Task<Result> RunAsync(Uri url, string script, int threads, int connections, TimeSpan duration)
    {
        var psi = new ProcessStartInfo("wrk")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[]
                 {
                     $"-t{threads}", $"-c{connections}", string.Create(CultureInfo.InvariantCulture, $"-d{(int)duration.TotalSeconds}s"),
                     "--latency", "-s", script, url.ToString(),
                 })
        {
            psi.ArgumentList.Add(arg);
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start wrk (install the Debian package 'wrk')");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var text = await stdout;
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"wrk exited with {process.ExitCode}: {await stderr}{text}");
        }

        return Parse(text);
    }

    internal static Result Parse(string text)
    {
        var rps = double.Parse(RequestsPerSecond().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var requests = long.Parse(RequestsTotal().Match(text).Groups[1].Value, CultureInfo.InvariantCulture);
        var non2xx = NonSuccess().Match(text) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        long socketErrors = 0;
        if (SocketErrors().Match(text) is { Success: true } s)
        {
            for (var g = 1; g <= 4; g++)
            {
                socketErrors += long.Parse(s.Groups[g].Value, CultureInfo.InvariantCulture);
            }
        }

        var latencies = new Dictionary<int, double>();
        foreach (Match line in LatencyLine().Matches(text))
        {
            var value = double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture);
            value *= line.Groups[3].Value switch { "us" => 0.001, "ms" => 1, "s" => 1000, _ => 60_000 };
            latencies[int.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture)] = value;
        }

        return new Result(rps, requests, non2xx, socketErrors, latencies, text);
    }

    [GeneratedRegex(@"Requests/sec:\s+([0-9.]+)")]
    private static partial Regex RequestsPerSecond();

    [GeneratedRegex(@"([0-9]+) requests in")]
    private static partial Regex RequestsTotal();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s+([0-9]+)")]
    private static partial Regex NonSuccess();

    [GeneratedRegex(@"Socket errors: connect ([0-9]+), read ([0-9]+), write ([0-9]+), timeout ([0-9]+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"^\s+(50|75|90|99)%\s+([0-9.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline)]
    private static partial Regex LatencyLine();
}
