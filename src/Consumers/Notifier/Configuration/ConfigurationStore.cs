using System.Collections;
using System.Security.Cryptography;
using Bridge.Notifier.Observability;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Notifier.Configuration;

/// <summary>
/// Holds the configuration in use. Loads it at start (an invalid file stops the start), then polls the file and
/// swaps in each valid change; an invalid change keeps the last good configuration and is reported (log, metric,
/// <c>/readyz</c> detail). Reading the file's content each time follows a ConfigMap's symlink swap.
/// </summary>
internal sealed class ConfigurationStore : BackgroundService
{
    /// <summary>The file looked for next to the process when <c>Notifier:ConfigFile</c> is not set.</summary>
    public const string DefaultFileName = "notifier.yaml";

    private readonly NotifierConfigLoader _loader;
    private readonly NotifierOptions _options;
    private readonly NotifierMetrics _metrics;
    private readonly ILogger<ConfigurationStore> _logger;
    private readonly TimeProvider _time;
    private readonly string? _path;
    private NotifierSettings? _current;
    private string? _hash;
    private volatile string? _lastReloadError;

    public ConfigurationStore(NotifierConfigLoader loader, IOptions<NotifierOptions> options, NotifierMetrics metrics, ILogger<ConfigurationStore> logger, TimeProvider time)
    {
        _loader = loader;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _path = _options.ConfigFile is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : File.Exists(Path.Combine(AppContext.BaseDirectory, DefaultFileName)) ? Path.Combine(AppContext.BaseDirectory, DefaultFileName) : null;
    }

    /// <summary>The configuration in use. Throws before the start loaded one.</summary>
    public NotifierSettings Current => Volatile.Read(ref _current) ?? throw new InvalidOperationException("The notifier configuration is not loaded yet.");

    /// <summary>Why the last reload was rejected; null when the file in place is the one in use.</summary>
    public string? LastReloadError => _lastReloadError;

    /// <summary>The file read, or null when the built-in default is in use.</summary>
    public string? FilePath => _path;

    /// <summary>When the configuration in use was loaded.</summary>
    public DateTimeOffset LoadedAt { get; private set; }

    public override Task StartAsync(CancellationToken cancellationToken)
    {
        string origin = _path ?? "built-in default (console sink, one catch-all route)";
        try
        {
            (string? text, string? hash) = Read();
            Swap(_loader.Load(text, origin, Overrides()), hash);
        }
        catch (NotifierConfigurationException e)
        {
            NotifierLog.ConfigurationInvalid(_logger, origin, e.Message);
            throw;
        }
        return base.StartAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_path is null)
        {
            return;
        }
        using var timer = new PeriodicTimer(_options.ReloadInterval, _time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            TryReload();
        }
    }

    /// <summary>Reloads when the file's content changed. Returns true when a new configuration is in use.</summary>
    public bool TryReload()
    {
        if (_path is null)
        {
            return false;
        }
        string? text;
        string? hash;
        try
        {
            (text, hash) = Read();
        }
        catch (IOException e)
        {
            Reject($"cannot read the file: {e.Message}", null);
            return false;
        }
        if (hash == _hash)
        {
            return false;
        }
        try
        {
            Swap(_loader.Load(text, _path, Overrides()), hash);
            _metrics.Reloaded(valid: true);
            return true;
        }
        catch (NotifierConfigurationException e)
        {
            Reject(e.Message, hash);
            return false;
        }
    }

    private void Reject(string problem, string? hash)
    {
        // The rejected content is remembered so that it is reported once, not on every poll.
        _hash = hash ?? _hash;
        _lastReloadError = problem;
        NotifierLog.ReloadRejected(_logger, _path ?? string.Empty, problem);
        _metrics.Reloaded(valid: false);
    }

    private void Swap(NotifierSettings settings, string? hash)
    {
        Volatile.Write(ref _current, settings);
        _hash = hash;
        _lastReloadError = null;
        LoadedAt = _time.GetUtcNow();
        NotifierLog.ConfigurationLoaded(_logger, settings.Origin, settings.Sinks.Count, settings.Routes.Count);
    }

    private (string? Text, string? Hash) Read()
    {
        if (_path is null)
        {
            return (null, null);
        }
        byte[] bytes = File.ReadAllBytes(_path);
        return (System.Text.Encoding.UTF8.GetString(bytes), Convert.ToHexString(SHA256.HashData(bytes)));
    }

    private static List<KeyValuePair<string, string?>> Overrides()
    {
        var overrides = new List<KeyValuePair<string, string?>>();
        foreach (DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            if (entry.Key is string name && name.StartsWith(NotifierConfigLoader.EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
            {
                overrides.Add(new(name[NotifierConfigLoader.EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), entry.Value as string));
            }
        }
        return overrides;
    }
}
