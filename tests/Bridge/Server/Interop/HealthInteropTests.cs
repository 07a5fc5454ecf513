namespace Bridge.Server.Tests.Interop;

/// <summary>grpc.health.v1.Health/Check of the bridge's gRPC endpoint, called from Debian's grpcio.</summary>
[Collection(BridgeInteropCollection.Name)]
public sealed class HealthInteropTests(BridgeInteropFixture bridge)
{
    [Theory]
    [InlineData("")]
    [InlineData("bridge.v1.EventBridge")]
    public async Task Check_BridgeUpWithKafka_Serving(string service)
    {
        // NOT_SERVING until the first Kafka check passed, which takes a moment after start.
        var run = await bridge.PeerAsync("health", "--service", service, "--until", "SERVING", "--time-limit", "20");

        run.AssertStatus("OK");
        Assert.Equal("SERVING", run.Health);
    }

    [Fact]
    public async Task Check_UnknownService_NotFound()
    {
        var run = await bridge.PeerAsync("health", "--service", "no.such.Service");

        run.AssertStatus("NOT_FOUND");
        Assert.Null(run.Health);
    }
}
