using System.Net;
using Bridge.Client.V1;
using Grpc.Core;
using Grpc.Net.Client;

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
        Assert.Equal(HttpVersion.Version20, response.Version);
    }

    [Fact]
    public async Task GrpcPort_IngressRouteOverHttp11_NotFound()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        using var client = new HttpClient();

        using var response = await client.GetAsync(new Uri(host.GrpcAddress, "/healthz"));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(HttpVersion.Version11, response.Version);
    }

    [Fact]
    public async Task GrpcPort_UnknownGrpcMethod_Unimplemented()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var unknown = new Method<PublishRequest, PublishResponse>(MethodType.Unary, "bridge.v1.NoSuchService", "Publish",
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), PublishRequest.Parser.ParseFrom),
            Marshallers.Create(r => Google.Protobuf.MessageExtensions.ToByteArray(r), PublishResponse.Parser.ParseFrom));

        var error = await Assert.ThrowsAsync<RpcException>(() => host.Channel.CreateCallInvoker()
            .AsyncUnaryCall(unknown, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10)), new PublishRequest()).ResponseAsync);

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task IngressPort_GrpcCall_NotServed()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        using var channel = GrpcChannel.ForAddress(host.Server.Address);
        var client = new EventBridge.EventBridgeClient(channel);

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            client.PublishAsync(new PublishRequest(), new CallOptions(deadline: DateTime.UtcNow.AddSeconds(10))).ResponseAsync);

        Assert.True(error.StatusCode is StatusCode.Unavailable or StatusCode.Internal, $"Got {error.Status}.");
        using var health = await host.Server.Client.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
