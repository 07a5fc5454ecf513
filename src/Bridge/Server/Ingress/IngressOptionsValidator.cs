using System.Net;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Ingress;

/// <summary>Checks <see cref="IngressOptions"/> at start, with messages naming the key.</summary>
internal sealed class IngressOptionsValidator : IValidateOptions<IngressOptions>
{
    /// <summary>Upper bound of <see cref="IngressOptions.MaxBodyBytes"/>: Flagger payloads are a few hundred bytes.</summary>
    public const int MaxBodyBytesLimit = 64 * 1024 * 1024;

    public ValidateOptionsResult Validate(string? name, IngressOptions options)
    {
        const string Section = IngressOptions.SectionName;
        var failures = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{Section}:Port is {options.Port}; use 1-65535 (or 0 for any free port).");
        }

        if (!IPAddress.TryParse(options.BindAddress, out _))
        {
            failures.Add($"{Section}:BindAddress '{options.BindAddress}' is not an IP address (e.g. 0.0.0.0, ::, 127.0.0.1).");
        }

        if (options.MaxBodyBytes is < 1 or > MaxBodyBytesLimit)
        {
            failures.Add($"{Section}:MaxBodyBytes is {options.MaxBodyBytes}; use 1-{MaxBodyBytesLimit}.");
        }

        if (options.ReadinessTimeout <= TimeSpan.Zero || options.ReadinessTimeout > TimeSpan.FromMinutes(1))
        {
            failures.Add($"{Section}:ReadinessTimeout is {options.ReadinessTimeout}; use more than 0 and at most 00:01:00.");
        }

        var rateLimit = options.RateLimit;
        if (rateLimit is null)
        {
            failures.Add($"{Section}:RateLimit is empty; remove it or set PermitsPerSecond.");
        }
        else
        {
            if (rateLimit.PermitsPerSecond < 0)
            {
                failures.Add($"{Section}:RateLimit:PermitsPerSecond is {rateLimit.PermitsPerSecond}; use 0 (off) or more.");
            }

            if (rateLimit.Burst < 0)
            {
                failures.Add($"{Section}:RateLimit:Burst is {rateLimit.Burst}; use 0 (same as PermitsPerSecond) or more.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
