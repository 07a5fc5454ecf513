using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Bridge.Ctl.Tests;

/// <summary>bridgectl against a bridge whose Kafka does not answer: the probe fails, publishing is spooled.</summary>
public sealed class BridgectlKafkaDownTests(ITestOutputHelper output) : IAsyncLifetime
{
    private readonly string _spool = Directory.CreateTempSubdirectory("bridgectl-spool-").FullName;
    private BridgeProcess _bridge = null!;

    public async Task InitializeAsync() => _bridge = await BridgeProcess.StartAsync([
        $"--Kafka:BootstrapServers=127.0.0.1:{BridgeProcess.FreePort()}",
        "--Spool:Enabled=true",
        $"--Spool:Directory={_spool}",
    ], output);

    public async Task DisposeAsync()
    {
        await _bridge.DisposeAsync();
        Directory.Delete(_spool, recursive: true);
    }

    [Fact]
    public async Task Health_KafkaDown_ExitsOneAndPrintsNotServing()
    {
        var (exitCode, stdout, stderr) = await BridgeProcess.RunCtlAsync(["health"], _bridge.Environment());

        Assert.True(exitCode == 1, $"exit {exitCode}: {stdout} {stderr}");
        Assert.Matches(@"(?m)^overall\s+NOT_SERVING$", stdout);
        Assert.Matches(@"(?m)^bridge\.v1\.EventBridge\s+NOT_SERVING$", stdout);
        Assert.Equal($"bridgectl: the bridge at {_bridge.GrpcAddress} is not serving\n", stderr);
    }

    [Fact]
    public async Task Tail_BridgeStops_ExitsOneNamingTheBridge()
    {
        using ScriptProcess tail = _bridge.StartCtl(["tail"]);
        await Wait.UntilAsync(() => tail.Transcript.Contains("bridgectl: watching", StringComparison.Ordinal) || tail.HasExited,
            "the tail watches", TimeSpan.FromSeconds(30));
        Assert.False(tail.HasExited, tail.Transcript);

        await _bridge.StopAsync();

        Assert.Equal(1, await tail.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Contains($"bridgectl: cannot watch events: the bridge at {_bridge.GrpcAddress} is unavailable", tail.Transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_KafkaDown_PrintsTheIdAsSpooled()
    {
        var cloudEvent = new JsonObject
        {
            ["specversion"] = "1.0",
            ["id"] = "spooled-" + Guid.NewGuid().ToString("N"),
            ["source"] = "/bridgectl/tests",
            ["type"] = "app.test.ctl.spool",
            ["namespace"] = "test-ctl",
            ["severity"] = "info",
        };

        var (exitCode, stdout, stderr) = await BridgeProcess.RunCtlAsync(["publish", "-"], _bridge.Environment(), stdin: cloudEvent.ToJsonString());

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}\n{_bridge.Transcript}");
        Assert.Equal($"{cloudEvent["id"]} spooled\n", stdout);
    }
}
