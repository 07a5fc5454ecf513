using System.Collections.Concurrent;
using System.Threading.Channels;

namespace Bridge.Audit.Live;

/// <summary>One server-sent event: its name (<c>stored</c>, <c>rollout</c>), the namespace it is about, and its JSON.</summary>
internal sealed record LiveMessage(string Event, string? Namespace, string? Canary, string Json);

/// <summary>
/// Fans out what was committed to the open <c>/api/v1/stream</c> connections. A client that falls more than
/// <see cref="Capacity"/> messages behind is disconnected rather than slowing the writer; it reconnects and reloads.
/// </summary>
internal sealed class LiveFeed
{
    public const int Capacity = 1000;

    private readonly ConcurrentDictionary<long, Channel<LiveMessage>> _listeners = new();
    private long _next;

    public int ListenerCount => _listeners.Count;

    public Listener Listen()
    {
        var id = Interlocked.Increment(ref _next);
        var channel = Channel.CreateBounded<LiveMessage>(new BoundedChannelOptions(Capacity) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
        _listeners[id] = channel;
        return new Listener(this, id, channel.Reader);
    }

    public void Publish(LiveMessage message)
    {
        foreach (var (id, channel) in _listeners)
        {
            if (!channel.Writer.TryWrite(message))
            {
                channel.Writer.TryComplete(new InvalidOperationException($"The stream fell more than {Capacity} messages behind."));
                _listeners.TryRemove(id, out _);
            }
        }
    }

    /// <summary>An open listener; disposing it stops delivery to it.</summary>
    internal sealed class Listener(LiveFeed feed, long id, ChannelReader<LiveMessage> reader) : IDisposable
    {
        public ChannelReader<LiveMessage> Reader { get; } = reader;

        public void Dispose()
        {
            if (feed._listeners.TryRemove(id, out var channel))
            {
                channel.Writer.TryComplete();
            }
        }
    }
}
