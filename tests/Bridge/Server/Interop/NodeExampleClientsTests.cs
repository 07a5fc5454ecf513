using System.Text.Json;

namespace Bridge.Server.Tests.Interop;

/// <summary>
/// The Node.js clients users copy (examples/clients/node, @grpc/grpc-js) against the real bridge: a second
/// gRPC implementation besides grpcio, installed with `npm ci` from the committed lock file.
/// </summary>
[Collection(BridgeInteropCollection.Name)]
public sealed class NodeExampleClientsTests(BridgeInteropFixture bridge)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>examples/clients/node with its locked dependencies installed (once for all tests).</summary>
    internal static Lazy<Task<string>> Installed { get; } = new(InstallAsync);

    [Fact]
    public async Task PublisherAndSubscriber_TwoEvents_PublishedThenPrintedAsJson()
    {
        string directory = await Installed.Value;
        string ns = InteropEvents.UniqueNamespace();

        using var publisher = Start(directory, "publisher.js", "--type", "com.example.examples.node", "--source", "/examples/node",
            "--subject", $"{ns}/app", "--attr", $"namespace={ns}", "--id", "node", "--data", "{\"n\": 2}", "--count", "2");
        Assert.True(await publisher.WaitForExitAsync(Timeout) == 0, publisher.Transcript);
        Assert.Equal(2, publisher.Output.Count(line => line.StartsWith("accepted node-", StringComparison.Ordinal)));

        using var subscriber = Start(directory, "subscriber.js", "--subscription", InteropEvents.UniqueSubscription("node"),
            "--namespace", ns, "--start", "earliest", "--output", "json", "--count", "2");
        Assert.True(await subscriber.WaitForExitAsync(Timeout) == 0, subscriber.Transcript);

        var events = subscriber.Output.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(["node-1", "node-2"], events.Select(e => e.GetProperty("id").GetString()));
        Assert.All(events, e =>
        {
            Assert.Equal("com.example.examples.node", e.GetProperty("type").GetString());
            Assert.Equal($"{ns}/app", e.GetProperty("subject").GetString());
            Assert.Equal(2, e.GetProperty("data").GetProperty("n").GetInt32());
            Assert.Equal(1, e.GetProperty("_delivery").GetProperty("attempt").GetInt32());
        });
    }

    [Fact]
    public async Task Publisher_InvalidSource_PrintsRejectedAndExitsOne()
    {
        string directory = await Installed.Value;

        using var publisher = Start(directory, "publisher.js", "--type", "com.example.examples.node", "--source", "not a uri reference",
            "--id", "bad-source", "--data", "{}");

        Assert.Equal(1, await publisher.WaitForExitAsync(Timeout));
        var line = Assert.Single(publisher.Output);
        Assert.StartsWith("rejected bad-source: ", line, StringComparison.Ordinal);
        Assert.Contains("source", line, StringComparison.Ordinal);
    }

    private ScriptProcess Start(string directory, string script, params string[] arguments) =>
        new("node", [Path.Combine(directory, script), .. arguments], new Dictionary<string, string> { ["BRIDGE_ADDRESS"] = bridge.GrpcAddress });

    /// <summary>Installs the example's locked dependencies once; fails (never skips) naming what is missing.</summary>
    private static async Task<string> InstallAsync()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Bridge.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, "The Node example tests run from a checkout of the repository (Bridge.sln not found above the test binaries).");
        string directory = Path.Combine(root.FullName, "examples", "clients", "node");
        var (code, output) = await ProcessRunner.RunAsync("node", ["--version"], TimeSpan.FromMinutes(3), workingDirectory: directory);
        Assert.True(code == 0, "The Node example tests need Node.js 18 or later on PATH (Debian packages nodejs and npm): " + output);
        (code, output) = await ProcessRunner.RunAsync("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"], TimeSpan.FromMinutes(3), workingDirectory: directory);
        Assert.True(code == 0, "npm ci in examples/clients/node failed: " + output);
        return directory;
    }
}
