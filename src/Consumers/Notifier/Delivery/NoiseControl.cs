using System.Collections.Concurrent;

namespace Bridge.Notifier.Delivery;

/// <summary>
/// The notifier's memory of what it already sent: events by (source, id) within a window, and the repeated Flagger
/// messages by rollout, route and sink with the phase and text they were sent in. In memory: after a restart an
/// event may be sent once more (delivery is at least once).
/// </summary>
internal sealed class NoiseControl(TimeProvider time)
{
    /// <summary>Entries kept before old ones are pruned.</summary>
    public const int Capacity = 100_000;

    private static readonly TimeSpan RepeatMemory = TimeSpan.FromDays(1);

    private readonly ConcurrentDictionary<(string Source, string Id), DateTimeOffset> _seen = new();
    private readonly ConcurrentDictionary<string, (string State, DateTimeOffset At)> _repeated = new(StringComparer.Ordinal);

    /// <summary>True when (source, id) was fully handled less than <paramref name="window"/> ago.</summary>
    public bool IsDuplicate(string source, string id, TimeSpan window) =>
        window > TimeSpan.Zero && _seen.TryGetValue((source, id), out DateTimeOffset at) && time.GetUtcNow() - at < window;

    /// <summary>Remembers an event once every route delivered or gave up (not earlier: a redelivery after a failure must pass).</summary>
    public void MarkHandled(string source, string id, TimeSpan window)
    {
        if (window <= TimeSpan.Zero)
        {
            return;
        }
        DateTimeOffset now = time.GetUtcNow();
        _seen[(source, id)] = now;
        if (_seen.Count > Capacity)
        {
            foreach (var entry in _seen.Where(e => now - e.Value >= window).ToList())
            {
                _seen.TryRemove(entry.Key, out _);
            }
        }
    }

    /// <summary>True when <paramref name="key"/> was already sent in <paramref name="state"/> (its phase and text).</summary>
    public bool WasSent(string key, string state) =>
        _repeated.TryGetValue(key, out var sent) && string.Equals(sent.State, state, StringComparison.Ordinal);

    public void MarkSent(string key, string state)
    {
        DateTimeOffset now = time.GetUtcNow();
        _repeated[key] = (state, now);
        if (_repeated.Count > Capacity)
        {
            foreach (var entry in _repeated.Where(e => now - e.Value.At >= RepeatMemory).ToList())
            {
                _repeated.TryRemove(entry.Key, out _);
            }
        }
    }
}
