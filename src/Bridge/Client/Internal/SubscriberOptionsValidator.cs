using Microsoft.Extensions.Options;

namespace Bridge.Client.Internal;

/// <summary>
/// Checks one subscriber's <see cref="SubscriberOptions"/> at start; messages name the key under the subscriber's
/// configuration section (e.g. <c>Subscriber:Address</c>).
/// </summary>
internal sealed class SubscriberOptionsValidator(string optionsName, string sectionPath) : IValidateOptions<SubscriberOptions>
{
    public static readonly string[] KnownSeverities = ["info", "warn", "error"];

    private const int MaxMaxInFlight = 10_000;

    public ValidateOptionsResult Validate(string? name, SubscriberOptions options)
    {
        if (!string.Equals(name, optionsName, StringComparison.Ordinal))
        {
            return ValidateOptionsResult.Skip;
        }
        var failures = new List<string>();
        string Key(string property) => $"{sectionPath}:{property}";

        if (string.IsNullOrWhiteSpace(options.Address))
        {
            failures.Add($"{Key(nameof(options.Address))} is required: the bridge's gRPC address, e.g. http://bridge:8081.");
        }
        else if (!Uri.TryCreate(options.Address, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            failures.Add($"{Key(nameof(options.Address))} '{options.Address}' must be an absolute http:// or https:// URI, e.g. http://bridge:8081.");
        }

        if (string.IsNullOrWhiteSpace(options.Subscription))
        {
            failures.Add($"{Key(nameof(options.Subscription))} is required: the subscription (consumer group) name.");
        }
        else if (!EventBridgeClient.IsValidSubscriptionName(options.Subscription))
        {
            failures.Add($"{Key(nameof(options.Subscription))} '{options.Subscription}' is invalid: use 1-{EventBridgeClient.MaxSubscriptionNameLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.");
        }

        ValidateTypes(options.Types, Key(nameof(options.Types)), failures);
        ValidateNamespaces(options.Namespaces, Key(nameof(options.Namespaces)), failures);
        ValidateSeverities(options.Severities, Key(nameof(options.Severities)), failures);
        for (int i = 0; i < options.Filters.Count; i++)
        {
            if (options.Filters[i] is null || options.Filters[i].FilterCase == V1.Filter.FilterOneofCase.None)
            {
                failures.Add($"{Key(nameof(options.Filters))}:{i} has no dialect set; build filters with Bridge.Client.Filters.");
            }
        }

        if (!StartPositions.TryParse(options.Start, out _))
        {
            failures.Add($"{Key(nameof(options.Start))} '{options.Start}' must be 'latest', 'earliest' or an RFC 3339 time with offset, e.g. 2024-05-01T10:00:00Z.");
        }

        ValidateToken(options, Key, failures);

        if (options.MaxInFlight is < 1 or > MaxMaxInFlight)
        {
            failures.Add($"{Key(nameof(options.MaxInFlight))} must be between 1 and {MaxMaxInFlight} (got {options.MaxInFlight}).");
        }
        if (options.MaxAttempts < 0)
        {
            failures.Add($"{Key(nameof(options.MaxAttempts))} must be 0 (retry forever) or positive (got {options.MaxAttempts}).");
        }
        if (options.InitialBackoff <= TimeSpan.Zero)
        {
            failures.Add($"{Key(nameof(options.InitialBackoff))} must be positive (got {options.InitialBackoff}).");
        }
        if (options.MaxBackoff < options.InitialBackoff)
        {
            failures.Add($"{Key(nameof(options.MaxBackoff))} ({options.MaxBackoff}) must not be below {Key(nameof(options.InitialBackoff))} ({options.InitialBackoff}).");
        }
        if (options.BackoffResetAfter <= TimeSpan.Zero)
        {
            failures.Add($"{Key(nameof(options.BackoffResetAfter))} must be positive (got {options.BackoffResetAfter}).");
        }
        if (options.DrainTimeout < TimeSpan.Zero)
        {
            failures.Add($"{Key(nameof(options.DrainTimeout))} must not be negative (got {options.DrainTimeout}).");
        }
        if (options.AckDelay < TimeSpan.Zero || options.AckDelay > EventBridgeClientOptions.MaxAckDelay)
        {
            failures.Add($"{Key(nameof(options.AckDelay))} must be between 0 and {EventBridgeClientOptions.MaxAckDelay} (got {options.AckDelay}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void ValidateTypes(List<string> types, string key, List<string> failures)
    {
        for (int i = 0; i < types.Count; i++)
        {
            string? type = types[i];
            if (string.IsNullOrWhiteSpace(type) || type.Trim() != type)
            {
                failures.Add($"{key}:{i} '{type}' must be a non-empty event type without surrounding spaces.");
            }
            else if (type == "*")
            {
                failures.Add($"{key}:{i} '*' would match every type; leave {key} empty instead.");
            }
            else if (type.IndexOf('*', StringComparison.Ordinal) is int star and >= 0 && star != type.Length - 1)
            {
                failures.Add($"{key}:{i} '{type}': '*' is only allowed at the end (a prefix such as app.flagger.canary.hook.*).");
            }
        }
    }

    private static void ValidateNamespaces(List<string> namespaces, string key, List<string> failures)
    {
        for (int i = 0; i < namespaces.Count; i++)
        {
            string? ns = namespaces[i];
            if (string.IsNullOrWhiteSpace(ns) || ns.Trim() != ns || ns.Contains('/', StringComparison.Ordinal) || ns.Contains('*', StringComparison.Ordinal))
            {
                failures.Add($"{key}:{i} '{ns}' is not a namespace name (non-empty, no '/', '*' or spaces).");
            }
        }
    }

    private static void ValidateSeverities(List<string> severities, string key, List<string> failures)
    {
        for (int i = 0; i < severities.Count; i++)
        {
            if (!KnownSeverities.Contains(severities[i], StringComparer.Ordinal))
            {
                failures.Add($"{key}:{i} '{severities[i]}' is not a severity; use info, warn or error.");
            }
        }
    }

    private static void ValidateToken(SubscriberOptions options, Func<string, string> key, List<string> failures)
    {
        bool hasToken = !string.IsNullOrEmpty(options.Token);
        bool hasFile = !string.IsNullOrEmpty(options.TokenFile);
        if (hasToken && hasFile)
        {
            failures.Add($"Set at most one of {key(nameof(options.Token))} and {key(nameof(options.TokenFile))}.");
            return;
        }
        string? token = options.Token;
        string tokenKey = key(hasFile ? nameof(options.TokenFile) : nameof(options.Token));
        if (hasFile)
        {
            try
            {
                token = SubscriberSetup.ReadTokenFile(options.TokenFile!);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                failures.Add($"{tokenKey} '{options.TokenFile}' cannot be read: {e.Message}");
                return;
            }
        }
        if (token is not null && (token.Length == 0 || token.Any(c => c <= ' ' || c >= 127)))
        {
            failures.Add($"{tokenKey}: the token must be non-empty printable ASCII without spaces (it travels in an HTTP header).");
        }
    }
}
