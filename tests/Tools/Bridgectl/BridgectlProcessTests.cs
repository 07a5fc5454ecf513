using System.Text;
using System.Text.Json.Nodes;
using Bridge.CloudEvents;
using Xunit.Abstractions;

namespace Bridge.Ctl.Tests;

/// <summary>The built bridgectl run as a process against a real bridge, as an operator or an exec probe runs it.</summary>
public sealed class BridgectlProcessTests(BridgeProcess bridge, ITestOutputHelper output) : IClassFixture<BridgeProcess>
{
    private static readonly TimeSpan DeliveryTimeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Health_ServingBridge_ExitsZeroAndPrintsBothStatuses()
    {
        // Health is NOT_SERVING until the bridge's first Kafka check; the probe's exit code follows it.
        (int ExitCode, string Stdout, string Stderr) result = default;
        DateTime deadline = DateTime.UtcNow + DeliveryTimeout;
        do
        {
            result = await BridgeProcess.RunCtlAsync(["health"], bridge.Environment());
        }
        while (result.ExitCode != 0 && DateTime.UtcNow < deadline);

        Assert.True(result.ExitCode == 0, $"exit {result.ExitCode}: {result.Stdout} {result.Stderr}\n{bridge.Transcript}");
        Assert.Matches(@"(?m)^overall\s+SERVING$", result.Stdout);
        Assert.Matches(@"(?m)^bridge\.v1\.EventBridge\s+SERVING$", result.Stdout);
        Assert.Equal(string.Empty, result.Stderr);
    }

    [Fact]
    public async Task Health_NobodyListening_ExitsOneWithOneLine()
    {
        string address = $"http://127.0.0.1:{BridgeProcess.FreePort()}";
        var (exitCode, stdout, stderr) = await BridgeProcess.RunCtlAsync(["health", "--address", address, "--timeout", "3"]);

        Assert.Equal(1, exitCode);
        Assert.DoesNotContain("SERVING", stdout, StringComparison.Ordinal);
        string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("bridgectl: cannot check health: the bridge at " + address, line, StringComparison.Ordinal);
        Assert.Contains("unavailable", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishThenTail_JsonLines_TailSeesOnlyTheFilteredType()
    {
        string wanted = "app.test.ctl.json." + Guid.NewGuid().ToString("N");
        using ScriptProcess tail = bridge.StartCtl(["tail", "--type", wanted, "--count", "1"]);
        var published = await PublishUntilSeenAsync(tail, round =>
        [
            Event($"other-{round}", "app.test.ctl.other", "info"),
            Event($"wanted-{round}", wanted, "info"),
        ]);

        Assert.Equal(0, await tail.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        string line = Assert.Single(tail.Output);
        CloudEvent received = JsonEventFormat.Decode(Encoding.UTF8.GetBytes(line));
        Assert.Equal(wanted, received.Type);
        Assert.Contains(received.Id, published);
        Assert.Equal("test-ctl", received["namespace"]);
        Assert.Equal("test-ctl/podinfo", received.Subject);
    }

    [Fact]
    public async Task PublishThenTail_TextLines_SeverityAndNamespaceFilter()
    {
        string type = "app.test.ctl.text." + Guid.NewGuid().ToString("N");
        using ScriptProcess tail = bridge.StartCtl(["tail", "--type", type, "--severity", "warn", "--namespace", "test-ctl", "--output", "text", "--count", "1"]);
        await PublishUntilSeenAsync(tail, round =>
        [
            Event($"info-{round}", type, "info"),
            Event($"error-{round}", type, "error", "Rolling back podinfo.test-ctl failed checks threshold reached 5"),
        ]);

        Assert.Equal(0, await tail.WaitForExitAsync(TimeSpan.FromSeconds(10)));
        string line = Assert.Single(tail.Output);
        Assert.Matches($@"^\d{{4}}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{{3}}Z error test-ctl/podinfo {type} Rolling back podinfo\.test-ctl failed checks threshold reached 5$", line);
    }

    [Fact]
    public async Task Tail_Interrupted_ExitsZero()
    {
        using ScriptProcess tail = bridge.StartCtl(["tail"]);
        await Wait.UntilAsync(() => tail.Transcript.Contains("bridgectl: watching", StringComparison.Ordinal) || tail.HasExited,
            "the tail watches", DeliveryTimeout);
        Assert.False(tail.HasExited, tail.Transcript);

        // SIGINT, as Ctrl-C sends; but a process started with SIGINT ignored (a test run in a background job) passes
        // the ignore on, and .NET then keeps it ignored, like any program started in the background. SIGTERM is the
        // same stop for bridgectl.
        tail.Signal(SigIntIgnored() ? 15 : 2);

        // Generous: with every test project running at once a process may need seconds to wind down; one that
        // ignored the signal would never exit.
        Assert.Equal(0, await tail.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Empty(tail.Output);
    }

    /// <summary>Whether this process ignores SIGINT (bit 2 of <c>SigIgn</c> in /proc/self/status), which children inherit.</summary>
    private static bool SigIntIgnored()
    {
        string? line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null
            && ulong.TryParse(line["SigIgn:".Length..].Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture, out ulong mask)
            && (mask & (1UL << 1)) != 0;
    }

    [Fact]
    public async Task Publish_PrintsTheAcceptedIds()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bridgectl-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, new JsonArray(Event("a-" + Guid.NewGuid().ToString("N"), "app.test.ctl.file", "info"),
            Event("b-" + Guid.NewGuid().ToString("N"), "app.test.ctl.file", "info")).ToJsonString());
        try
        {
            var (exitCode, stdout, stderr) = await BridgeProcess.RunCtlAsync(["publish", path], bridge.Environment());
            Assert.True(exitCode == 0, stderr);
            string[] ids = stdout.TrimEnd('\n').Split('\n');
            Assert.Equal(2, ids.Length);
            Assert.StartsWith("a-", ids[0], StringComparison.Ordinal);
            Assert.StartsWith("b-", ids[1], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Publish_WithoutToken_ExitsOneNamingTheToken()
    {
        var (exitCode, stdout, stderr) = await BridgeProcess.RunCtlAsync(["publish", "-", "--address", bridge.GrpcAddress.ToString()],
            stdin: Event("no-token", "app.test.ctl.token", "info").ToJsonString());

        Assert.Equal(1, exitCode);
        Assert.Empty(stdout);
        Assert.Contains("refused the token", stderr, StringComparison.Ordinal);
        Assert.Contains("BRIDGE_TOKEN", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_MalformedFile_NamesTheProblemAndLine_NothingSent()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bridgectl-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, "[\n  {\"specversion\": \"1.0\", \"id\": \"x\", \"source\": \"/s\", \"type\": \"t\"},\n  {\"specversion\": \"1.0\", \"id\": 7}\n]\n");
        try
        {
            var (exitCode, stdout, stderr) = await BridgeProcess.RunCtlAsync(["publish", path], bridge.Environment());

            Assert.Equal(2, exitCode);
            Assert.Empty(stdout);
            string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
            Assert.Contains(path, line, StringComparison.Ordinal);
            Assert.Contains("Batch element 1", line, StringComparison.Ordinal);
            Assert.Contains("'id'", line, StringComparison.Ordinal);
            Assert.Contains("line 3", line, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task Publish_InvalidJsonSyntax_NamesTheLine()
    {
        var (exitCode, _, stderr) = await BridgeProcess.RunCtlAsync(["publish", "-"], bridge.Environment(), stdin: "{\n  \"id\": \"x\",\n  \"source\" \"/s\"\n}");

        Assert.Equal(2, exitCode);
        Assert.Contains("stdin is not a valid CloudEvent", stderr, StringComparison.Ordinal);
        Assert.Contains("line 3", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("health --bogus", "unknown option '--bogus' for 'bridgectl health'")]
    [InlineData("tail --count", "option '--count' of 'bridgectl tail' needs a value")]
    [InlineData("tail --count zero", "invalid --count 'zero'")]
    [InlineData("tail --output yaml", "invalid --output 'yaml': expected json or text")]
    [InlineData("publish", "'bridgectl publish' needs a FILE")]
    [InlineData("publish /nonexistent/events.json", "cannot read '/nonexistent/events.json'")]
    [InlineData("frobnicate", "unknown command 'frobnicate'")]
    [InlineData("health --address not-a-uri", "invalid address 'not-a-uri' (--address)")]
    [InlineData("tail --address ftp://bridge:8081", "invalid address 'ftp://bridge:8081' (--address)")]
    [InlineData("health --token-file /nonexistent/token", "cannot read the token file '/nonexistent/token'")]
    public async Task BadArguments_ExitTwoWithOneLine(string arguments, string message)
    {
        var (exitCode, stdout, stderr) = await BridgeProcess.RunCtlAsync(arguments.Split(' '));

        Assert.Equal(2, exitCode);
        Assert.Empty(stdout);
        string line = Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith("bridgectl: ", line, StringComparison.Ordinal);
        Assert.Contains(message, line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BadAddressFromEnvironment_NamesTheVariable()
    {
        var (exitCode, _, stderr) = await BridgeProcess.RunCtlAsync(["health"], new Dictionary<string, string> { ["BRIDGE_ADDRESS"] = "bridge:8081" });

        Assert.Equal(2, exitCode);
        Assert.Contains("invalid address 'bridge:8081' (BRIDGE_ADDRESS)", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("health")]
    [InlineData("tail")]
    [InlineData("publish")]
    [InlineData("version")]
    public async Task Help_EveryCommand_PrintsItsUsage(string command)
    {
        var (exitCode, stdout, stderr) = await BridgeProcess.RunCtlAsync([command, "--help"]);

        Assert.Equal(0, exitCode);
        Assert.StartsWith($"Usage: bridgectl {command}", stdout, StringComparison.Ordinal);
        Assert.Empty(stderr);
    }

    [Fact]
    public async Task Version_PrintsTheVersion()
    {
        var (exitCode, stdout, _) = await BridgeProcess.RunCtlAsync(["version"]);

        Assert.Equal(0, exitCode);
        Assert.Matches(@"^bridgectl \d+\.\d+\.\d+", stdout);
    }

    /// <summary>
    /// Watch starts at the latest offsets once the bridge has assigned the partitions, which the client cannot
    /// observe; so each round publishes a fresh batch until the tail prints, and the test asserts on what it printed.
    /// </summary>
    private async Task<List<string>> PublishUntilSeenAsync(ScriptProcess tail, Func<int, JsonObject[]> batch)
    {
        var published = new List<string>();
        DateTime deadline = DateTime.UtcNow + DeliveryTimeout;
        for (int round = 0; tail.Output.Count == 0; round++)
        {
            Assert.True(DateTime.UtcNow < deadline, "tail printed nothing\n" + tail.Transcript + "\n" + bridge.Transcript);
            JsonObject[] events = batch(round);
            var (exitCode, stdout, stderr) = await BridgeProcess.RunCtlAsync(["publish", "-"], bridge.Environment(),
                stdin: new JsonArray(events).ToJsonString());
            Assert.True(exitCode == 0, $"publish: {stderr}");
            published.AddRange(stdout.TrimEnd('\n').Split('\n'));
            output.WriteLine($"round {round}: published {events.Length}");
            try
            {
                await Wait.UntilAsync(() => tail.Output.Count > 0 || tail.HasExited, "the tail prints", TimeSpan.FromSeconds(1));
            }
            catch (TimeoutException)
            {
                // The next round publishes again.
            }

            Assert.False(tail.HasExited && tail.Output.Count == 0, "tail ended early\n" + tail.Transcript);
        }

        return published;
    }

    private static JsonObject Event(string id, string type, string severity, string? message = null) => new()
    {
        ["specversion"] = "1.0",
        ["id"] = id,
        ["source"] = "/bridgectl/tests",
        ["type"] = type,
        ["subject"] = "test-ctl/podinfo",
        ["time"] = DateTimeOffset.UtcNow.ToString("O"),
        ["namespace"] = "test-ctl",
        ["partitionkey"] = "test-ctl/podinfo",
        ["severity"] = severity,
        ["datacontenttype"] = "application/json",
        ["data"] = new JsonObject
        {
            ["name"] = "podinfo",
            ["namespace"] = "test-ctl",
            ["metadata"] = new JsonObject { ["eventMessage"] = message ?? "hello" },
        },
    };
}
