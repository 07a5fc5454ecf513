using Microsoft.Extensions.Options;

namespace Bridge.Server.Subscriptions;

/// <summary>Checks <see cref="SubscriptionOptions"/> at start; every message names its key.</summary>
internal sealed class SubscriptionOptionsValidator : IValidateOptions<SubscriptionOptions>
{
    public ValidateOptionsResult Validate(string? name, SubscriptionOptions options)
    {
        const string S = SubscriptionOptions.SectionName;
        var failures = new List<string>();
        Range(failures, $"{S}:MaxMaxInFlight", options.MaxMaxInFlight, 1, 1_000_000);
        Range(failures, $"{S}:DefaultMaxInFlight", options.DefaultMaxInFlight, 1, Math.Max(1, options.MaxMaxInFlight));
        Range(failures, $"{S}:ReadAheadRecords", options.ReadAheadRecords, 1, 1_000_000);
        Range(failures, $"{S}:MaxEventsPerPublish", options.MaxEventsPerPublish, 1, 100_000);
        Range(failures, $"{S}:MaxRememberedDeliveries", options.MaxRememberedDeliveries, 1000, 10_000_000);
        Range(failures, $"{S}:CommitInterval", options.CommitInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        Range(failures, $"{S}:SessionTimeout", options.SessionTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        Range(failures, $"{S}:KafkaRequestTimeout", options.KafkaRequestTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        Range(failures, $"{S}:CloseTimeout", options.CloseTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(2));
        Range(failures, $"{S}:AckGracePeriod", options.AckGracePeriod, TimeSpan.Zero, TimeSpan.FromMinutes(1));
        Range(failures, $"{S}:HealthCheckInterval", options.HealthCheckInterval, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10));
        if (options.HeartbeatInterval < TimeSpan.FromMilliseconds(10) || options.HeartbeatInterval >= options.SessionTimeout)
        {
            failures.Add($"{S}:HeartbeatInterval is {options.HeartbeatInterval}; use at least 00:00:00.010 and less than {S}:SessionTimeout ({options.SessionTimeout}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Range(List<string> failures, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{key} is {value}; use {min} to {max}.");
        }
    }

    private static void Range(List<string> failures, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            failures.Add($"{key} is {value}; use {min} to {max}.");
        }
    }
}
