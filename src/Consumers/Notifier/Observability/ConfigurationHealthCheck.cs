using System.Globalization;
using Bridge.Notifier.Configuration;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bridge.Notifier.Observability;

/// <summary>
/// Ready once a valid configuration is in use. A rejected reload keeps it ready (the last good configuration still
/// delivers) and says why in the description.
/// </summary>
internal sealed class ConfigurationHealthCheck(ConfigurationStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        NotifierSettings settings;
        try
        {
            settings = store.Current;
        }
        catch (InvalidOperationException e)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy(e.Message));
        }
        string loaded = $"configuration from {settings.Origin} loaded at {store.LoadedAt.ToString("O", CultureInfo.InvariantCulture)} ({settings.Sinks.Count} sinks, {settings.Routes.Count} routes)";
        return Task.FromResult(store.LastReloadError is { } error
            ? HealthCheckResult.Healthy($"{loaded}; the changed file was rejected, the last good configuration is in use: {error}")
            : HealthCheckResult.Healthy(loaded));
    }
}
