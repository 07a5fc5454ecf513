using System.Net;
using Bridge.Client;
using Bridge.Grpc;

namespace Bridge.Server.Tests.GrpcApi;

public sealed class GrpcStartupFilterTests
{
    [Fact]
    public async Task GrpcPort_IngressRouteOverHttp2_NotFound()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(host.GrpcAddress, "/healthz"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task IngressPort_GrpcCall_NotServed()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        using var channel = GrpcChannel.ForAddress(host.Server.Address);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(EventBridgeMethods.Publish, new Bridge.Client.V1.PublishRequest(), new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(10))));

        Assert.True(error.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"Got {error.Status}.");
        using var health = await host.Server.Client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
