using Bridge.Client.V1;
using Grpc.HealthCheck;
using Microsoft.Extensions.Hosting;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// The gRPC health statuses outside what the periodic health check publishes: NOT_SERVING from start until the first
/// check ran (instead of NOT_FOUND), and NOT_SERVING as soon as the host starts stopping, so probes and load balancers
/// stop sending new calls while the open ones drain. Open <c>Watch</c> streams receive NOT_SERVING before they end.
/// </summary>
internal sealed class GrpcHealthStatus(HealthServiceImpl health, IHostApplicationLifetime lifetime) : IHostedService, IDisposable
{
    /// <summary>The service names with a status: the whole server ("") and <c>bridge.v1.EventBridge</c>.</summary>
    public static readonly string[] Services = [string.Empty, EventBridge.Descriptor.FullName];

    private CancellationTokenRegistration _stopping;

    /// <summary>The health service's state before the first check: every service NOT_SERVING.</summary>
    public static HealthServiceImpl CreateHealthService()
    {
        var health = new HealthServiceImpl();
        foreach (var service in Services)
        {
            health.SetStatus(service, ServingStatus.NotServing);
        }

        return health;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _stopping = lifetime.ApplicationStopping.Register(SetNotServing);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _stopping.Dispose();

    private void SetNotServing()
    {
        foreach (var service in Services)
        {
            health.SetStatus(service, ServingStatus.NotServing);
        }
    }
}
