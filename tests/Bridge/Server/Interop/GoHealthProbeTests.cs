
namespace Bridge.Server.Tests.Interop;

/// <summary>
/// The bridge's gRPC health service as Kubernetes probes it: a grpc-go client (Debian's
/// golang-google-grpc-dev, the library the kubelet's `grpc:` probe is built on) dialling insecure h2c
/// with the kube-probe user agent and a one-second deadline.
/// </summary>
[Collection(BridgeInteropCollection.Name)]
public sealed class GoHealthProbeTests(BridgeInteropFixture bridge)
{
    private static readonly Lazy<Task<string>> Probe = new(BuildAsync);

    [Fact]
    public async Task Check_WholeServer_ServingAndExitZero()
    {
        var (code, output) = await RunAsync(await Probe.Value, "-address", bridge.GrpcAddress);

        Assert.True(code == 0, output);
        Assert.Equal("STATUS SERVING", output.Trim());
    }

    [Fact]
    public async Task Check_EventBridgeService_Serving()
    {
        var (code, output) = await RunAsync(await Probe.Value, "-address", bridge.GrpcAddress, "-service", "bridge.v1.EventBridge");

        Assert.True(code == 0, output);
        Assert.Equal("STATUS SERVING", output.Trim());
    }

    [Fact]
    public async Task Check_UnknownService_NotFoundAndProbeFails()
    {
        var (code, output) = await RunAsync(await Probe.Value, "-address", bridge.GrpcAddress, "-service", "no.such.Service");

        Assert.Equal(1, code);
        Assert.StartsWith("ERROR NotFound", output.Trim(), StringComparison.Ordinal);
    }

    /// <summary>Builds the probe once in GOPATH mode against Debian's Go packages; fails (never skips) naming them when missing.</summary>
    private static async Task<string> BuildAsync()
    {
        var work = Directory.CreateTempSubdirectory("bridge-go-probe-").FullName;
        var binary = Path.Combine(work, "probe");
        var source = Path.Combine(AppContext.BaseDirectory, "Interop", "probe", "main.go");
        var environment = new Dictionary<string, string>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = work + ":/usr/share/gocode",
            ["GOCACHE"] = Path.Combine(work, "cache"),
        };
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary directory is harmless.
            }
        };
        var (code, output) = await ProcessRunner.RunAsync("go", ["build", "-o", binary, source], TimeSpan.FromMinutes(5), environment);
        Assert.True(code == 0,
            "Building the Go health probe failed; it needs the Debian packages golang-go and golang-google-grpc-dev " +
            "(apt-get install -y golang-go golang-google-grpc-dev): " + output);
        return binary;
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string probe, params string[] arguments) =>
        ProcessRunner.RunAsync(probe, arguments, TimeSpan.FromSeconds(30));
}
