namespace Bridge.Server.Tests.Interop;

/// <summary>
/// Server reflection as grpcurl, grpcui, Postman and Kreya use it, from a client that is not .NET: grpc-go's
/// reflection stubs (Debian's golang-google-grpc-dev) list the services and describe EventBridge without any .proto.
/// </summary>
[Collection(BridgeInteropCollection.Name)]
public sealed class ReflectionInteropTests(BridgeInteropFixture bridge)
{
    [Fact]
    public async Task ListAndDescribe_GoReflectionClient_SeesTheApiWithoutProtos()
    {
        var program = await GoPrograms.BuildAsync("reflect");

        var (code, output) = await ProcessRunner.RunAsync(program, ["-address", bridge.GrpcAddress, "-describe", "bridge.v1.EventBridge"], TimeSpan.FromSeconds(30));

        Assert.True(code == 0, output);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Contains("SERVICE bridge.v1.EventBridge", lines);
        Assert.Contains("SERVICE grpc.health.v1.Health", lines);
        Assert.Contains("METHOD bridge.v1.EventBridge/Publish unary", lines);
        Assert.Contains("METHOD bridge.v1.EventBridge/Subscribe duplex", lines);
        Assert.Contains("METHOD bridge.v1.EventBridge/Watch server-streaming", lines);
    }
}
