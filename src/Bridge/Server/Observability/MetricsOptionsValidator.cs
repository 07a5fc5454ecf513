using Microsoft.Extensions.Options;

namespace Bridge.Server.Observability;

/// <summary>Checks <see cref="MetricsOptions"/> at start, with messages naming the key.</summary>
internal sealed class MetricsOptionsValidator : IValidateOptions<MetricsOptions>
{
    /// <summary>Upper bound of the series counts: each kept label set costs memory in every instrument that reports it.</summary>
    public const int MaxSeriesLimit = 100_000;

    private static readonly TimeSpan LongestExpiry = TimeSpan.FromDays(365);

    public ValidateOptionsResult Validate(string? name, MetricsOptions options)
    {
        const string Section = MetricsOptions.SectionName;
        var failures = new List<string>();
        if (options.MaxCanaries is < 1 or > MaxSeriesLimit)
        {
            failures.Add($"{Section}:MaxCanaries is {options.MaxCanaries}; use 1-{MaxSeriesLimit}.");
        }

        if (options.CanaryExpiry < TimeSpan.FromMinutes(1) || options.CanaryExpiry > LongestExpiry)
        {
            failures.Add($"{Section}:CanaryExpiry is {options.CanaryExpiry}; use 00:01:00 to 365.00:00:00.");
        }

        if (options.MaxIdleSubscriptions is < 1 or > MaxSeriesLimit)
        {
            failures.Add($"{Section}:MaxIdleSubscriptions is {options.MaxIdleSubscriptions}; use 1-{MaxSeriesLimit}.");
        }

        if (options.SubscriptionExpiry < TimeSpan.FromSeconds(1) || options.SubscriptionExpiry > LongestExpiry)
        {
            failures.Add($"{Section}:SubscriptionExpiry is {options.SubscriptionExpiry}; use 00:00:01 to 365.00:00:00.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
