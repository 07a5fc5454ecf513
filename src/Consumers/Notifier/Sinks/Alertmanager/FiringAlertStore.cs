using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Bridge.Notifier.Sinks.Alertmanager;

/// <summary>An alert this sink fired and has not resolved: what it must send again, label for label, to resolve it.</summary>
internal sealed record FiringAlert(
    [property: JsonPropertyName("labels")] SortedDictionary<string, string> Labels,
    [property: JsonPropertyName("annotations")] SortedDictionary<string, string> Annotations,
    [property: JsonPropertyName("startsAt")] DateTimeOffset StartsAt,
    [property: JsonPropertyName("generatorURL")] string? GeneratorUrl);

/// <summary>
/// The alerts one Alertmanager sink has firing, by canary. Kept in memory, and in a JSON file of the data directory
/// when there is one, so a resolution after a restart still names the exact labels of the alert it ends.
/// </summary>
/// <remarks>The file is replaced as a whole (write, flush, rename), so it is never seen half written.</remarks>
internal sealed class FiringAlertStore
{
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = false };

    private readonly Dictionary<string, FiringAlert> alerts = new(StringComparer.Ordinal);
    private readonly Lock sync = new();
    private readonly string? path;
    private readonly ILogger logger;

    public FiringAlertStore(string? path, ILogger logger)
    {
        this.path = path;
        this.logger = logger;
        if (path is not null && File.Exists(path))
        {
            try
            {
                var stored = JsonSerializer.Deserialize<Dictionary<string, FiringAlert>>(File.ReadAllBytes(path), JsonOptions);
                foreach ((string key, FiringAlert alert) in stored ?? [])
                {
                    alerts[key] = alert;
                }
            }
            catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
            {
                AlertmanagerLog.StateUnreadable(logger, e, path);
            }
        }
    }

    public FiringAlert? Get(string canaryKey)
    {
        lock (sync)
        {
            return alerts.TryGetValue(canaryKey, out FiringAlert? alert) ? alert : null;
        }
    }

    public void Set(string canaryKey, FiringAlert alert)
    {
        lock (sync)
        {
            alerts[canaryKey] = alert;
            SaveLocked();
        }
    }

    public void Remove(string canaryKey)
    {
        lock (sync)
        {
            if (alerts.Remove(canaryKey))
            {
                SaveLocked();
            }
        }
    }

    private void SaveLocked()
    {
        if (path is null)
        {
            return;
        }
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            string temporary = path + ".tmp";
            using (var file = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(file, alerts, JsonOptions);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Alertmanager already has the alert; losing the state only costs a resolution after a restart.
            AlertmanagerLog.StateNotSaved(logger, e, path);
        }
    }
}

/// <summary>
/// The stores of this process, one per sink name: a configuration reload builds a new sink that carries on with the
/// alerts its predecessor fired, even without a data directory.
/// </summary>
internal sealed class FiringAlertStores(ILoggerFactory loggerFactory)
{
    private readonly Dictionary<string, FiringAlertStore> stores = new(StringComparer.Ordinal);
    private readonly Lock sync = new();

    /// <summary>The store of sink <paramref name="sinkName"/>, kept in <paramref name="path"/> when it is set.</summary>
    public FiringAlertStore Get(string sinkName, string? path)
    {
        string key = $"{sinkName}\n{path}";
        lock (sync)
        {
            if (!stores.TryGetValue(key, out FiringAlertStore? store))
            {
                store = new FiringAlertStore(path, loggerFactory.CreateLogger<FiringAlertStore>());
                stores[key] = store;
            }
            return store;
        }
    }
}
