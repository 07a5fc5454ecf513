using Bridge.Notifier.Configuration;

namespace Bridge.Notifier.Tests.Configuration;

public sealed class OptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new DeliveryOptionsValidator().Validate(null, new DeliveryOptions()).Succeeded);
        Assert.True(new NotifierOptionsValidator().Validate(null, new NotifierOptions()).Succeeded);
    }

    [Theory]
    [InlineData(nameof(DeliveryOptions.MaxRetries), "Notifier:Delivery:MaxRetries must be from 0 to 100 (was -1).")]
    [InlineData(nameof(DeliveryOptions.AttemptTimeout), "Notifier:Delivery:AttemptTimeout must be from 10 ms to 1 day")]
    [InlineData(nameof(DeliveryOptions.TotalTimeout), "Notifier:Delivery:TotalTimeout must be at least AttemptTimeout")]
    [InlineData(nameof(DeliveryOptions.BreakerFailureRatio), "Notifier:Delivery:BreakerFailureRatio must be above 0 and at most 1")]
    [InlineData(nameof(DeliveryOptions.BreakerMinimumThroughput), "Notifier:Delivery:BreakerMinimumThroughput must be at least 2")]
    [InlineData(nameof(DeliveryOptions.BreakerBreakDuration), "Notifier:Delivery:BreakerBreakDuration must be from 500 ms to 1 day")]
    public void Validate_BadDeliveryValue_MessageNamesKey(string key, string expected)
    {
        var options = new DeliveryOptions();
        switch (key)
        {
            case nameof(DeliveryOptions.MaxRetries): options.MaxRetries = -1; break;
            case nameof(DeliveryOptions.AttemptTimeout): options.AttemptTimeout = TimeSpan.Zero; break;
            case nameof(DeliveryOptions.TotalTimeout): options.TotalTimeout = TimeSpan.FromSeconds(1); break;
            case nameof(DeliveryOptions.BreakerFailureRatio): options.BreakerFailureRatio = 0; break;
            case nameof(DeliveryOptions.BreakerMinimumThroughput): options.BreakerMinimumThroughput = 1; break;
            default: options.BreakerBreakDuration = TimeSpan.FromMilliseconds(10); break;
        }

        var result = new DeliveryOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ConfigFileMissing_MessageNamesKeyAndPath()
    {
        var result = new NotifierOptionsValidator().Validate(null, new NotifierOptions { ConfigFile = "/nonexistent/notifier.yaml" });

        Assert.Equal("Notifier:ConfigFile: the file '/nonexistent/notifier.yaml' does not exist.", result.FailureMessage);
    }

    [Fact]
    public void Validate_ReloadIntervalTooShort_MessageNamesKey()
    {
        var result = new NotifierOptionsValidator().Validate(null, new NotifierOptions { ReloadInterval = TimeSpan.FromMilliseconds(1) });

        Assert.StartsWith("Notifier:ReloadInterval must be from 100 ms to 1 hour", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ExampleConfiguration_IsValid()
    {
        string example = Path.Combine(RepositoryRoot(), "examples", "notifier", "notifier.yaml");
        Environment.SetEnvironmentVariable("CI_WEBHOOK_SECRET", "example");
        try
        {
            NotifierSettings settings = NotifierConfigLoaderTests.Loader().Load(File.ReadAllText(example), example);

            Assert.Equal(["ci", "log"], settings.Sinks.Keys.Order(StringComparer.Ordinal));
            Assert.Equal(2, settings.Routes.Count);
        }
        finally
        {
            Environment.SetEnvironmentVariable("CI_WEBHOOK_SECRET", null);
        }
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Bridge.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Bridge.sln not found above the test binaries.");
    }
}
