using Bridge.Client;
using Bridge.Grpc;
using Bridge.Grpc.Health;
using Bridge.Grpc.Health.V1;
using ServingStatus = Bridge.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Server.Tests.GrpcApi;

public sealed class GrpcHealthMonitorTests
{
    [Fact]
    public async Task Check_KafkaReachable_ServerAndEventBridgeServing()
    {
        await using var host = await GrpcBridgeHost.StartAsync();

        await WaitForStatusAsync(host, string.Empty, ServingStatus.Serving);
        var service = await host.Channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest { Service = EventBridgeMethods.ServiceName });
        var unknown = await Assert.ThrowsAsync<RpcException>(() => host.Channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest { Service = "no.such.Service" }));

        Assert.Equal(ServingStatus.Serving, service.Status);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Watch_KafkaGoesDownAndUp_ReportsNotServingThenServing()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await WaitForStatusAsync(host, EventBridgeMethods.ServiceName, ServingStatus.Serving);
        using var call = host.Channel.ServerStreaming(HealthService.WatchMethod, new HealthCheckRequest { Service = EventBridgeMethods.ServiceName });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
        host.Kafka.EmbeddedCluster!.SetBrokerDown(1);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
        host.Kafka.EmbeddedCluster!.SetBrokerUp(1);
        Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
    }

    private static async Task WaitForStatusAsync(GrpcBridgeHost host, string service, ServingStatus expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var response = await host.Channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest { Service = service });
            if (response.Status == expected)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"'{service}' stayed {response.Status}, expected {expected}.");
            await Task.Delay(50);
        }
    }
}
