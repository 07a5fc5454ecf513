using Bridge.CloudEvents;
using Bridge.CloudEvents.Kafka;
using Bridge.Server.Kafka;
using Bridge.Server.Spool;

namespace Bridge.Server.Tests.Spool;

public sealed class SpoolingEventPublisherTests : IDisposable
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(150);

    private readonly string _directory = Directory.CreateTempSubdirectory("bridge-spool-test-").FullName;
    private readonly LogCollector _logs = new();
    private readonly ScriptedPublisher _kafka = new();
    private readonly SpoolStore _store;

    public SpoolingEventPublisherTests()
    {
        _store = new SpoolStore(_directory, 1024 * 1024, 64 * 1024, null, _logs.CreateLogger<SpoolStore>());
    }

    public void Dispose()
    {
        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task PublishAsync_KafkaAcknowledgesWithinBudget_KafkasReceiptNothingSpooled()
    {
        _store.Open();

        var receipt = await Publisher().PublishAsync(ScriptedPublisher.Event("e1", "test/a"), CancellationToken.None);

        Assert.False(receipt.Spooled);
        Assert.Equal("events", receipt.Topic);
        Assert.Equal(0, _store.Count);
    }

    [Fact]
    public async Task PublishAsync_KafkaSilentPastBudget_SpooledAndItsCanaryQueuesBehind()
    {
        _store.Open();
        var never = new TaskCompletionSource<PublishReceipt>();
        _kafka.Answer = _ => never.Task;
        var publisher = Publisher();

        var first = await publisher.PublishAsync(ScriptedPublisher.Event("e1", "test/a"), CancellationToken.None);
        _kafka.Answer = _ => null;
        var second = await publisher.PublishAsync(ScriptedPublisher.Event("e2", "test/a"), CancellationToken.None);
        var other = await publisher.PublishAsync(ScriptedPublisher.Event("e3", "test/b"), CancellationToken.None);

        Assert.True(first.Spooled);
        Assert.Equal(-1, first.Offset);
        Assert.Equal("events", first.Topic);
        Assert.True(second.Spooled, "A later event of a canary with spooled events must queue behind them.");
        Assert.False(other.Spooled);
        Assert.Equal(["e1", "e3"], _kafka.Calls);
        Assert.Equal(2, _store.Count);
        Assert.True(_store.HasPending("test/a"));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 1604 && e.Message.Contains("Spool:KafkaBudget", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublishAsync_KafkaRefusesWithinBudget_Spooled()
    {
        _store.Open();
        _kafka.Answer = _ => ScriptedPublisher.Fail("The Kafka producer's queue is full.");

        var receipt = await Publisher().PublishAsync(ScriptedPublisher.Event("e1", "test/a"), CancellationToken.None);

        Assert.True(receipt.Spooled);
        Assert.True(_store.TryTake(out var entry));
        Assert.Null(entry.Original);
    }

    [Fact]
    public async Task PublishAsync_SpoolCannotTakeIt_AnswerIsKafkasOwnAfterTheBudget()
    {
        // Not opened: the spool refuses everything.
        var late = new TaskCompletionSource<PublishReceipt>();
        _kafka.Answer = _ => late.Task;

        var publish = Publisher().PublishAsync(ScriptedPublisher.Event("e1", "test/a"), CancellationToken.None).AsTask();
        await Wait.UntilAsync(() => _logs.Has(1605), "the spool refused the event");
        Assert.False(publish.IsCompleted);
        late.SetResult(new PublishReceipt("events", 3, 99));

        var receipt = await publish;
        Assert.Equal(new PublishReceipt("events", 3, 99), receipt);
    }

    [Fact]
    public async Task PublishAsync_SpoolCannotTakeItAndKafkaFails_PublishFailedNamingBoth()
    {
        _kafka.Answer = _ => ScriptedPublisher.Fail("Kafka did not take the event: broker down.");

        var error = await Assert.ThrowsAsync<PublishFailedException>(() => Publisher().PublishAsync(ScriptedPublisher.Event("e1", "test/a"), CancellationToken.None).AsTask());

        Assert.Contains("broker down", error.Message, StringComparison.Ordinal);
        Assert.Contains("not open", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAsync_SpoolDisabled_StraightToKafkaAndItsFailure()
    {
        _kafka.Answer = _ => ScriptedPublisher.Fail("Kafka did not acknowledge the event within 5 s.");
        var publisher = new SpoolingEventPublisher(_kafka, store: null, null, Budget, "events", _logs.CreateLogger<SpoolingEventPublisher>());

        var error = await Assert.ThrowsAsync<PublishFailedException>(() => publisher.PublishAsync(ScriptedPublisher.Event("e1", "test/a"), CancellationToken.None).AsTask());

        Assert.Equal("Kafka did not acknowledge the event within 5 s.", error.Message);
        Assert.False(publisher.SpoolEnabled);
    }

    [Fact]
    public async Task PublishAsync_EventWithoutKey_NeverQueuedBehindOthers()
    {
        _store.Open();
        _kafka.Answer = _ => ScriptedPublisher.Fail();
        var publisher = Publisher();
        Assert.True((await publisher.PublishAsync(ScriptedPublisher.Event("e1", null), CancellationToken.None)).Spooled);
        _kafka.Answer = _ => null;

        var receipt = await publisher.PublishAsync(ScriptedPublisher.Event("e2", null), CancellationToken.None);

        Assert.False(receipt.Spooled);
        Assert.Equal(["e1", "e2"], _kafka.Calls);
    }

    [Theory]
    [InlineData("json", KafkaContentMode.Binary)]
    [InlineData("json", KafkaContentMode.Structured)]
    [InlineData("text", KafkaContentMode.Binary)]
    [InlineData("text", KafkaContentMode.Structured)]
    [InlineData("bytes", KafkaContentMode.Binary)]
    [InlineData("bytes", KafkaContentMode.Structured)]
    [InlineData("none", KafkaContentMode.Structured)]
    public async Task PublishAsync_SpooledEvent_ForwardedAsTheSameKafkaRecord(string data, KafkaContentMode mode)
    {
        _store.Open();
        _kafka.Answer = _ => ScriptedPublisher.Fail();
        var sent = ScriptedPublisher.Event("e1", "test/a");
        sent.Subject = "test/a";
        sent.Time = DateTimeOffset.FromUnixTimeMilliseconds(1736500000123);
        sent.SetExtension("phase", "Progressing");
        (sent.DataContentType, sent.Data) = data switch
        {
            "json" => ("application/json", CloudEventData.FromJson("""{"name":"a","metadata":{"eventMessage":"Advance a.test canary weight 10"}}""")),
            "text" => ("text/plain", CloudEventData.FromText("Advance a.test canary weight 10")),
            "bytes" => ("application/octet-stream", CloudEventData.FromBytes(new byte[] { 0, 1, 2, 255 })),
            _ => ((string?)null, CloudEventData.None),
        };

        await Publisher().PublishAsync(sent, CancellationToken.None);
        Assert.True(_store.TryTake(out var entry));
        var record = _store.Read(entry);
        var forwarded = ProtobufEventFormat.Decode(record.Event.Span);

        Assert.Equal("test/a", record.Key);
        var expected = Bridge.CloudEvents.Kafka.KafkaBinding.ToRecord(sent, mode, "test/a");
        var actual = Bridge.CloudEvents.Kafka.KafkaBinding.ToRecord(forwarded, mode, forwarded[CloudEventAttributes.PartitionKey.Name] as string);
        Assert.Equal(expected.Key, actual.Key);
        Assert.Equal(expected.Value, actual.Value);
        Assert.Equal(expected.Headers.Select(h => (h.Name, Convert.ToHexString(h.Value ?? []))), actual.Headers.Select(h => (h.Name, Convert.ToHexString(h.Value ?? []))));
    }

    private SpoolingEventPublisher Publisher() =>
        new(_kafka, _store, null, Budget, "events", _logs.CreateLogger<SpoolingEventPublisher>());
}
