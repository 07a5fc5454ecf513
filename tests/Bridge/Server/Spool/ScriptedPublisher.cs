using System.Collections.Concurrent;
using Bridge.CloudEvents;
using Bridge.Server.Kafka;

namespace Bridge.Server.Tests.Spool;

/// <summary>
/// An in-memory stand-in for Kafka in unit tests of the spool's logic: each publish is answered by
/// <see cref="Answer"/> (acknowledge, fail, or a task the test completes), and every call is recorded.
/// </summary>
internal sealed class ScriptedPublisher : IEventPublisher
{
    private readonly ConcurrentQueue<string> _calls = new();
    private readonly ConcurrentQueue<string> _acknowledged = new();
    private long _offset;

    /// <summary>Decides each publish' outcome; by default Kafka acknowledges at once.</summary>
    public Func<CloudEvent, Task<PublishReceipt>?> Answer { get; set; } = _ => null;

    /// <summary>Ids of every publish, in call order.</summary>
    public IReadOnlyList<string> Calls => [.. _calls];

    /// <summary>Ids Kafka acknowledged, in order.</summary>
    public IReadOnlyList<string> Acknowledged => [.. _acknowledged];

    public static CloudEvent Event(string id, string? key) =>
        key is null
            ? new CloudEvent { Id = id, Source = "/test", Type = "test.event" }
            : new CloudEvent { Id = id, Source = "/test", Type = "test.event", [CloudEventAttributes.PartitionKey.Name] = key };

    public static Task<PublishReceipt> Fail(string reason = "Kafka did not acknowledge the event within 5 s.") =>
        Task.FromException<PublishReceipt>(new PublishFailedException(reason));

    public async ValueTask<PublishReceipt> PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        _calls.Enqueue(cloudEvent.Id!);
        var receipt = await (Answer(cloudEvent) ?? Task.FromResult(new PublishReceipt("events", 0, Interlocked.Increment(ref _offset))));
        _acknowledged.Enqueue(cloudEvent.Id!);
        return receipt;
    }
}
