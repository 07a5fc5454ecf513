using Microsoft.Extensions.Options;

namespace Bridge.Server.Spool;

/// <summary>Checks <see cref="SpoolOptions"/> at start, with messages naming the key.</summary>
internal sealed class SpoolOptionsValidator : IValidateOptions<SpoolOptions>
{
    /// <summary>Flagger waits 10 s for an answer; the budget plus the fsync must fit well within it.</summary>
    public static readonly TimeSpan MaxKafkaBudget = TimeSpan.FromSeconds(8);

    public static readonly TimeSpan MinKafkaBudget = TimeSpan.FromMilliseconds(50);

    private const string S = SpoolOptions.SectionName;
    private const long MinSegmentBytes = 64 * 1024;
    private const long MaxSegmentBytes = 1024L * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, SpoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(options.Directory))
        {
            errors.Add($"{S}:Directory must name a directory (absolute, or relative to the content root); set {S}:Enabled=false to run without a spool.");
        }
        else if (options.Directory.IndexOfAny(Path.GetInvalidPathChars()) >= 0 || options.Directory.Contains('\0', StringComparison.Ordinal))
        {
            errors.Add($"{S}:Directory '{options.Directory}' is not a valid path.");
        }

        if (options.SegmentBytes < MinSegmentBytes || options.SegmentBytes > MaxSegmentBytes)
        {
            errors.Add($"{S}:SegmentBytes must be between {MinSegmentBytes} and {MaxSegmentBytes}, got {options.SegmentBytes}.");
        }

        if (options.MaxBytes < options.SegmentBytes)
        {
            errors.Add($"{S}:MaxBytes ({options.MaxBytes}) must be at least {S}:SegmentBytes ({options.SegmentBytes}).");
        }

        if (options.KafkaBudget < MinKafkaBudget || options.KafkaBudget > MaxKafkaBudget)
        {
            errors.Add($"{S}:KafkaBudget must be between {MinKafkaBudget} and {MaxKafkaBudget} (Flagger waits 10 s for an answer), got {options.KafkaBudget}.");
        }

        if (options.MaxForwardsInFlight is < 1 or > 10_000)
        {
            errors.Add($"{S}:MaxForwardsInFlight must be between 1 and 10000, got {options.MaxForwardsInFlight}.");
        }

        if (options.RetryBackoff < TimeSpan.FromMilliseconds(10) || options.RetryBackoff > TimeSpan.FromMinutes(1))
        {
            errors.Add($"{S}:RetryBackoff must be between 00:00:00.010 and 00:01:00, got {options.RetryBackoff}.");
        }

        if (options.MaxRetryBackoff < options.RetryBackoff || options.MaxRetryBackoff > TimeSpan.FromMinutes(10))
        {
            errors.Add($"{S}:MaxRetryBackoff must be between {S}:RetryBackoff ({options.RetryBackoff}) and 00:10:00, got {options.MaxRetryBackoff}.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
