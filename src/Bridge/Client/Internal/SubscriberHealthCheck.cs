using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Bridge.Client.Internal;

/// <summary>Healthy while every hosted subscriber has its stream open.</summary>
internal sealed class SubscriberHealthCheck(IEnumerable<SubscriberHealth> subscribers) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var down = subscribers.Where(s => !s.IsConnected).ToList();
        if (down.Count == 0)
        {
            return Task.FromResult(HealthCheckResult.Healthy("Every bridge subscriber is connected."));
        }
        string detail = string.Join("; ", down.Select(s =>
            $"{s.Name}: not connected ({s.LastError ?? "connecting"}; last connected {(s.LastConnectedAt is { } at ? at.ToString("O", System.Globalization.CultureInfo.InvariantCulture) : "never")})"));
        return Task.FromResult(new HealthCheckResult(context.Registration.FailureStatus, detail));
    }
}
