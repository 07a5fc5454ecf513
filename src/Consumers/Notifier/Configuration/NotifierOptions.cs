using Microsoft.Extensions.Options;

namespace Bridge.Notifier.Configuration;

/// <summary>The notifier's process settings (section <c>Notifier</c>); routes and sinks live in <see cref="ConfigFile"/>.</summary>
internal sealed class NotifierOptions
{
    public const string SectionName = "Notifier";

    /// <summary>
    /// The YAML file of sinks and routes. Default <c>notifier.yaml</c> next to the process, used only when it exists;
    /// with no file the notifier logs every event to the console.
    /// </summary>
    public string? ConfigFile { get; set; }

    /// <summary>How often the file is checked for changes (a ConfigMap update swaps a symlink). Default 5 s.</summary>
    public TimeSpan ReloadInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Where sinks keep state that must survive a restart (action idempotency). Default none.</summary>
    public string? DataDirectory { get; set; }

    /// <summary>The <c>source</c> of the events the notifier publishes (<c>delivery.failed</c>). Default <c>/notifier</c>.</summary>
    public string Source { get; set; } = DefaultSource;

    /// <summary>The default of <see cref="Source"/>.</summary>
    public const string DefaultSource = "/notifier";
}

internal sealed class NotifierOptionsValidator : IValidateOptions<NotifierOptions>
{
    public ValidateOptionsResult Validate(string? name, NotifierOptions options)
    {
        var errors = new List<string>();
        if (options.ReloadInterval < TimeSpan.FromMilliseconds(100) || options.ReloadInterval > TimeSpan.FromHours(1))
        {
            errors.Add($"Notifier:ReloadInterval must be from 100 ms to 1 hour (was {options.ReloadInterval}).");
        }
        if (string.IsNullOrWhiteSpace(options.Source) || !Uri.TryCreate(options.Source, UriKind.RelativeOrAbsolute, out _))
        {
            errors.Add($"Notifier:Source must be a URI reference such as /notifier (was '{options.Source}').");
        }
        if (options.ConfigFile is { Length: > 0 } file && !File.Exists(file))
        {
            errors.Add($"Notifier:ConfigFile: the file '{file}' does not exist.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
