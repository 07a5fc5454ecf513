using Bridge.CloudEvents;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Flagger;

/// <summary>
/// How Flagger requests become CloudEvents. Bound from the <c>Flagger</c> configuration section:
/// <code>
/// "Flagger": {
///   "Source": "/flagger",                 // CloudEvents source of every Flagger event
///   "ClusterName": "prod-eu",             // optional; source becomes /flagger/clusters/prod-eu
///   "DeduplicationCapacity": 10000,       // gate poll ids remembered
///   "DeduplicationTtl": "1.00:00:00"      // how long an id is remembered after it was last seen
/// }
/// </code>
/// </summary>
internal sealed class FlaggerOptions
{
    /// <summary>Configuration section name.</summary>
    public const string SectionName = "Flagger";

    /// <summary>Path segment between <see cref="Source"/> and <see cref="ClusterName"/>.</summary>
    public const string ClustersSegment = "/clusters/";

    /// <summary>
    /// CloudEvents <c>source</c> naming the Flagger installation: a URI-reference, relative
    /// (<c>/flagger</c>) or absolute (<c>https://flagger.example.com</c>). Default <c>/flagger</c>.
    /// </summary>
    public string Source { get; set; } = "/flagger";

    /// <summary>
    /// Name of the cluster Flagger runs in (Flagger's <c>-cluster-name</c>), or null. When set, the
    /// source becomes <c>&lt;Source&gt;/clusters/&lt;ClusterName&gt;</c> so that events of clusters sharing one
    /// bus never share a (source, id) pair, and it is the <c>cluster</c> extension of events whose
    /// payload has no <c>metadata.cluster</c>. ASCII letters, digits, '.', '_' and '-', at most 253
    /// characters. Default: null.
    /// </summary>
    public string? ClusterName { get; set; }

    /// <summary>How many published gate poll ids are remembered (1 to 10,000,000). Default 10,000.</summary>
    public int DeduplicationCapacity { get; set; } = 10_000;

    /// <summary>
    /// How long a published gate poll id is remembered after it was last seen (1 second to 30 days).
    /// Default 24 hours.
    /// </summary>
    public TimeSpan DeduplicationTtl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The CloudEvents source of every event: <see cref="Source"/>, plus the cluster path when <see cref="ClusterName"/> is set.</summary>
    public string EffectiveSource =>
        string.IsNullOrEmpty(ClusterName) ? Source : Source.TrimEnd('/') + ClustersSegment + ClusterName;
}

/// <summary>Validates <see cref="FlaggerOptions"/> at start; every message names its configuration key.</summary>
internal sealed class FlaggerOptionsValidator : IValidateOptions<FlaggerOptions>
{
    internal const int MaxClusterNameLength = 253;
    internal const int MaxDeduplicationCapacity = 10_000_000;
    internal static readonly TimeSpan MaxDeduplicationTtl = TimeSpan.FromDays(30);

    public ValidateOptionsResult Validate(string? name, FlaggerOptions options)
    {
        var failures = new List<string>();
        const string section = FlaggerOptions.SectionName;

        if (string.IsNullOrEmpty(options.Source))
        {
            failures.Add($"{section}:Source must not be empty; it is the CloudEvents source of Flagger events, e.g. /flagger.");
        }
        else if (!CanonicalString.IsUriReference(options.Source))
        {
            failures.Add(
                $"{section}:Source '{FlaggerPayloadException.Describe(options.Source)}' is not a URI-reference (RFC 3986); " +
                "use a path such as /flagger or an absolute URI such as https://flagger.example.com, and percent-encode spaces.");
        }
        else if (!string.IsNullOrEmpty(options.ClusterName) && options.Source.AsSpan().IndexOfAny('?', '#') >= 0)
        {
            failures.Add($"{section}:Source must not contain a query or fragment when {section}:ClusterName is set, as the cluster path is appended to it.");
        }

        if (options.ClusterName is { } cluster && !IsClusterName(cluster))
        {
            failures.Add(
                $"{section}:ClusterName '{FlaggerPayloadException.Describe(cluster)}' is invalid: use 1 to {MaxClusterNameLength} ASCII letters, digits, '.', '_' or '-' " +
                "(it becomes a path segment of the source), or leave it unset.");
        }

        if (options.DeduplicationCapacity is < 1 or > MaxDeduplicationCapacity)
        {
            failures.Add($"{section}:DeduplicationCapacity must be between 1 and {MaxDeduplicationCapacity}, got {options.DeduplicationCapacity}.");
        }

        if (options.DeduplicationTtl < TimeSpan.FromSeconds(1) || options.DeduplicationTtl > MaxDeduplicationTtl)
        {
            failures.Add($"{section}:DeduplicationTtl must be between 00:00:01 and 30.00:00:00, got {options.DeduplicationTtl}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static bool IsClusterName(string value)
    {
        if (value.Length is 0 or > MaxClusterNameLength || value is "." or "..")
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('.' or '_' or '-'))
            {
                return false;
            }
        }

        return true;
    }
}
