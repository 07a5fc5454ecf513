using Bridge.Server.Observability;

namespace Bridge.Server.Tests.Observability;

public sealed class MetricsOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new MetricsOptionsValidator().Validate(null, new MetricsOptions()).Succeeded);

    [Theory]
    [InlineData(0, "01:00:00", 10, "00:10:00", "Metrics:MaxCanaries is 0; use 1-100000.")]
    [InlineData(10, "00:00:30", 10, "00:10:00", "Metrics:CanaryExpiry is 00:00:30; use 00:01:00 to 365.00:00:00.")]
    [InlineData(10, "01:00:00", 100001, "00:10:00", "Metrics:MaxIdleSubscriptions is 100001; use 1-100000.")]
    [InlineData(10, "01:00:00", 10, "00:00:00", "Metrics:SubscriptionExpiry is 00:00:00; use 00:00:01 to 365.00:00:00.")]
    public void Validate_OutOfRange_FailsNamingTheKey(int maxCanaries, string canaryExpiry, int maxIdle, string subscriptionExpiry, string expected)
    {
        var options = new MetricsOptions
        {
            MaxCanaries = maxCanaries,
            CanaryExpiry = TimeSpan.Parse(canaryExpiry, System.Globalization.CultureInfo.InvariantCulture),
            MaxIdleSubscriptions = maxIdle,
            SubscriptionExpiry = TimeSpan.Parse(subscriptionExpiry, System.Globalization.CultureInfo.InvariantCulture),
        };

        var result = new MetricsOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Equal([expected], result.Failures);
    }
}
