using Bridge.CloudEvents;
using Bridge.Server.Kafka;
using Bridge.Server.Spool;

namespace Bridge.Server.Tests.Spool;

public sealed class SpoolForwarderTests : IAsyncLifetime
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bridge-spool-test-").FullName;
    private readonly LogCollector _logs = new();
    private readonly ScriptedPublisher _kafka = new();
    private readonly SpoolStore _store;
    private SpoolForwarder? _forwarder;

    public SpoolForwarderTests()
    {
        _store = new SpoolStore(_directory, 4 * 1024 * 1024, 64 * 1024, null, _logs.CreateLogger<SpoolStore>());
        _store.Open();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        if (_forwarder is not null)
        {
            await _forwarder.StopAsync(CancellationToken.None);
            _forwarder.Dispose();
        }

        _store.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task Forwarder_RecordsOfSeveralCanaries_ProducedInSpoolOrderPerCanaryAndRemoved()
    {
        var sent = new List<(string Id, string Key)>();
        for (var i = 0; i < 30; i++)
        {
            var key = $"test/c{i % 3}";
            sent.Add(($"e{i}", key));
            await AppendAsync($"e{i}", key);
        }

        await StartAsync();
        await Wait.UntilAsync(() => _store.Count == 0, "the spool drained");

        Assert.Equal(30, _kafka.Acknowledged.Count);
        foreach (var key in sent.Select(s => s.Key).Distinct())
        {
            var expected = sent.Where(s => s.Key == key).Select(s => s.Id).ToList();
            Assert.Equal(expected, _kafka.Acknowledged.Where(expected.Contains));
        }

        Assert.Equal(30, _forwarder!.Forwarded);
        await Wait.UntilAsync(() => _logs.Has(1608), "the drain was logged");
    }

    [Fact]
    public async Task Forwarder_KafkaRefusesThenRecovers_SameRecordRetriedFirstNothingReordered()
    {
        var failures = 3;
        _kafka.Answer = _ => Interlocked.Decrement(ref failures) >= 0 ? ScriptedPublisher.Fail("Kafka is down.") : null;
        for (var i = 0; i < 5; i++)
        {
            await AppendAsync($"e{i}", "test/a");
        }

        await StartAsync();
        await Wait.UntilAsync(() => _store.Count == 0, "the spool drained");

        Assert.Equal(["e0", "e1", "e2", "e3", "e4"], _kafka.Acknowledged);
        Assert.Equal(["e0", "e0", "e0", "e0"], _kafka.Calls.Take(4));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 1606 && e.Message.Contains("Kafka is down.", StringComparison.Ordinal));
        Assert.True(_logs.Has(1607), "Forwarding resumed must be logged.");
    }

    [Fact]
    public async Task Forwarder_OriginalPublishAcknowledgedLate_RecordRemovedWithoutProducingItAgain()
    {
        var original = new TaskCompletionSource<bool>();
        await _store.AppendAsync("test/a", ProtobufEventFormat.Encode(ScriptedPublisher.Event("e1", "test/a")), original.Task);
        await AppendAsync("e2", "test/a");

        await StartAsync();
        await Task.Yield();
        Assert.Empty(_kafka.Calls);
        original.SetResult(true);
        await Wait.UntilAsync(() => _store.Count == 0, "the spool drained");

        Assert.Equal(["e2"], _kafka.Calls);
    }

    [Fact]
    public async Task Forwarder_OriginalPublishFailed_RecordProduced()
    {
        var original = new TaskCompletionSource<bool>();
        await _store.AppendAsync("test/a", ProtobufEventFormat.Encode(ScriptedPublisher.Event("e1", "test/a")), original.Task);
        original.SetResult(false);

        await StartAsync();
        await Wait.UntilAsync(() => _store.Count == 0, "the spool drained");

        Assert.Equal(["e1"], _kafka.Calls);
    }

    [Fact]
    public async Task Forwarder_SpoolDisabled_ForwardsNothing()
    {
        await AppendAsync("e1", "test/a");
        _forwarder = new SpoolForwarder(_store, _kafka, new SpoolOptions { Enabled = false }, null, _logs.CreateLogger<SpoolForwarder>());

        await _forwarder.StartAsync(CancellationToken.None);
        await (_forwarder.ExecuteTask ?? Task.CompletedTask);

        Assert.Empty(_kafka.Calls);
        Assert.Equal(1, _store.Count);
    }

    [Fact]
    public async Task Forwarder_Stop_RecordsProgressSoRestartSkipsForwardedRecords()
    {
        for (var i = 0; i < 4; i++)
        {
            await AppendAsync($"e{i}", "test/a");
        }

        await StartAsync();
        await Wait.UntilAsync(() => _store.Count == 0, "the spool drained");
        await _forwarder!.StopAsync(CancellationToken.None);
        _store.Dispose();

        using var reopened = new SpoolStore(_directory, 4 * 1024 * 1024, 64 * 1024, null, _logs.CreateLogger<SpoolStore>());
        reopened.Open();

        Assert.Equal(0, reopened.Count);
    }

    private Task AppendAsync(string id, string? key) =>
        _store.AppendAsync(key, ProtobufEventFormat.Encode(ScriptedPublisher.Event(id, key)), original: null).AsTask();

    private async Task StartAsync()
    {
        _forwarder = new SpoolForwarder(
            _store,
            _kafka,
            new SpoolOptions { RetryBackoff = TimeSpan.FromMilliseconds(20), MaxRetryBackoff = TimeSpan.FromMilliseconds(50) },
            null,
            _logs.CreateLogger<SpoolForwarder>());
        await _forwarder.StartAsync(CancellationToken.None);
    }
}
