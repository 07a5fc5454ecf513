using Microsoft.Extensions.Options;

namespace Bridge.Server.Hosting;

/// <summary>Checks <see cref="HostingOptions"/> and <see cref="LogFormatOptions"/> at start.</summary>
internal sealed class HostingOptionsValidator : IValidateOptions<HostingOptions>, IValidateOptions<LogFormatOptions>
{
    public ValidateOptionsResult Validate(string? name, HostingOptions options) =>
        options.ShutdownTimeout < TimeSpan.Zero || options.ShutdownTimeout > TimeSpan.FromHours(1)
            ? ValidateOptionsResult.Fail($"{HostingOptions.SectionName}:ShutdownTimeout is {options.ShutdownTimeout}; use 00:00:00 to 01:00:00.")
            : ValidateOptionsResult.Success;

    public ValidateOptionsResult Validate(string? name, LogFormatOptions options) =>
        options.IsJson || string.Equals(options.Format, LogFormatOptions.Simple, StringComparison.OrdinalIgnoreCase)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{LogFormatOptions.SectionName}:Format is '{options.Format}'; use 'simple' or 'json'.");
}
