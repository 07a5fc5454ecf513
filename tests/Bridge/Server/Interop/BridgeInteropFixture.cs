using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using Bridge.Server.GrpcApi;
using Bridge.Server.Hosting;
using Bridge.Server.Tests.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Interop;

/// <summary>Every interop test class shares one bridge host and one set of generated Python stubs.</summary>
[CollectionDefinition(Name)]
public sealed class BridgeInteropCollection : ICollectionFixture<BridgeInteropFixture>
{
    public const string Name = "Bridge interop";
}

/// <summary>
/// The real bridge host (HTTP ingress and gRPC on 127.0.0.1 with ports chosen by the system, its own embedded
/// Kafka cluster) and Debian's grpcio (importable only from /usr/bin/python3) as an independent gRPC peer.
/// The stubs are generated at start by the example clients' gen.sh from the repository's protos. When
/// Python gRPC is missing, every test fails with a message naming the Debian packages; none is skipped.
/// </summary>
public class BridgeInteropFixture : IAsyncLifetime
{
    public const string Python = "/usr/bin/python3";

    private const string MissingMessage =
        "The interop tests need " + Python + " with grpcio and grpc_tools. Install the Debian packages " +
        "python3-grpcio and python3-grpc-tools (apt-get install -y python3-grpcio python3-grpc-tools).";

    private static readonly TimeSpan RunTimeout = TimeSpan.FromSeconds(60);

    private string? _problem;
    private BridgeTestServer? _server;

    /// <summary>Directory of bridge_peer.py (copied next to the test assembly).</summary>
    public static string ScriptDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "Interop");

    /// <summary>The example clients (examples/clients/python), copied with the tests.</summary>
    public static string ClientDirectory { get; } = Path.Combine(ScriptDirectory, "clients");

    public static string ProtoDirectory { get; } = Path.Combine(ScriptDirectory, "protos");

    public string StubDirectory { get; } = Directory.CreateTempSubdirectory("bridge-interop-").FullName;

    /// <summary>host:port of the bridge's gRPC endpoint, as grpc.insecure_channel takes it.</summary>
    public string GrpcAddress { get; private set; } = string.Empty;

    /// <summary>A client of the bridge's HTTP ingress.</summary>
    public HttpClient Ingress => Server.Client;

    internal BridgeTestServer Server => _server ?? throw new InvalidOperationException("The bridge host did not start.");

    public async Task InitializeAsync()
    {
        _problem = await PrepareStubsAsync();
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Grpc:Port"] = "0",
            ["Grpc:BindAddress"] = "127.0.0.1",
            ["Kafka:Topic"] = "interop-events",
            ["Kafka:EmbeddedBrokers"] = "1",
            ["Subscriptions:CommitInterval"] = "00:00:00.050",
            ["Subscriptions:SessionTimeout"] = "00:00:03",
            ["Subscriptions:HeartbeatInterval"] = "00:00:00.200",
            ["Subscriptions:HealthCheckInterval"] = "00:00:01",
        };
        foreach (var (key, value) in Settings())
        {
            settings[key] = value;
        }

        _server = await BridgeTestServer.StartAsync(settings);
        var address = Server.Services.GetRequiredService<BridgeEndpoints>().GetAddress(GrpcKestrelSetup.EndpointName);
        GrpcAddress = $"{address.Host}:{address.Port}";
    }

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        Directory.Delete(StubDirectory, recursive: true);
    }

    /// <summary>Settings of this fixture's host on top of the defaults above.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings() => [];

    /// <summary>Fails the test (never skips it) when Python gRPC is unusable.</summary>
    public void EnsurePython()
    {
        if (_problem is not null)
        {
            Assert.Fail(_problem);
        }
    }

    /// <summary>Runs bridge_peer.py with <paramref name="arguments"/> to its end and parses what it printed.</summary>
    internal async Task<PeerRun> PeerAsync(params string[] arguments)
    {
        using var process = StartPeer(arguments);
        int exitCode = await process.WaitForExitAsync(RunTimeout);
        Assert.True(exitCode == 0, $"bridge_peer.py exited with {exitCode}.\n{process.Transcript}");
        var run = new PeerRun(process.Output, process.Transcript);
        Assert.DoesNotContain(run.Lines, line => line.StartsWith("FAIL", StringComparison.Ordinal));
        return run;
    }

    /// <summary>Starts bridge_peer.py with <paramref name="arguments"/> (the address is added).</summary>
    internal ScriptProcess StartPeer(params string[] arguments)
    {
        EnsurePython();
        return new ScriptProcess(Python,
            [Path.Combine(ScriptDirectory, "bridge_peer.py"), StubDirectory, ClientDirectory, arguments[0], "--address", GrpcAddress, .. arguments[1..]]);
    }

    /// <summary>Starts one of the example clients (subscriber.py, publisher.py) against the bridge.</summary>
    internal ScriptProcess StartExample(string script, params string[] arguments) =>
        StartExample(script, new Dictionary<string, string>(), arguments);

    /// <summary>Starts one of the example clients with extra environment variables.</summary>
    internal ScriptProcess StartExample(string script, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        EnsurePython();
        var variables = new Dictionary<string, string>(environment) { ["BRIDGE_STUBS"] = StubDirectory, ["BRIDGE_ADDRESS"] = GrpcAddress };
        return new ScriptProcess(Python, [Path.Combine(ClientDirectory, script), .. arguments], variables);
    }

    /// <summary>POSTs a Flagger event webhook payload to the ingress and checks it was accepted (202).</summary>
    public async Task PostFlaggerEventAsync(string payload)
    {
        using var content = new StringContent(payload, Encoding.UTF8, new MediaTypeHeaderValue("application/json"));
        using var response = await Ingress.PostAsync(new Uri("/v1/flagger/events", UriKind.Relative), content);
        string body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == 202, $"The ingress answered {(int)response.StatusCode}: {body}");
    }

    private async Task<string?> PrepareStubsAsync()
    {
        if (!File.Exists(Python))
        {
            return MissingMessage + " (" + Python + " does not exist)";
        }

        var check = await ProcessRunner.RunAsync(Python, ["-c", "import grpc, grpc_tools"], RunTimeout);
        if (check.ExitCode != 0)
        {
            return MissingMessage + " Importing them failed: " + check.Output;
        }

        var gen = await ProcessRunner.RunAsync("/bin/sh", [Path.Combine(ClientDirectory, "gen.sh"), StubDirectory], RunTimeout,
            new Dictionary<string, string> { ["PROTOS"] = ProtoDirectory, ["PYTHON"] = Python });
        return gen.ExitCode == 0 ? null : "Generating the Python stubs with gen.sh failed: " + gen.Output;
    }
}
