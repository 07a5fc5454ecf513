using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>The Slack thread of one rollout: where its opening message is, and the text it opened with.</summary>
internal sealed record SlackThread(
    [property: JsonPropertyName("key")] string Key,
    [property: JsonPropertyName("channel")] string Channel,
    [property: JsonPropertyName("ts")] string Ts,
    [property: JsonPropertyName("text")] string OpeningText);

/// <summary>
/// The threads a Slack bot sink has opened, by rollout: bounded (the least recently used thread is forgotten first)
/// and, when a file is given, saved after every change so a restarted notifier keeps replying in the same threads.
/// </summary>
/// <remarks>
/// The file is written to a temporary name and renamed over the old one, so a crash mid-write leaves the previous
/// state, never a torn file. A file that cannot be read or written costs the threads, not the delivery.
/// </remarks>
internal sealed class SlackThreadStore
{
    private readonly Lock gate = new();
    private readonly int capacity;
    private readonly string? path;
    private readonly string sinkName;
    private readonly ILogger logger;
    private readonly string temporarySuffix = Guid.NewGuid().ToString("N")[..12];
    private readonly Dictionary<string, LinkedListNode<SlackThread>> index = new(StringComparer.Ordinal);

    // Most recently used first.
    private readonly LinkedList<SlackThread> order = new();

    public SlackThreadStore(int capacity, string? path, string sinkName, ILogger logger)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        this.capacity = capacity;
        this.path = path;
        this.sinkName = sinkName;
        this.logger = logger;
        Load();
    }

    public int Count
    {
        get
        {
            lock (gate)
            {
                return index.Count;
            }
        }
    }

    public SlackThread? Get(string key)
    {
        lock (gate)
        {
            if (!index.TryGetValue(key, out LinkedListNode<SlackThread>? node))
            {
                return null;
            }
            order.Remove(node);
            order.AddFirst(node);
            return node.Value;
        }
    }

    public void Set(SlackThread thread)
    {
        lock (gate)
        {
            if (index.Remove(thread.Key, out LinkedListNode<SlackThread>? old))
            {
                order.Remove(old);
            }
            index[thread.Key] = order.AddFirst(thread);
            while (index.Count > capacity)
            {
                index.Remove(order.Last!.Value.Key);
                order.RemoveLast();
            }
            Save();
        }
    }

    public void Remove(string key)
    {
        lock (gate)
        {
            if (index.Remove(key, out LinkedListNode<SlackThread>? node))
            {
                order.Remove(node);
                Save();
            }
        }
    }

    private void Load()
    {
        if (path is null || !File.Exists(path))
        {
            return;
        }
        try
        {
            SlackThread[] threads = JsonSerializer.Deserialize<SlackThread[]>(File.ReadAllBytes(path)) ?? [];
            // The file lists the most recent first; appending keeps that order and the capacity keeps the newest.
            foreach (SlackThread thread in threads.Where(t => t is { Key: not null, Channel: not null, Ts: not null }).Take(capacity))
            {
                if (!index.ContainsKey(thread.Key))
                {
                    index[thread.Key] = order.AddLast(thread with { OpeningText = thread.OpeningText ?? string.Empty });
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or JsonException)
        {
            ChatLog.SlackThreadsUnreadable(logger, sinkName, path, e);
        }
    }

    private void Save()
    {
        if (path is null)
        {
            return;
        }
        // One temporary name per instance: after a configuration reload the old and the new sink may both save.
        string temporary = $"{path}.{temporarySuffix}.tmp";
        try
        {
            using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None))
            {
                JsonSerializer.Serialize(stream, order.ToArray(), ChatHttp.JsonOptions);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            ChatLog.SlackThreadsNotSaved(logger, sinkName, path, e);
        }
    }
}
