using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Bridge.Notifier.Actions;

/// <summary>Where an action stands for one idempotency key.</summary>
internal enum ActionState
{
    /// <summary>The target is about to be called (written before the call, so a crash in the call leaves it behind).</summary>
    Started,

    /// <summary>The target accepted; the action never runs again for this key.</summary>
    Succeeded,

    /// <summary>The target refused or could not be reached; a later delivery of the event may try again.</summary>
    Failed,

    /// <summary>An interrupted run that was not retried (<c>interrupted: skip</c>); the action never runs again for this key.</summary>
    Abandoned,
}

/// <summary>The last state recorded for a key.</summary>
internal sealed record LedgerEntry(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("state")] ActionState State,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("detail")] string? Detail);

/// <summary>
/// The durable memory of which actions ran: an append-only file of JSON lines, one per state change, flushed to disk
/// before the call it guards is made, and loaded at start. Keeps actions at most once per rollout across redeliveries
/// and restarts.
/// </summary>
/// <remarks>
/// <para>Each run writes <see cref="ActionState.Started"/> before calling the target and
/// <see cref="ActionState.Succeeded"/> or <see cref="ActionState.Failed"/> after. A key whose last line is
/// <c>Started</c> when the ledger is read again was interrupted between the two (a crash, a kill, a full disk): the
/// target may or may not have acted.</para>
/// <para>A crash while appending leaves at most a torn last line; it is dropped on load (its run had not reached the
/// target yet, or its outcome is unknown just like an interrupted run). Entries older than the retention are dropped
/// when the file is compacted (at load and when it has grown well past the live entries), which bounds its size.</para>
/// <para>Thread-safe. One instance per file: a lock file next to it keeps a second instance (another replica sharing
/// the volume, a second open in this process) out.</para>
/// </remarks>
internal sealed class ActionLedger : IDisposable
{
    private const int CompactionSlack = 1000;

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly Dictionary<string, LedgerEntry> entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> keyLocks = new(StringComparer.Ordinal);
    private readonly Lock sync = new();
    private readonly string? path;
    private readonly TimeSpan retention;
    private readonly TimeProvider clock;
    private FileStream? file;
    private FileStream? exclusive;
    private int linesSinceCompaction;

    private ActionLedger(string? path, TimeSpan retention, TimeProvider clock)
    {
        this.path = path;
        this.retention = retention;
        this.clock = clock;
    }

    /// <summary>The ledger's file; null for an in-memory ledger.</summary>
    public string? Path => path;

    /// <summary>Keys with a live entry.</summary>
    public int Count
    {
        get
        {
            lock (sync)
            {
                return entries.Count;
            }
        }
    }

    /// <summary>A ledger that forgets everything when the process ends (development and tests: <c>ledger: memory</c>).</summary>
    public static ActionLedger InMemory(TimeSpan retention, TimeProvider clock) => new(null, retention, clock);

    /// <summary>
    /// Opens (or creates) the ledger file, reads it, drops a torn last line and expired entries, and rewrites it
    /// compactly. Throws <see cref="IOException"/> when the file cannot be opened (e.g. another process holds it).
    /// </summary>
    public static ActionLedger Open(string path, TimeSpan retention, TimeProvider clock, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(logger);
        var ledger = new ActionLedger(path, retention, clock);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
        try
        {
            // The ledger file itself is replaced on compaction, so the lock lives in a file of its own.
            ledger.exclusive = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"the ledger '{path}' is in use by another notifier (its lock file '{path}.lock' is held); give each replica its own data directory", e);
        }
        try
        {
            ledger.Load(logger);
            lock (ledger.sync)
            {
                ledger.CompactLocked();
            }
        }
        catch
        {
            ledger.Dispose();
            throw;
        }
        return ledger;
    }

    /// <summary>The last entry for <paramref name="key"/>, or null when the key is unknown (or expired).</summary>
    public LedgerEntry? Get(string key)
    {
        lock (sync)
        {
            return entries.TryGetValue(key, out LedgerEntry? entry) ? entry : null;
        }
    }

    /// <summary>Records a state for <paramref name="key"/>; returns once it is on disk (for a file ledger).</summary>
    public LedgerEntry Record(string key, ActionState state, string? detail = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var entry = new LedgerEntry(key, state, clock.GetUtcNow(), detail);
        lock (sync)
        {
            if (path is not null)
            {
                ObjectDisposedException.ThrowIf(file is null, this);
                byte[] line = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, JsonOptions) + "\n");
                file.Write(line);
                // The line must be on disk before the target is called, or a crash could forget a call that happened.
                file.Flush(flushToDisk: true);
            }
            linesSinceCompaction++;
            entries[key] = entry;
            if (linesSinceCompaction > (2 * entries.Count) + CompactionSlack)
            {
                CompactLocked();
            }
        }
        return entry;
    }

    /// <summary>
    /// Serialises runs of one key inside this process (two routes selecting the same action, a redelivery racing the
    /// first delivery), so the check and the run it guards cannot interleave.
    /// </summary>
    public async Task<IDisposable> LockAsync(string key, CancellationToken cancellationToken)
    {
        SemaphoreSlim gate = keyLocks.GetOrAdd(key, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        return new Release(gate);
    }

    public void Dispose()
    {
        lock (sync)
        {
            file?.Dispose();
            file = null;
            exclusive?.Dispose();
            exclusive = null;
        }
    }

    private void Load(ILogger logger)
    {
        if (!File.Exists(path))
        {
            return;
        }
        byte[] bytes = File.ReadAllBytes(path!);
        int complete = Array.LastIndexOf(bytes, (byte)'\n') + 1;
        if (complete < bytes.Length)
        {
            ActionLog.LedgerTornLine(logger, path!, bytes.Length - complete);
        }
        DateTimeOffset oldest = clock.GetUtcNow() - retention;
        int lineNumber = 0;
        foreach (string line in Encoding.UTF8.GetString(bytes, 0, complete).Split('\n'))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            LedgerEntry? entry;
            try
            {
                entry = JsonSerializer.Deserialize<LedgerEntry>(line, JsonOptions);
            }
            catch (JsonException)
            {
                entry = null;
            }
            if (entry is null || string.IsNullOrEmpty(entry.Key))
            {
                ActionLog.LedgerBadLine(logger, path!, lineNumber);
                continue;
            }
            if (entry.At >= oldest)
            {
                entries[entry.Key] = entry;
            }
            else
            {
                entries.Remove(entry.Key);
            }
        }
    }

    private void CompactLocked()
    {
        DateTimeOffset oldest = clock.GetUtcNow() - retention;
        foreach (string expired in entries.Where(e => e.Value.At < oldest).Select(e => e.Key).ToList())
        {
            entries.Remove(expired);
        }
        linesSinceCompaction = 0;
        if (path is null)
        {
            return;
        }
        file?.Dispose();
        string temporary = path + ".tmp";
        using (var rewrite = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            foreach (LedgerEntry entry in entries.Values.OrderBy(e => e.At))
            {
                rewrite.Write(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(entry, JsonOptions) + "\n"));
            }
            rewrite.Flush(flushToDisk: true);
        }
        // Rename is atomic: a crash leaves either the old complete file or the new one.
        File.Move(temporary, path, overwrite: true);
        file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    private sealed class Release(SemaphoreSlim gate) : IDisposable
    {
        private int released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref released, 1) == 0)
            {
                gate.Release();
            }
        }
    }
}

/// <summary>
/// The ledgers of this process, one per file, shared by the action sinks that use it: a configuration reload builds
/// new sinks over the same ledger instead of opening the file twice.
/// </summary>
internal sealed class ActionLedgers(ILoggerFactory loggerFactory) : IDisposable
{
    private readonly Dictionary<string, ActionLedger> ledgers = new(StringComparer.Ordinal);
    private readonly Lock sync = new();

    /// <summary>The ledger of <paramref name="path"/>, opened on first use.</summary>
    public ActionLedger Open(string path, TimeSpan retention, TimeProvider clock)
    {
        string full = Path.GetFullPath(path);
        lock (sync)
        {
            if (!ledgers.TryGetValue(full, out ActionLedger? ledger))
            {
                ledger = ActionLedger.Open(full, retention, clock, loggerFactory.CreateLogger<ActionLedger>());
                ledgers[full] = ledger;
            }
            return ledger;
        }
    }

    public void Dispose()
    {
        lock (sync)
        {
            foreach (ActionLedger ledger in ledgers.Values)
            {
                ledger.Dispose();
            }
            ledgers.Clear();
        }
    }
}
