using Bridge.Grpc.Health;
using Bridge.Grpc.Health.V1;
using Bridge.Grpc.Tests.Infrastructure;
using ServingStatus = Bridge.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Grpc.Tests.Health;

public sealed class HealthServiceTests : IAsyncLifetime
{
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync();
        _channel = _host.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task Check_WholeServer_Serving()
    {
        HealthCheckResponse response = await _channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest());

        Assert.Equal(ServingStatus.Serving, response.Status);
    }

    [Fact]
    public async Task Check_UnknownService_NotFound()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest { Service = "nope" }));

        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Check_ServiceSetThenCleared_StatusThenNotFound()
    {
        _host.Health.SetStatus("svc", ServingStatus.NotServing);
        HealthCheckResponse response = await _channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest { Service = "svc" });
        _host.Health.ClearStatus("svc");
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest { Service = "svc" }));

        Assert.Equal(ServingStatus.NotServing, response.Status);
        Assert.Equal(StatusCode.NotFound, ex.StatusCode);
    }

    [Fact]
    public async Task Watch_StatusChanges_CurrentAtOnceThenOnlyChanges()
    {
        _host.Health.SetStatus("svc", ServingStatus.Serving);
        using var call = _channel.ServerStreaming(HealthService.WatchMethod, new HealthCheckRequest { Service = "svc" });

        Assert.True(await call.ResponseStream.MoveNext(default));
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
        _host.Health.SetStatus("svc", ServingStatus.Serving);
        _host.Health.SetStatus("svc", ServingStatus.NotServing);
        Assert.True(await call.ResponseStream.MoveNext(default));
        Assert.Equal(ServingStatus.NotServing, call.ResponseStream.Current.Status);
        _host.Health.ClearStatus("svc");
        Assert.True(await call.ResponseStream.MoveNext(default));
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);
    }

    [Fact]
    public async Task Watch_UnknownService_ServiceUnknownMessageThenKnownWhenSet()
    {
        using var call = _channel.ServerStreaming(HealthService.WatchMethod, new HealthCheckRequest { Service = "later" });

        Assert.True(await call.ResponseStream.MoveNext(default));
        Assert.Equal(ServingStatus.ServiceUnknown, call.ResponseStream.Current.Status);
        _host.Health.SetStatus("later", ServingStatus.Serving);
        Assert.True(await call.ResponseStream.MoveNext(default));
        Assert.Equal(ServingStatus.Serving, call.ResponseStream.Current.Status);
    }

    [Fact]
    public void SetStatus_NullService_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => new HealthService().SetStatus(null!, ServingStatus.Serving));
    }

    [Fact]
    public void GetStatus_Fresh_WholeServerServingOthersUnknown()
    {
        var health = new HealthService();

        Assert.Equal(ServingStatus.Serving, health.GetStatus(""));
        Assert.Null(health.GetStatus("x"));
    }
}
