using Bridge.Client.Internal;
using Microsoft.Extensions.Options;

namespace Bridge.Client.Tests.Internal;

public sealed class SubscriberOptionsValidatorTests
{
    private readonly SubscriberOptionsValidator _validator = new("handler", "Subscriber");

    private static SubscriberOptions Valid() => new() { Address = "http://bridge:8081", Subscription = "notifier" };

    private string Failure(Action<SubscriberOptions> change)
    {
        SubscriberOptions options = Valid();
        change(options);
        ValidateOptionsResult result = _validator.Validate("handler", options);
        Assert.True(result.Failed);
        return Assert.Single(result.Failures!);
    }

    [Fact]
    public void Validate_Defaults_Succeed() => Assert.True(_validator.Validate("handler", Valid()).Succeeded);

    [Fact]
    public void Validate_OtherName_Skipped() => Assert.True(_validator.Validate("other", new SubscriberOptions()).Skipped);

    [Fact]
    public void Validate_Empty_NamesEveryRequiredKey()
    {
        ValidateOptionsResult result = _validator.Validate("handler", new SubscriberOptions());

        Assert.Contains(result.Failures!, f => f.StartsWith("Subscriber:Address is required", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("Subscriber:Subscription is required", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("bridge:8081")]
    [InlineData("ftp://bridge")]
    [InlineData("/relative")]
    public void Validate_BadAddress_NamesKey(string address) =>
        Assert.StartsWith($"Subscriber:Address '{address}' must be an absolute http:// or https:// URI", Failure(o => o.Address = address), StringComparison.Ordinal);

    [Fact]
    public void Validate_BadSubscriptionName_NamesKey() =>
        Assert.StartsWith("Subscriber:Subscription 'a b' is invalid", Failure(o => o.Subscription = "a b"), StringComparison.Ordinal);

    [Theory]
    [InlineData("*", "Subscriber:Types:0 '*' would match every type")]
    [InlineData("a*b", "Subscriber:Types:0 'a*b': '*' is only allowed at the end")]
    [InlineData(" ", "Subscriber:Types:0 ' ' must be a non-empty event type")]
    public void Validate_BadType_NamesIndex(string type, string expected) =>
        Assert.StartsWith(expected, Failure(o => o.Types.Add(type)), StringComparison.Ordinal);

    [Fact]
    public void Validate_BadNamespace_NamesIndex() =>
        Assert.StartsWith("Subscriber:Namespaces:1 'a/b' is not a namespace name", Failure(o => o.Namespaces.AddRange(["ok", "a/b"])), StringComparison.Ordinal);

    [Fact]
    public void Validate_UnknownSeverity_NamesIndex() =>
        Assert.Equal("Subscriber:Severities:0 'critical' is not a severity; use info, warn or error.", Failure(o => o.Severities.Add("critical")));

    [Fact]
    public void Validate_FilterWithoutDialect_NamesIndex() =>
        Assert.StartsWith("Subscriber:Filters:0 has no dialect set", Failure(o => o.Filters.Add(new V1.Filter())), StringComparison.Ordinal);

    [Fact]
    public void Validate_BadStart_NamesKey() =>
        Assert.StartsWith("Subscriber:Start 'yesterday' must be 'latest', 'earliest' or an RFC 3339 time", Failure(o => o.Start = "yesterday"), StringComparison.Ordinal);

    [Fact]
    public void Validate_TokenAndTokenFile_Rejected() =>
        Assert.Equal("Set at most one of Subscriber:Token and Subscriber:TokenFile.", Failure(o => { o.Token = "t"; o.TokenFile = "/f"; }));

    [Fact]
    public void Validate_MissingTokenFile_NamesKeyAndPath() =>
        Assert.StartsWith("Subscriber:TokenFile '/nonexistent/token' cannot be read", Failure(o => o.TokenFile = "/nonexistent/token"), StringComparison.Ordinal);

    [Fact]
    public void Validate_TokenWithSpace_Rejected() =>
        Assert.StartsWith("Subscriber:Token: the token must be non-empty printable ASCII", Failure(o => o.Token = "a b"), StringComparison.Ordinal);

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public void Validate_MaxInFlightOutOfRange_NamesKey(int value) =>
        Assert.StartsWith("Subscriber:MaxInFlight must be between 1 and 10000", Failure(o => o.MaxInFlight = value), StringComparison.Ordinal);

    [Fact]
    public void Validate_NegativeMaxAttempts_NamesKey() =>
        Assert.StartsWith("Subscriber:MaxAttempts must be 0 (retry forever) or positive", Failure(o => o.MaxAttempts = -1), StringComparison.Ordinal);

    [Fact]
    public void Validate_MaxBackoffBelowInitial_NamesBothKeys() =>
        Assert.StartsWith("Subscriber:MaxBackoff (00:00:00.1000000) must not be below Subscriber:InitialBackoff", Failure(o => o.MaxBackoff = TimeSpan.FromMilliseconds(100)), StringComparison.Ordinal);

    [Fact]
    public void Validate_ZeroInitialBackoff_NamesKey() =>
        Assert.Contains(_validator.Validate("handler", new SubscriberOptions { Address = "http://b", Subscription = "s", InitialBackoff = TimeSpan.Zero }).Failures!,
            f => f.StartsWith("Subscriber:InitialBackoff must be positive", StringComparison.Ordinal));

    [Fact]
    public void Validate_AckDelayTooLong_NamesKey() =>
        Assert.StartsWith("Subscriber:AckDelay must be between 0 and", Failure(o => o.AckDelay = TimeSpan.FromSeconds(2)), StringComparison.Ordinal);

    [Fact]
    public void Validate_CustomSectionPath_UsedInMessages()
    {
        var validator = new SubscriberOptionsValidator("h", "Audit:Subscriber");

        ValidateOptionsResult result = validator.Validate("h", new SubscriberOptions { Subscription = "s" });

        Assert.StartsWith("Audit:Subscriber:Address is required", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }
}
