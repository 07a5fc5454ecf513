using System.Threading.RateLimiting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Ingress;

/// <summary>
/// The optional token bucket in front of the POST routes (<see cref="RateLimitOptions"/>): requests
/// beyond it are answered 429 at once, never queued, so Flagger's synchronous calls do not wait.
/// </summary>
internal sealed class IngressRateLimiter : IDisposable
{
    private readonly TokenBucketRateLimiter? _limiter;

    public IngressRateLimiter(IOptions<IngressOptions> options, ILogger<IngressRateLimiter> logger)
    {
        var rateLimit = options.Value.RateLimit;
        if (rateLimit.PermitsPerSecond <= 0)
        {
            return;
        }

        var burst = rateLimit.Burst > 0 ? rateLimit.Burst : rateLimit.PermitsPerSecond;
        _limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = burst,
            TokensPerPeriod = rateLimit.PermitsPerSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = 0,
            AutoReplenishment = true,
        });
        IngressLog.RateLimitEnabled(logger, rateLimit.PermitsPerSecond, burst);
    }

    /// <summary>Takes one permit; when none is left, says after how many whole seconds to retry.</summary>
    public bool TryAcquire(out int retryAfterSeconds)
    {
        retryAfterSeconds = 0;
        if (_limiter is null)
        {
            return true;
        }

        using var lease = _limiter.AttemptAcquire();
        if (lease.IsAcquired)
        {
            return true;
        }

        retryAfterSeconds = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter)
            ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds))
            : 1;
        return false;
    }

    public void Dispose() => _limiter?.Dispose();
}
