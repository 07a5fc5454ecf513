using Bridge.Audit.Api;
using Bridge.Audit.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Audit.Storage;

/// <summary>
/// Migrates the schema before anything else starts (it is registered before the subscriber, and hosted services start
/// in order), and says at start whether the API is open.
/// </summary>
internal sealed class StoreInitializer(AuditStore store, AuditAuthenticator authenticator, Observability.AuditMetrics metrics, ILogger<StoreInitializer> logger) : IHostedService
{
    // Taking the metrics here creates the instruments at start, so /metrics shows them before the first event.
    public Observability.AuditMetrics Metrics { get; } = metrics;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.MigrateAsync(cancellationToken);
        AuditLog.StoreReady(logger, store.Description);
        if (authenticator.IsOpen)
        {
            AuditLog.OpenApi(logger);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>Applies <see cref="RetentionOptions.MaxAge"/> at start and every <see cref="RetentionOptions.Interval"/>.</summary>
internal sealed class RetentionService(AuditStore store, IOptions<RetentionOptions> options, TimeProvider time, ILogger<RetentionService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.MaxAge is not { } maxAge)
        {
            return;
        }

        var interval = options.Value.Interval;
        AuditLog.RetentionEnabled(logger, maxAge, interval);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var cutoff = time.GetUtcNow() - maxAge;
                var result = await store.ApplyRetentionAsync(cutoff, stoppingToken);
                if (result.DeletedEvents > 0 || result.DeletedRollouts > 0)
                {
                    AuditLog.RetentionApplied(logger, result.DeletedEvents, cutoff, result.DeletedRollouts, result.Checkpoint?.Seq);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AuditLog.RetentionFailed(logger, e, interval);
            }

            try
            {
                await Task.Delay(interval, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}

/// <summary>Readiness: the database answers.</summary>
internal sealed class DatabaseHealthCheck(AuditStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            await store.PingAsync(timeout.Token);
            return HealthCheckResult.Healthy(store.Description);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"The database ({store.Description}) does not answer: {e.Message}");
        }
    }
}
