
namespace Bridge.Server.Tests.Interop;

/// <summary>
/// The bridge's gRPC health service as Kubernetes probes it: a grpc-go client (Debian's
/// golang-google-grpc-dev, the library the kubelet's `grpc:` probe is built on) dialling insecure h2c
/// with the kube-probe user agent and a one-second deadline.
/// </summary>
[Collection(BridgeInteropCollection.Name)]
public sealed class GoHealthProbeTests(BridgeInteropFixture bridge)
{
    private static Task<string> Probe => GoPrograms.BuildAsync("probe");

    [Fact]
    public async Task Check_WholeServer_ServingAndExitZero()
    {
        var (code, output) = await RunAsync(await Probe, "-address", bridge.GrpcAddress);

        Assert.True(code == 0, output);
        Assert.Equal("STATUS SERVING", output.Trim());
    }

    [Fact]
    public async Task Check_EventBridgeService_Serving()
    {
        var (code, output) = await RunAsync(await Probe, "-address", bridge.GrpcAddress, "-service", "bridge.v1.EventBridge");

        Assert.True(code == 0, output);
        Assert.Equal("STATUS SERVING", output.Trim());
    }

    [Fact]
    public async Task Check_UnknownService_NotFoundAndProbeFails()
    {
        var (code, output) = await RunAsync(await Probe, "-address", bridge.GrpcAddress, "-service", "no.such.Service");

        Assert.Equal(1, code);
        Assert.StartsWith("ERROR NotFound", output.Trim(), StringComparison.Ordinal);
    }

    private static Task<(int ExitCode, string Output)> RunAsync(string probe, params string[] arguments) =>
        ProcessRunner.RunAsync(probe, arguments, TimeSpan.FromSeconds(30));
}
