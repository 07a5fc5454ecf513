using Bridge.Client.V1;
using Grpc.Core;
using Grpc.Health.V1;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Server.Tests.GrpcApi;

public sealed class GrpcHealthTests
{
    private static readonly string EventBridgeService = EventBridge.Descriptor.FullName;

    [Fact]
    public async Task Check_KafkaReachable_ServerAndEventBridgeServing()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var health = new Health.HealthClient(host.Channel);

        await WaitForStatusAsync(health, string.Empty, ServingStatus.Serving);
        var service = await health.CheckAsync(new HealthCheckRequest { Service = EventBridgeService });
        var unknown = await Assert.ThrowsAsync<RpcException>(() => health.CheckAsync(new HealthCheckRequest { Service = "no.such.Service" }).ResponseAsync);

        Assert.Equal(ServingStatus.Serving, service.Status);
        Assert.Equal(StatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task Watch_KafkaGoesDownAndUp_ReportsNotServingThenServing()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var health = new Health.HealthClient(host.Channel);
        await WaitForStatusAsync(health, EventBridgeService, ServingStatus.Serving);
        using var call = health.Watch(new HealthCheckRequest { Service = EventBridgeService });
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

    [Fact]
    public async Task Watch_ServerStops_WatchersSeeNotServingBeforeTheStreamEnds()
    {
        var host = await GrpcBridgeHost.StartAsync();
        try
        {
            var health = new Health.HealthClient(host.Channel);
            await WaitForStatusAsync(health, string.Empty, ServingStatus.Serving);
            using var call = health.Watch(new HealthCheckRequest());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            Assert.True(await call.ResponseStream.MoveNext(timeout.Token));
            Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);

            var stopping = host.Server.App.StopAsync();
            var seen = new List<ServingStatus>();
            try
            {
                while (await call.ResponseStream.MoveNext(timeout.Token))
                {
                    seen.Add(call.ResponseStream.Current.Status);
                }
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
            {
                // Ending with UNAVAILABLE is fine too; what matters is what came before.
            }

            await stopping.WaitAsync(TimeSpan.FromSeconds(4));
            Assert.Equal([ServingStatus.NotServing], seen.Distinct());
        }
        finally
        {
            await host.DisposeAsync();
        }
    }

    private static async Task WaitForStatusAsync(Health.HealthClient health, string service, ServingStatus expected)
    {
        var deadline = DateTime.UtcNow.AddSeconds(15);
        while (true)
        {
            var response = await health.CheckAsync(new HealthCheckRequest { Service = service });
            if (response.Status == expected)
            {
                return;
            }

            Assert.True(DateTime.UtcNow < deadline, $"'{service}' stayed {response.Status}, expected {expected}.");
            await Task.Delay(50);
        }
    }
}
