using Microsoft.Extensions.Options;

namespace Bridge.Notifier.Configuration;

/// <summary>How sinks' HTTP requests are timed out, retried and cut off (section <c>Notifier:Delivery</c>).</summary>
internal sealed class DeliveryOptions
{
    public const string SectionName = "Notifier:Delivery";

    /// <summary>Longest time for one request attempt. Default 10 s.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Longest time for a delivery with all its retries. Default 2 min.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Retries after the first attempt (5xx, 408, 429, network errors). Default 4.</summary>
    public int MaxRetries { get; set; } = 4;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter. Default 1 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest delay between attempts, also for a <c>Retry-After</c> answer. Default 60 s.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Share of failed requests in <see cref="BreakerSamplingDuration"/> that opens a sink's circuit. Default 0.5.</summary>
    public double BreakerFailureRatio { get; set; } = 0.5;

    /// <summary>Requests in the sampling window before the circuit may open. Default 10.</summary>
    public int BreakerMinimumThroughput { get; set; } = 10;

    /// <summary>Window over which failures are counted. Default 30 s.</summary>
    public TimeSpan BreakerSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an open circuit refuses requests before one is tried again. Default 30 s.</summary>
    public TimeSpan BreakerBreakDuration { get; set; } = TimeSpan.FromSeconds(30);
}

internal sealed class DeliveryOptionsValidator : IValidateOptions<DeliveryOptions>
{
    public ValidateOptionsResult Validate(string? name, DeliveryOptions o)
    {
        var errors = new List<string>();
        // Polly's own bounds: timeouts 10 ms to 1 day, breaker windows at least 500 ms.
        Check(errors, o.AttemptTimeout >= TimeSpan.FromMilliseconds(10) && o.AttemptTimeout <= TimeSpan.FromDays(1), "AttemptTimeout", "from 10 ms to 1 day", o.AttemptTimeout);
        Check(errors, o.TotalTimeout >= o.AttemptTimeout && o.TotalTimeout <= TimeSpan.FromDays(1), "TotalTimeout", "at least AttemptTimeout and at most 1 day", o.TotalTimeout);
        Check(errors, o.MaxRetries is >= 0 and <= 100, "MaxRetries", "from 0 to 100", o.MaxRetries);
        Check(errors, o.RetryDelay >= TimeSpan.Zero && o.RetryDelay <= TimeSpan.FromDays(1), "RetryDelay", "from 0 to 1 day", o.RetryDelay);
        Check(errors, o.MaxRetryDelay >= o.RetryDelay && o.MaxRetryDelay <= TimeSpan.FromDays(1), "MaxRetryDelay", "at least RetryDelay and at most 1 day", o.MaxRetryDelay);
        Check(errors, o.BreakerFailureRatio is > 0 and <= 1, "BreakerFailureRatio", "above 0 and at most 1", o.BreakerFailureRatio);
        Check(errors, o.BreakerMinimumThroughput >= 2, "BreakerMinimumThroughput", "at least 2", o.BreakerMinimumThroughput);
        Check(errors, o.BreakerSamplingDuration >= TimeSpan.FromMilliseconds(500) && o.BreakerSamplingDuration <= TimeSpan.FromDays(1), "BreakerSamplingDuration", "from 500 ms to 1 day", o.BreakerSamplingDuration);
        Check(errors, o.BreakerBreakDuration >= TimeSpan.FromMilliseconds(500) && o.BreakerBreakDuration <= TimeSpan.FromDays(1), "BreakerBreakDuration", "from 500 ms to 1 day", o.BreakerBreakDuration);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void Check(List<string> errors, bool ok, string key, string rule, object value)
    {
        if (!ok)
        {
            errors.Add($"{DeliveryOptions.SectionName}:{key} must be {rule} (was {value}).");
        }
    }
}
