using System.Net;
using System.Net.Sockets;
using Xunit.Abstractions;

namespace Bridge.Ctl.Tests;

/// <summary>
/// A bridge as deployed (Bridge.Server.dll with its embedded Kafka, a token required) in a process of its own, and
/// bridgectl.dll run against it as a process, the way an operator or a probe runs it.
/// </summary>
public sealed class BridgeProcess : IAsyncLifetime
{
    public const string Token = "bridgectl-test-token-0123456789abcdef";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private ScriptProcess _bridge = null!;

    public Uri GrpcAddress { get; private set; } = null!;

    public static string Binaries => AppContext.BaseDirectory;

    public Task InitializeAsync() => StartAsync(["--Spool:Enabled=false"]);

    /// <summary>Starts a bridge of its own with <paramref name="settings"/> (command-line configuration) added.</summary>
    public static async Task<BridgeProcess> StartAsync(IEnumerable<string> settings, ITestOutputHelper? output = null)
    {
        var bridge = new BridgeProcess();
        await bridge.StartAsync(settings);
        output?.WriteLine($"bridge at {bridge.GrpcAddress}");
        return bridge;
    }

    private async Task StartAsync(IEnumerable<string> settings)
    {
        int ingress = FreePort();
        int grpc = FreePort();
        _bridge = new ScriptProcess("dotnet", [
            Path.Combine(Binaries, "Bridge.Server.dll"),
            "--contentRoot", Binaries,
            $"--Ingress:Port={ingress}",
            "--Ingress:BindAddress=127.0.0.1",
            $"--Grpc:Port={grpc}",
            "--Grpc:BindAddress=127.0.0.1",
            "--Hosting:ShutdownTimeout=00:00:05",
            "--Auth:Tokens:0:Name=operator",
            $"--Auth:Tokens:0:Token={Token}",
            .. settings,
        ], new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["Logging__Console__FormatterName"] = "simple" });
        await _bridge.WaitForLineAsync(l => l.Contains("Ingress listening on", StringComparison.Ordinal), StartTimeout);
        GrpcAddress = new Uri($"http://127.0.0.1:{grpc}");
    }

    public Task DisposeAsync()
    {
        _bridge.Dispose();
        return Task.CompletedTask;
    }

    public string Transcript => _bridge.Transcript;

    /// <summary>Stops the bridge as Kubernetes does (SIGTERM) and waits for it to end.</summary>
    public async Task StopAsync()
    {
        _bridge.Signal(15);
        await _bridge.WaitForExitAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Runs bridgectl to its end; <paramref name="environment"/> replaces the inherited BRIDGE_* variables.</summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunCtlAsync(IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string>? environment = null, string? stdin = null, TimeSpan? timeout = null)
    {
        var info = new System.Diagnostics.ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(Path.Combine(Binaries, "bridgectl.dll"));
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_NOLOGO"] = "1";
        info.Environment.Remove("BRIDGE_ADDRESS");
        info.Environment.Remove("BRIDGE_TOKEN");
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        using var process = System.Diagnostics.Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"bridgectl {string.Join(' ', arguments)} did not end; stderr: {stderr.Result}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    /// <summary>A started tail whose stdout lines can be awaited.</summary>
    public ScriptProcess StartCtl(IEnumerable<string> arguments) =>
        new("dotnet", [Path.Combine(Binaries, "bridgectl.dll"), .. arguments],
            new Dictionary<string, string> { ["DOTNET_NOLOGO"] = "1", ["BRIDGE_ADDRESS"] = GrpcAddress.ToString(), ["BRIDGE_TOKEN"] = Token });

    public Dictionary<string, string> Environment() => new() { ["BRIDGE_ADDRESS"] = GrpcAddress.ToString(), ["BRIDGE_TOKEN"] = Token };

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
