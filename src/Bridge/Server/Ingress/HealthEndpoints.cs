using Bridge.Server.Observability;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Ingress;

/// <summary><c>/healthz</c> (the process serves), <c>/readyz</c> (events can be accepted) and <c>/metrics</c>.</summary>
internal sealed class HealthEndpoints(
    IEnumerable<IReadinessCheck> checks,
    MetricsEndpoint metrics,
    IOptions<IngressOptions> options,
    ILogger<HealthEndpoints> logger)
{
    private const string TextContentType = "text/plain; charset=utf-8";

    private readonly IReadinessCheck[] _checks = checks.ToArray();
    private readonly TimeSpan _timeout = options.Value.ReadinessTimeout;

    /// <summary>200 <c>ok</c> while the process serves HTTP; it checks nothing else on purpose, so a Kafka outage never restarts pods.</summary>
    public static Task LivenessAsync(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = TextContentType;
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync("ok", context.RequestAborted);
    }

    /// <summary>200 <c>ready</c> when every readiness check passes within the timeout, else 503 naming what failed.</summary>
    public async Task ReadinessAsync(HttpContext context)
    {
        var results = await Task.WhenAll(_checks.Select(c => CheckAsync(c, context.RequestAborted)));
        var failures = results.Where(r => r is not null).ToArray();
        if (failures.Length > 0)
        {
            var reason = string.Join(" ", failures);
            IngressLog.NotReady(logger, reason);
            context.Response.Headers.RetryAfter = IngressRoutes.UnavailableRetryAfterSeconds;
            await ProblemResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, reason, title: "Not ready");
            return;
        }

        context.Response.StatusCode = StatusCodes.Status200OK;
        context.Response.ContentType = TextContentType;
        context.Response.Headers.CacheControl = "no-store";
        await context.Response.WriteAsync("ready", context.RequestAborted);
    }

    /// <summary>The Prometheus exposition of the bridge's metrics.</summary>
    public Task MetricsAsync(HttpContext context) => metrics.WriteAsync(context);

    private async Task<string?> CheckAsync(IReadinessCheck check, CancellationToken cancellationToken)
    {
        try
        {
            return await check.CheckAsync(_timeout, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return $"{check.Name}: the check failed: {e.Message}";
        }
    }
}
