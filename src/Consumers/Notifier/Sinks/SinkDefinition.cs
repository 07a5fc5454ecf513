using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Bridge.Notifier.Sinks;

/// <summary>
/// Everything a <see cref="ISinkFactory"/> needs to build one sink: its configuration section, the HTTP client the
/// delivery pipeline made for it, and readers that turn bad values into errors naming the key.
/// </summary>
/// <remarks>
/// Keys are read case-insensitively (configuration semantics). Secrets (URLs with tokens, passwords, signing secrets)
/// may be given three ways: the value itself (<c>url</c>), a file holding it (<c>urlFile</c>, e.g. a mounted Secret),
/// or an environment variable naming it (<c>urlEnv</c>); at most one of the three.
/// </remarks>
internal sealed class SinkDefinition
{
    public SinkDefinition(string name, string kind, IConfiguration section, HttpClient http, IServiceProvider services, TimeProvider? timeProvider = null, string? dataDirectory = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(kind);
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(services);
        Name = name;
        Kind = kind;
        Section = section;
        Http = http;
        Services = services;
        TimeProvider = timeProvider ?? TimeProvider.System;
        DataDirectory = dataDirectory;
    }

    /// <summary>The sink's name (its key under <c>sinks:</c>).</summary>
    public string Name { get; }

    /// <summary>The sink's kind (<c>type:</c>).</summary>
    public string Kind { get; }

    /// <summary>The sink's own configuration (the mapping under <c>sinks.&lt;name&gt;</c>).</summary>
    public IConfiguration Section { get; }

    /// <summary>
    /// The client to send with: timeouts, retries with backoff and <c>Retry-After</c>, and this sink's circuit
    /// breaker are already in its handler pipeline. Do not dispose it.
    /// </summary>
    public HttpClient Http { get; }

    /// <summary>Services of the notifier (logging, the bridge publisher, ...).</summary>
    public IServiceProvider Services { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>Where state that must survive a restart is kept (<c>Notifier:DataDirectory</c>); null when none is configured.</summary>
    public string? DataDirectory { get; }

    /// <summary>The path of a key in error messages: <c>sinks.&lt;name&gt;.&lt;key&gt;</c>.</summary>
    public string PathOf(string key) => $"sinks.{Name}.{key}";

    /// <summary>An error naming <paramref name="key"/> of this sink.</summary>
    public NotifierConfigurationException Error(string key, string problem) => new(PathOf(key), problem);

    /// <summary>A string value, or null when the key is absent or empty.</summary>
    public string? GetString(string key)
    {
        string? value = Section[key];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>A string value that must be present.</summary>
    public string GetRequiredString(string key) =>
        GetString(key) ?? throw Error(key, "is required");

    /// <summary>A boolean (<c>true</c>/<c>false</c>), or <paramref name="defaultValue"/> when absent.</summary>
    public bool GetBool(string key, bool defaultValue)
    {
        string? value = GetString(key);
        if (value is null)
        {
            return defaultValue;
        }
        return bool.TryParse(value, out bool parsed) ? parsed : throw Error(key, $"'{value}' is not true or false");
    }

    /// <summary>An integer within [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="defaultValue"/> when absent.</summary>
    public int GetInt(string key, int defaultValue, int min = int.MinValue, int max = int.MaxValue)
    {
        string? value = GetString(key);
        if (value is null)
        {
            return defaultValue;
        }
        if (!int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed))
        {
            throw Error(key, $"'{value}' is not an integer");
        }
        return parsed < min || parsed > max ? throw Error(key, $"{parsed} is outside {min} to {max}") : parsed;
    }

    /// <summary>A list (a YAML sequence, or one scalar as a one-item list); empty when absent.</summary>
    public IReadOnlyList<string> GetList(string key)
    {
        IConfigurationSection child = Section.GetSection(key);
        if (child.Value is { Length: > 0 } single)
        {
            return [single];
        }
        return child.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();
    }

    /// <summary>A mapping of string values (e.g. <c>headers:</c>); empty when absent.</summary>
    public IReadOnlyDictionary<string, string> GetMap(string key) =>
        Section.GetSection(key).GetChildren()
            .Where(c => c.Value is not null)
            .ToDictionary(c => c.Key, c => c.Value!, StringComparer.OrdinalIgnoreCase);

    /// <summary>An absolute http(s) URL, or null when absent. May be a secret (<c>urlFile</c>, <c>urlEnv</c>).</summary>
    public Uri? GetUrl(string key)
    {
        string? value = GetSecret(key);
        if (value is null)
        {
            return null;
        }
        if (!Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            // The value may carry a token: name the key, not the value.
            throw Error(key, "is not an absolute http:// or https:// URL");
        }
        return uri;
    }

    /// <summary>An absolute http(s) URL that must be present.</summary>
    public Uri GetRequiredUrl(string key) =>
        GetUrl(key) ?? throw Error(key, $"is required (or {key}File, {key}Env)");

    /// <summary>
    /// A secret given as <c>key</c>, <c>keyFile</c> (file contents, trailing newline trimmed) or <c>keyEnv</c>
    /// (an environment variable's value); null when none is given.
    /// </summary>
    public string? GetSecret(string key)
    {
        string? direct = GetString(key);
        string? file = GetString(key + "File");
        string? env = GetString(key + "Env");
        int given = (direct is null ? 0 : 1) + (file is null ? 0 : 1) + (env is null ? 0 : 1);
        if (given > 1)
        {
            throw Error(key, $"set only one of {key}, {key}File and {key}Env");
        }
        if (file is not null)
        {
            string text = ReadFile(key + "File", file);
            return text.Length == 0 ? throw Error(key + "File", $"the file '{file}' is empty") : text;
        }
        if (env is not null)
        {
            return ReadEnvironment(key + "Env", env);
        }
        return direct;
    }

    /// <summary>
    /// The contents of a mounted file, without the trailing newline editors and <c>kubectl create secret --from-file</c>
    /// leave; an error naming <paramref name="key"/> when it cannot be read.
    /// </summary>
    public string ReadFile(string key, string path)
    {
        try
        {
            return File.ReadAllText(path).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Error(key, $"cannot read '{path}': {e.Message}");
        }
    }

    /// <summary>An environment variable's value; an error naming <paramref name="key"/> when it is unset or empty.</summary>
    public string ReadEnvironment(string key, string variable) =>
        Environment.GetEnvironmentVariable(variable) is { Length: > 0 } value
            ? value
            : throw Error(key, $"the environment variable '{variable}' is not set");

    /// <summary>A secret that must be present.</summary>
    public string GetRequiredSecret(string key) =>
        GetSecret(key) ?? throw Error(key, $"is required (or {key}File, {key}Env)");
}
