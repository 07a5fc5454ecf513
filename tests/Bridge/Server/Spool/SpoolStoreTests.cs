using System.Text;
using Bridge.Server.Spool;

namespace Bridge.Server.Tests.Spool;

public sealed class SpoolStoreTests : IDisposable
{
    private const long Max = 1024 * 1024;
    private const long Segment = 64 * 1024;

    private readonly string _directory = Directory.CreateTempSubdirectory("bridge-spool-test-").FullName;
    private readonly LogCollector _logs = new();
    private readonly List<SpoolStore> _stores = [];

    public void Dispose()
    {
        foreach (var store in _stores)
        {
            store.Dispose();
        }

        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public async Task AppendAsync_ThenReopen_EveryRecordBackWithKeyAndBytes()
    {
        var store = Open();
        await AppendAsync(store, "test/a", "a1");
        await AppendAsync(store, null, "keyless");
        await AppendAsync(store, "test/a", "a2");
        store.Dispose();

        var reopened = Open();

        Assert.Equal(3, reopened.Count);
        Assert.Equal(["a1", "keyless", "a2"], Drain(reopened).Select(r => r.Text));
        Assert.True(_logs.Has(1600));
    }

    [Fact]
    public async Task TryTake_SameKey_OneAtATimeInSpoolOrder()
    {
        var store = Open();
        await AppendAsync(store, "test/a", "a1");
        await AppendAsync(store, "test/a", "a2");
        await AppendAsync(store, "test/b", "b1");

        Assert.True(store.TryTake(out var first));
        Assert.True(store.TryTake(out var second));
        var blocked = store.TryTake(out _);
        store.Complete(first);
        Assert.True(store.TryTake(out var third));

        Assert.Equal("a1", Text(store.Read(first)));
        Assert.Equal("b1", Text(store.Read(second)));
        Assert.False(blocked, "a2 must wait until a1 is on Kafka.");
        Assert.Equal("a2", Text(store.Read(third)));
    }

    [Fact]
    public async Task TryTake_RecordsWithoutKey_AllAtOnce()
    {
        var store = Open();
        await AppendAsync(store, null, "x");
        await AppendAsync(store, null, "y");

        Assert.True(store.TryTake(out _));
        Assert.True(store.TryTake(out _));
    }

    [Fact]
    public async Task Return_FailedForward_SameRecordTakenAgainBeforeLaterOnes()
    {
        var store = Open();
        await AppendAsync(store, "test/a", "a1");
        await AppendAsync(store, "test/a", "a2");
        Assert.True(store.TryTake(out var first));

        store.Return(first);

        Assert.True(store.TryTake(out var again));
        Assert.Equal(first.Sequence, again.Sequence);
        Assert.True(store.HasPending("test/a"));
    }

    [Fact]
    public async Task HasPending_UntilLastRecordOfKeyCompleted()
    {
        var store = Open();
        await AppendAsync(store, "test/a", "a1");
        Assert.True(store.HasPending("test/a"));
        Assert.False(store.HasPending("test/b"));

        Assert.True(store.TryTake(out var entry));
        store.Complete(entry);

        Assert.False(store.HasPending("test/a"));
        Assert.Equal(0, store.Count);
    }

    [Fact]
    public async Task Open_TornLastRecord_DroppedAndTruncatedWithWarning_LaterAppendsReadBack()
    {
        var store = Open();
        await AppendAsync(store, "test/a", "a1");
        await AppendAsync(store, "test/a", "a2");
        await AppendAsync(store, "test/a", "a3-cut-short");
        store.Dispose();
        var file = Segments().Single();
        var whole = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(whole - 5);
        }

        var reopened = Open();
        await AppendAsync(reopened, "test/a", "a4");
        reopened.Dispose();
        var again = Open();

        Assert.Equal(["a1", "a2", "a4"], Drain(again).Select(r => r.Text));
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 1601 && e.Message.Contains(file, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_ZeroFilledTail_Dropped()
    {
        var store = Open();
        await AppendAsync(store, "test/a", "a1");
        store.Dispose();
        using (var stream = new FileStream(Segments().Single(), FileMode.Append))
        {
            stream.Write(new byte[4096]);
        }

        var reopened = Open();

        Assert.Equal(["a1"], Drain(reopened).Select(r => r.Text));
        Assert.True(_logs.Has(1601));
    }

    [Fact]
    public async Task Open_ChecksumMismatchInLastRecord_Dropped()
    {
        var store = Open();
        await AppendAsync(store, "test/a", "a1");
        await AppendAsync(store, "test/a", "a2");
        store.Dispose();
        var file = Segments().Single();
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(file, bytes);

        var reopened = Open();

        Assert.Equal(["a1"], Drain(reopened).Select(r => r.Text));
        Assert.True(_logs.Has(1601));
    }

    [Fact]
    public async Task Open_DamageInsideOlderSegment_ReportsErrorKeepsReadableRecordsAndKeepsFileAsCorrupt()
    {
        var store = Open();
        var payload = new string('x', 20 * 1024);
        for (var i = 0; i < 6; i++)
        {
            await AppendAsync(store, "test/a", $"{i}:{payload}");
        }

        store.Dispose();
        var segments = Segments();
        Assert.True(segments.Count >= 2, $"Expected several segments, got {segments.Count}.");
        var first = segments[0];
        var bytes = File.ReadAllBytes(first);
        bytes[bytes.Length - 100] ^= 0xFF;
        File.WriteAllBytes(first, bytes);

        var reopened = Open();
        var texts = Drain(reopened).Select(r => r.Text[..r.Text.IndexOf(':', StringComparison.Ordinal)]).ToList();

        Assert.Contains(_logs.Entries, e => e.EventId.Id == 1602 && e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains(first, StringComparison.Ordinal));
        Assert.DoesNotContain(_logs.Entries, e => e.EventId.Id == 1601);
        Assert.Equal("0", texts[0]);
        Assert.Equal("5", texts[^1]);
        Assert.True(texts.Count < 6, "The damaged record must not be read back.");
        Assert.True(File.Exists(first + SpoolStore.CorruptExtension), "The damaged segment is kept for inspection once its readable records are forwarded.");
        Assert.False(File.Exists(first));
    }

    [Fact]
    public async Task Complete_EverythingOfFullSegment_SegmentFileDeletedAndBytesShrink()
    {
        var store = Open();
        var payload = new string('x', 20 * 1024);
        for (var i = 0; i < 6; i++)
        {
            await AppendAsync(store, $"test/{i}", payload);
        }

        var filesBefore = Segments().Count;
        var bytesBefore = store.Bytes;

        Drain(store);

        Assert.True(filesBefore >= 2);
        Assert.Single(Segments());
        Assert.True(store.Bytes < bytesBefore);
        Assert.Equal(0, store.Status().Count);
    }

    [Fact]
    public async Task SaveCheckpoint_ForwardedRecordsNotReadBackAfterRestart()
    {
        var store = Open();
        await AppendAsync(store, "test/a", "a1");
        await AppendAsync(store, "test/a", "a2");
        await AppendAsync(store, "test/a", "a3");
        Assert.True(store.TryTake(out var first));
        store.Complete(first);
        store.SaveCheckpoint();
        store.Dispose();

        var reopened = Open();
        await AppendAsync(reopened, "test/a", "a4");

        Assert.Equal(["a2", "a3", "a4"], Drain(reopened).Select(r => r.Text));
    }

    [Fact]
    public async Task Open_DamagedCheckpoint_EverythingForwardedAgainWithWarning()
    {
        var store = Open();
        await AppendAsync(store, "test/a", "a1");
        await AppendAsync(store, "test/a", "a2");
        Assert.True(store.TryTake(out var first));
        store.Complete(first);
        store.Dispose();
        var checkpoint = Path.Combine(_directory, SpoolStore.CheckpointFileName);
        File.WriteAllBytes(checkpoint, [1, 2, 3]);

        var reopened = Open();

        Assert.Equal(["a1", "a2"], Drain(reopened).Select(r => r.Text));
        Assert.True(_logs.Has(1611));
    }

    [Fact]
    public async Task AppendAsync_BeyondMaxBytes_RefusedNamingTheSetting()
    {
        var store = Open(maxBytes: Segment);
        var payload = new string('x', 10 * 1024);
        SpoolUnavailableException? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            try
            {
                await AppendAsync(store, "test/a", payload);
            }
            catch (SpoolUnavailableException e)
            {
                refused = e;
            }
        }

        Assert.NotNull(refused);
        Assert.Contains("Spool:MaxBytes", refused.Message, StringComparison.Ordinal);
        Assert.NotNull(store.RoomProblem());
        Assert.True(store.Bytes <= Segment);
    }

    [Fact]
    public void Open_DirectoryInUseByAnotherStore_FailsNamingTheDirectory()
    {
        Open();
        var second = new SpoolStore(_directory, Max, Segment, null, _logs.CreateLogger<SpoolStore>());
        _stores.Add(second);

        var error = Assert.Throws<SpoolUnavailableException>(second.Open);

        Assert.Contains("Spool:Directory", error.Message, StringComparison.Ordinal);
        Assert.Contains(_directory, error.Message, StringComparison.Ordinal);
        Assert.Contains("in use", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AppendAsync_NotOpen_Refused()
    {
        var store = new SpoolStore(_directory, Max, Segment, null, _logs.CreateLogger<SpoolStore>());
        _stores.Add(store);

        var error = await Assert.ThrowsAsync<SpoolUnavailableException>(() => AppendAsync(store, "k", "v"));

        Assert.Contains("not open", error.Message, StringComparison.Ordinal);
        Assert.NotNull(store.RoomProblem());
    }

    [Fact]
    public async Task AppendAsync_ManyConcurrent_AllDurableAndReadBackPerKeyInOrder()
    {
        var store = Open(maxBytes: 64 * Segment);
        var appends = Enumerable.Range(0, 8).Select(k => Task.Run(async () =>
        {
            for (var i = 0; i < 50; i++)
            {
                await AppendAsync(store, $"test/{k}", $"{k}:{i}");
            }
        }));

        await Task.WhenAll(appends);
        store.Dispose();
        var reopened = Open(maxBytes: 64 * Segment);
        var texts = Drain(reopened).Select(r => r.Text).ToList();

        Assert.Equal(400, texts.Count);
        for (var k = 0; k < 8; k++)
        {
            var prefix = $"{k}:";
            Assert.Equal(Enumerable.Range(0, 50).Select(i => $"{k}:{i}"), texts.Where(t => t.StartsWith(prefix, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task Status_RecordWaiting_AgeOfOldestAndBytes()
    {
        var clock = new Bridge.Server.Tests.Flagger.ManualTimeProvider();
        var store = Open(time: clock);
        await AppendAsync(store, "test/a", "a1");
        clock.Advance(TimeSpan.FromSeconds(42));
        await AppendAsync(store, "test/a", "a2");

        var status = store.Status();

        Assert.Equal(2, status.Count);
        Assert.Equal(TimeSpan.FromSeconds(42), status.OldestAge);
        Assert.Equal(store.Bytes, status.Bytes);
        Assert.True(status.Bytes > 0);
    }

    private SpoolStore Open(long maxBytes = Max, TimeProvider? time = null)
    {
        var store = new SpoolStore(_directory, maxBytes, Segment, null, _logs.CreateLogger<SpoolStore>(), time);
        _stores.Add(store);
        store.Open();
        return store;
    }

    private List<string> Segments() =>
        Directory.GetFiles(_directory, "*" + SpoolStore.SegmentExtension).Order(StringComparer.Ordinal).ToList();

    private static Task AppendAsync(SpoolStore store, string? key, string text) =>
        store.AppendAsync(key, Encoding.UTF8.GetBytes(text), original: null).AsTask();

    private static string Text(SpoolRecord record) => Encoding.UTF8.GetString(record.Event.Span);

    /// <summary>Takes, reads and completes every record, in the order a single-lane forwarder would.</summary>
    private static List<(string? Key, string Text)> Drain(SpoolStore store)
    {
        var read = new List<(string? Key, string Text)>();
        while (store.TryTake(out var entry))
        {
            var record = store.Read(entry);
            read.Add((record.Key, Text(record)));
            store.Complete(entry);
        }

        return read;
    }
}
