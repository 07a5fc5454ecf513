using Bridge.Server.Ingress;

namespace Bridge.Server.Tests.Ingress;

public sealed class IngressOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new IngressOptionsValidator().Validate(null, new IngressOptions()).Succeeded);

    [Theory]
    [InlineData(-1, "0.0.0.0", 1024, 2, 0, 0, "Ingress:Port is -1")]
    [InlineData(70000, "0.0.0.0", 1024, 2, 0, 0, "Ingress:Port is 70000")]
    [InlineData(8080, "localhost", 1024, 2, 0, 0, "Ingress:BindAddress 'localhost' is not an IP address")]
    [InlineData(8080, "0.0.0.0", 0, 2, 0, 0, "Ingress:MaxBodyBytes is 0")]
    [InlineData(8080, "0.0.0.0", 1024, 0, 0, 0, "Ingress:ReadinessTimeout is 00:00:00")]
    [InlineData(8080, "0.0.0.0", 1024, 2, -5, 0, "Ingress:RateLimit:PermitsPerSecond is -5")]
    [InlineData(8080, "0.0.0.0", 1024, 2, 5, -1, "Ingress:RateLimit:Burst is -1")]
    public void Validate_Invalid_FailsNamingTheKey(int port, string bind, int maxBody, int readinessSeconds, int permits, int burst, string expected)
    {
        var result = new IngressOptionsValidator().Validate(null, new IngressOptions
        {
            Port = port,
            BindAddress = bind,
            MaxBodyBytes = maxBody,
            ReadinessTimeout = TimeSpan.FromSeconds(readinessSeconds),
            RateLimit = new RateLimitOptions { PermitsPerSecond = permits, Burst = burst },
        });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }
}
