using Bridge.Server.Ingress;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Ingress;

public sealed class IngressRateLimiterTests
{
    [Fact]
    public void TryAcquire_Off_AlwaysAllows()
    {
        using var limiter = Create(permitsPerSecond: 0, burst: 0);

        Assert.All(Enumerable.Range(0, 1000), _ => Assert.True(limiter.TryAcquire(out _)));
    }

    [Fact]
    public void TryAcquire_BurstUsedUp_RefusesWithRetryAfter()
    {
        using var limiter = Create(permitsPerSecond: 1, burst: 3);

        var allowed = Enumerable.Range(0, 3).Select(_ => limiter.TryAcquire(out _)).ToArray();
        var refused = limiter.TryAcquire(out var retryAfter);

        Assert.All(allowed, Assert.True);
        Assert.False(refused);
        Assert.InRange(retryAfter, 1, 2);
    }

    [Fact]
    public void TryAcquire_NoBurst_BucketIsPermitsPerSecond()
    {
        using var limiter = Create(permitsPerSecond: 2, burst: 0);

        Assert.True(limiter.TryAcquire(out _));
        Assert.True(limiter.TryAcquire(out _));
        Assert.False(limiter.TryAcquire(out _));
    }

    private static IngressRateLimiter Create(int permitsPerSecond, int burst) =>
        new(Options.Create(new IngressOptions { RateLimit = new RateLimitOptions { PermitsPerSecond = permitsPerSecond, Burst = burst } }),
            NullLogger<IngressRateLimiter>.Instance);
}
