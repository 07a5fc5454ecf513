using System.Text.Json;

namespace Bridge.Server.Tests.Interop;

/// <summary>
/// The Go clients users copy (examples/clients/go: subscriber, publisher, gen.sh) against the real bridge: the
/// code is generated from the repository's protos by the example's own gen.sh and built in GOPATH mode against
/// Debian's grpc-go, so nothing is downloaded.
/// </summary>
[Collection(BridgeInteropCollection.Name)]
public sealed class GoExampleClientsTests(BridgeInteropFixture bridge)
{
    private const string Module = "github.com/flagger-bridge/bridge/examples/clients/go";

    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>The directory of the built subscriber and publisher (built once for all tests).</summary>
    internal static Lazy<Task<string>> Built { get; } = new(BuildAsync);

    [Fact]
    public async Task PublisherAndSubscriber_ThreeEvents_PrintedInOrderThenAckedSoASecondRunGetsOnlyNewOnes()
    {
        string bin = await Built.Value;
        string ns = InteropEvents.UniqueNamespace();
        string subscription = InteropEvents.UniqueSubscription("go");

        // One Kafka key keeps the events in one partition, so they must arrive in the order they were published.
        using (var publisher = Start(bin, "publisher", "--type", "com.example.examples.go", "--source", "/examples/go",
            "--subject", $"{ns}/app", "--attr", $"namespace={ns}", "--attr", $"partitionkey={ns}/app", "--id", "go", "--data", "{\"n\": 3}", "--count", "3"))
        {
            Assert.True(await publisher.WaitForExitAsync(Timeout) == 0, publisher.Transcript);
            Assert.Equal(3, publisher.Output.Count(line => line.StartsWith("accepted go-", StringComparison.Ordinal)));
        }

        using (var subscriber = Start(bin, "subscriber", "--subscription", subscription, "--namespace", ns, "--start", "earliest",
            "--output", "json", "--count", "3"))
        {
            Assert.True(await subscriber.WaitForExitAsync(Timeout) == 0, subscriber.Transcript);
            var events = subscriber.Output.Select(line => JsonDocument.Parse(line).RootElement).ToList();
            Assert.Equal(["go-1", "go-2", "go-3"], events.Select(e => e.GetProperty("id").GetString()));
            Assert.All(events, e =>
            {
                Assert.Equal("com.example.examples.go", e.GetProperty("type").GetString());
                Assert.Equal("/examples/go", e.GetProperty("source").GetString());
                Assert.Equal($"{ns}/app", e.GetProperty("subject").GetString());
                Assert.Equal(ns, e.GetProperty("namespace").GetString());
                Assert.Equal(3, e.GetProperty("data").GetProperty("n").GetInt32());
                Assert.Equal(1, e.GetProperty("_delivery").GetProperty("attempt").GetInt32());
                Assert.Equal($"{ns}/app", e.GetProperty("_delivery").GetProperty("key").GetString());
                Assert.EndsWith("Z", e.GetProperty("time").GetString(), StringComparison.Ordinal);
            });
        }

        // Had the first run not acked, the second would start again at go-1; it must see only the new event.
        using (var publisher = Start(bin, "publisher", "--type", "com.example.examples.go", "--source", "/examples/go",
            "--subject", $"{ns}/app", "--attr", $"namespace={ns}", "--attr", $"partitionkey={ns}/app", "--id", "go-4", "--data", "{\"n\": 4}"))
        {
            Assert.True(await publisher.WaitForExitAsync(Timeout) == 0, publisher.Transcript);
        }

        using var again = Start(bin, "subscriber", "--subscription", subscription, "--namespace", ns, "--count", "1");
        Assert.True(await again.WaitForExitAsync(Timeout) == 0, again.Transcript);
        Assert.Equal(2, again.Output.Count);
        Assert.Matches(@"^\S+Z  com\.example\.examples\.go  " + ns + @"/app  \[-\]  \(partition \d+ @ \d+, attempt 1\)$", again.Output[0]);
        Assert.Equal("    {\"n\":4}", again.Output[1]);
    }

    [Fact]
    public async Task Subscriber_CtrlC_SendsPendingAcksAndStopsCleanly()
    {
        string bin = await Built.Value;
        string ns = InteropEvents.UniqueNamespace();
        string subscription = InteropEvents.UniqueSubscription("go-ctrl-c");
        await PublishAsync(bin, ns, "go-ctrl-c", 2);

        // Acks wait for a full batch or a minute, so only the stop can have sent them.
        using (var subscriber = Start(bin, "subscriber", "--subscription", subscription, "--namespace", ns, "--start", "earliest",
            "--output", "json", "--ack-batch", "100", "--ack-interval", "60s"))
        {
            await subscriber.WaitForLineAsync(line => line.Contains("\"go-ctrl-c-2\"", StringComparison.Ordinal), Timeout);
            subscriber.Signal(2);
            Assert.True(await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(15)) == 0, subscriber.Transcript);
            Assert.DoesNotContain("while stopping", subscriber.Transcript, StringComparison.Ordinal);
        }

        await PublishAsync(bin, ns, "go-ctrl-c-3", 1);
        using var again = Start(bin, "subscriber", "--subscription", subscription, "--namespace", ns, "--output", "json", "--count", "1");
        Assert.True(await again.WaitForExitAsync(Timeout) == 0, again.Transcript);
        Assert.Equal("go-ctrl-c-3", JsonDocument.Parse(Assert.Single(again.Output)).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Publisher_InvalidSource_PrintsRejectedAndExitsOne()
    {
        string bin = await Built.Value;

        using var publisher = Start(bin, "publisher", "--type", "com.example.examples.go", "--source", "not a uri reference",
            "--id", "bad-source", "--data", "{}");

        Assert.Equal(1, await publisher.WaitForExitAsync(Timeout));
        var line = Assert.Single(publisher.Output);
        Assert.StartsWith("rejected bad-source: INVALID_ARGUMENT: ", line, StringComparison.Ordinal);
        Assert.Contains("source", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriber_BridgeRefusesTheOpen_ExitsOneNamingTheStatus()
    {
        string bin = await Built.Value;

        using var subscriber = Start(bin, "subscriber", "--subscription", InteropEvents.UniqueSubscription("go-refused"),
            "--max-in-flight", "2000000");

        Assert.Equal(1, await subscriber.WaitForExitAsync(Timeout));
        Assert.Contains("refused the subscription: INVALID_ARGUMENT: open.max_in_flight", subscriber.Transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriber_NothingListening_ReconnectsWithBackoffUntilStopped()
    {
        string bin = await Built.Value;
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        using var subscriber = Start(bin, "subscriber", "--address", $"127.0.0.1:{port}", "--subscription", "nobody-home",
            "--max-backoff", "200ms");
        await Wait.UntilAsync(() => CountOf(subscriber.Transcript, "stream ended (UNAVAILABLE") >= 3,
            "three reconnects after UNAVAILABLE", Timeout);

        subscriber.Signal(2);
        Assert.Equal(0, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Theory]
    [InlineData("--subscription", "has space", "--subscription \"has space\"")]
    [InlineData("--exact", "Bad=1", "--exact \"Bad=1\"")]
    [InlineData("--start", "yesterday", "--start \"yesterday\" is not a time")]
    public async Task Subscriber_BadArgument_ExitsTwoNamingIt(string option, string value, string expected)
    {
        string bin = await Built.Value;
        string[] arguments = option == "--subscription" ? [option, value] : ["--subscription", "fine", option, value];

        using var subscriber = Start(bin, "subscriber", arguments);
        int exitCode = await subscriber.WaitForExitAsync(Timeout);

        Assert.Contains(expected, subscriber.Transcript, StringComparison.Ordinal);
        Assert.Equal(2, exitCode);
    }

    private async Task PublishAsync(string bin, string ns, string id, int count)
    {
        using var publisher = Start(bin, "publisher", "--type", "com.example.examples.go", "--source", "/examples/go",
            "--attr", $"namespace={ns}", "--attr", $"partitionkey={ns}/app", "--id", id, "--data", "{}", "--count", count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(await publisher.WaitForExitAsync(Timeout) == 0, publisher.Transcript);
    }

    private ScriptProcess Start(string bin, string program, params string[] arguments) => StartAgainst(bridge, bin, program, new Dictionary<string, string>(), arguments);

    /// <summary>Starts the built <paramref name="program"/> against <paramref name="target"/>'s bridge.</summary>
    internal static ScriptProcess StartAgainst(BridgeInteropFixture target, string bin, string program,
        IReadOnlyDictionary<string, string> environment, params string[] arguments) =>
        new(Path.Combine(bin, program), arguments, new Dictionary<string, string>(environment) { ["BRIDGE_ADDRESS"] = target.GrpcAddress });

    private static int CountOf(string haystack, string needle)
    {
        int count = 0;
        for (int i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Generates the code with the example's gen.sh and builds both programs; fails (never skips) naming the
    /// Debian packages. The GOPATH, and with it the Go build cache, stays next to the test binaries, so a later
    /// run only rebuilds what changed.
    /// </summary>
    private static async Task<string> BuildAsync()
    {
        var root = new DirectoryInfo(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "Bridge.sln")))
        {
            root = root.Parent;
        }

        Assert.True(root is not null, "The Go example tests run from a checkout of the repository (Bridge.sln not found above the test binaries).");
        string example = Path.Combine(root.FullName, "examples", "clients", "go");
        string gopath = Path.Combine(AppContext.BaseDirectory, "go-example");
        string module = Path.Combine(gopath, "src", Module);
        string bin = Path.Combine(gopath, "bin");
        if (Directory.Exists(module))
        {
            Directory.Delete(module, recursive: true);
        }

        // GOPATH mode wants the module's packages under src/<import path>; gen/ is generated anew below.
        foreach (string file in Directory.EnumerateFiles(example, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(example, file);
            if (relative.StartsWith("gen" + Path.DirectorySeparatorChar, StringComparison.Ordinal) || !(relative.EndsWith(".go", StringComparison.Ordinal) || relative == "gen.sh"))
            {
                continue;
            }

            string target = Path.Combine(module, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        var (code, output) = await ProcessRunner.RunAsync("/bin/sh", [Path.Combine(module, "gen.sh"), module], TimeSpan.FromMinutes(2),
            new Dictionary<string, string> { ["PROTOS"] = Path.Combine(root.FullName, "protos") });
        Assert.True(code == 0,
            "Generating the Go example's code with gen.sh failed; it needs the Debian packages protoc-gen-go, protoc-gen-go-grpc and " +
            "python3-grpc-tools (or protobuf-compiler): " + output);

        var environment = new Dictionary<string, string>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = gopath + ":/usr/share/gocode",
            ["GOCACHE"] = Path.Combine(gopath, "cache"),
            ["GOFLAGS"] = string.Empty,
        };
        (code, output) = await ProcessRunner.RunAsync("go", ["build", "-o", bin + Path.DirectorySeparatorChar, "./subscriber", "./publisher"],
            TimeSpan.FromMinutes(5), environment, module);
        Assert.True(code == 0,
            "Building the Go example failed; it needs the Debian packages golang-go, golang-google-grpc-dev and golang-google-protobuf-dev " +
            "(apt-get install -y golang-go golang-google-grpc-dev golang-google-protobuf-dev): " + output);
        return bin;
    }
}

/// <summary>The Go example clients against a bridge with tokens: the token read from $BRIDGE_TOKEN_FILE.</summary>
public sealed class GoExampleClientsTokenTests(SecuredBridgeInteropFixture bridge) : IClassFixture<SecuredBridgeInteropFixture>, IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private readonly string _tokenFile = Path.GetTempFileName();

    [Fact]
    public async Task TokenFromFile_LimitedToANamespace_PublishesAndReceivesOnlyThat()
    {
        string bin = await GoExampleClientsTests.Built.Value;
        await File.WriteAllTextAsync(_tokenFile, SecuredBridgeInteropFixture.TeamToken + "\n");
        var withToken = new Dictionary<string, string> { ["BRIDGE_TOKEN_FILE"] = _tokenFile };
        string id = "go-token-" + Guid.NewGuid().ToString("N")[..8];

        using (var own = GoExampleClientsTests.StartAgainst(bridge, bin, "publisher", withToken, "--type", "com.example.examples.go",
            "--source", "/examples/go", "--attr", $"namespace={SecuredBridgeInteropFixture.TeamNamespace}", "--id", id, "--data", "{}"))
        {
            Assert.True(await own.WaitForExitAsync(Timeout) == 0, own.Transcript);
        }

        using (var other = GoExampleClientsTests.StartAgainst(bridge, bin, "publisher", withToken, "--type", "com.example.examples.go",
            "--source", "/examples/go", "--attr", "namespace=team-b", "--id", "go-other", "--data", "{}"))
        {
            Assert.Equal(1, await other.WaitForExitAsync(Timeout));
            Assert.StartsWith("rejected go-other: PERMISSION_DENIED: ", Assert.Single(other.Output), StringComparison.Ordinal);
        }

        using (var anonymous = GoExampleClientsTests.StartAgainst(bridge, bin, "subscriber", new Dictionary<string, string>(),
            "--subscription", InteropEvents.UniqueSubscription("go-anonymous")))
        {
            Assert.Equal(1, await anonymous.WaitForExitAsync(Timeout));
            Assert.Contains("refused the subscription: UNAUTHENTICATED", anonymous.Transcript, StringComparison.Ordinal);
        }

        using var subscriber = GoExampleClientsTests.StartAgainst(bridge, bin, "subscriber", withToken,
            "--subscription", InteropEvents.UniqueSubscription("go-token"), "--exact", $"id={id}", "--start", "earliest",
            "--output", "json", "--count", "1");
        Assert.True(await subscriber.WaitForExitAsync(Timeout) == 0, subscriber.Transcript);
        Assert.Equal(id, JsonDocument.Parse(Assert.Single(subscriber.Output)).RootElement.GetProperty("id").GetString());
    }

    public void Dispose() => File.Delete(_tokenFile);
}
