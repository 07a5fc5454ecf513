using Bridge.Server.Subscriptions;

namespace Bridge.Server.Tests.Subscriptions;

public sealed class SubscriptionOptionsValidatorTests
{
    private static readonly SubscriptionOptionsValidator Validator = new();

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(Validator.Validate(null, new SubscriptionOptions()).Succeeded);

    [Theory]
    [InlineData(nameof(SubscriptionOptions.DefaultMaxInFlight), "Subscriptions:DefaultMaxInFlight")]
    [InlineData(nameof(SubscriptionOptions.MaxMaxInFlight), "Subscriptions:MaxMaxInFlight")]
    [InlineData(nameof(SubscriptionOptions.MaxEventsPerPublish), "Subscriptions:MaxEventsPerPublish")]
    [InlineData(nameof(SubscriptionOptions.ReadAheadRecords), "Subscriptions:ReadAheadRecords")]
    [InlineData(nameof(SubscriptionOptions.CommitInterval), "Subscriptions:CommitInterval")]
    [InlineData(nameof(SubscriptionOptions.SessionTimeout), "Subscriptions:SessionTimeout")]
    [InlineData(nameof(SubscriptionOptions.HeartbeatInterval), "Subscriptions:HeartbeatInterval")]
    [InlineData(nameof(SubscriptionOptions.HealthCheckInterval), "Subscriptions:HealthCheckInterval")]
    [InlineData(nameof(SubscriptionOptions.CloseTimeout), "Subscriptions:CloseTimeout")]
    public void Validate_ZeroValue_FailsNamingTheKey(string property, string key)
    {
        var options = new SubscriptionOptions();
        var info = typeof(SubscriptionOptions).GetProperty(property)!;
        info.SetValue(options, info.PropertyType == typeof(int) ? 0 : TimeSpan.Zero);

        var result = Validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_AckGracePeriod_ZeroAllowedNegativeOrOverAMinuteFails()
    {
        Assert.True(Validator.Validate(null, new SubscriptionOptions { AckGracePeriod = TimeSpan.Zero }).Succeeded);
        Assert.Contains("Subscriptions:AckGracePeriod is -00:00:01",
            Validator.Validate(null, new SubscriptionOptions { AckGracePeriod = TimeSpan.FromSeconds(-1) }).FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Subscriptions:AckGracePeriod is 00:02:00",
            Validator.Validate(null, new SubscriptionOptions { AckGracePeriod = TimeSpan.FromMinutes(2) }).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DefaultAboveMax_Fails()
    {
        var result = Validator.Validate(null, new SubscriptionOptions { DefaultMaxInFlight = 500, MaxMaxInFlight = 100 });

        Assert.Contains("Subscriptions:DefaultMaxInFlight is 500; use 1 to 100", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_HeartbeatNotBelowSession_Fails()
    {
        var result = Validator.Validate(null, new SubscriptionOptions { SessionTimeout = TimeSpan.FromSeconds(2), HeartbeatInterval = TimeSpan.FromSeconds(2) });

        Assert.Contains("less than Subscriptions:SessionTimeout", result.FailureMessage, StringComparison.Ordinal);
    }
}
