using Bridge.Server.Observability;
using Bridge.Server.Tests.Flagger;

namespace Bridge.Server.Tests.Observability;

public sealed class SeriesStoreTests
{
    private readonly ManualTimeProvider _time = new();

    [Fact]
    public void Use_NewKeyBeyondCapacity_DropsTheOneUsedLongestAgo()
    {
        var store = Store(capacity: 2);
        store.Use("a");
        _time.Advance(TimeSpan.FromSeconds(1));
        store.Use("b");
        _time.Advance(TimeSpan.FromSeconds(1));
        store.Use("a");

        store.Use("c");

        Assert.Equal(["a", "c"], Keys(store));
    }

    [Fact]
    public void Sweep_UnusedForTheExpiry_Dropped()
    {
        var store = Store(capacity: 10);
        store.Use("old");
        _time.Advance(TimeSpan.FromMinutes(9));
        store.Use("recent");
        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(1, store.Sweep());
        Assert.Equal(["recent"], Keys(store));
    }

    [Fact]
    public void Pin_HeldKeys_NeverExpireNorCountAgainstCapacity()
    {
        var store = Store(capacity: 1);
        store.Pin("open-1");
        store.Pin("open-2");
        store.Use("idle");
        _time.Advance(TimeSpan.FromHours(1));

        store.Sweep();

        Assert.Equal(["open-1", "open-2"], Keys(store));
    }

    [Fact]
    public void Unpin_LastHold_ExpiryCountsFromTheRelease()
    {
        var store = Store(capacity: 10);
        store.Pin("s");
        store.Pin("s");
        _time.Advance(TimeSpan.FromHours(1));
        store.Unpin("s");
        _time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, store.Sweep());

        store.Unpin("s");
        _time.Advance(TimeSpan.FromMinutes(9));
        Assert.Equal(0, store.Sweep());
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, store.Sweep());
    }

    [Fact]
    public void Unpin_MoreIdleKeysThanCapacity_DropsTheOneIdleLongest()
    {
        var store = Store(capacity: 1);
        store.Pin("a");
        store.Pin("b");
        store.Unpin("a");
        _time.Advance(TimeSpan.FromSeconds(1));

        store.Unpin("b");

        Assert.Equal(["b"], Keys(store));
    }

    [Fact]
    public void SlotUsage_ReportedKeysThatWereDropped_CountAsStaleUntilANewGeneration()
    {
        var store = Store(capacity: 2);
        store.Use("a");
        _time.Advance(TimeSpan.FromSeconds(1));
        store.Use("b");
        _ = store.Report().ToList();
        _time.Advance(TimeSpan.FromSeconds(1));
        store.Use("c");
        _time.Advance(TimeSpan.FromSeconds(1));
        store.Use("d");

        Assert.Equal(new SlotUsage(AfterNextReport: 4, Stale: 2), store.SlotUsage());

        store.StartGeneration();
        Assert.Equal(new SlotUsage(AfterNextReport: 2, Stale: 0), store.SlotUsage());
    }

    [Fact]
    public void Use_WithValue_SetBeforeAReportCanSeeTheKey()
    {
        var store = new SeriesStore<string, Counter>(4, TimeSpan.FromMinutes(10), _time, _ => new Counter());

        store.Use("k", 7, static (state, value) => state.Value = value);

        Assert.Equal(7, store.Report().Single().Value.Value);
    }

    [Fact]
    public async Task Report_WhileKeysComeAndGo_NeverThrows()
    {
        var store = Store(capacity: 50);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var writers = Enumerable.Range(0, 3).Select(w => Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                store.Use($"{w}-{i}");
                if (i % 7 == 0)
                {
                    store.Pin($"{w}-p{i % 20}");
                    store.Unpin($"{w}-p{i % 20}");
                }
            }
        })).ToArray();

        var reports = 0;
        while (!stop.IsCancellationRequested)
        {
            var keys = store.Report().Select(e => e.Key).ToList();
            Assert.Equal(keys.Count, keys.Distinct().Count());
            reports++;
        }

        await Task.WhenAll(writers);
        Assert.True(reports > 10, $"Only {reports} reports ran.");
        Assert.True(store.Count <= 50 + 60, $"{store.Count} keys kept.");
    }

    [Fact]
    public async Task Report_WhileNewKeysReplaceOldOnes_NeverMoreKeysThanKept()
    {
        // A collection spends time on every measurement it reads; keys dropped and added meanwhile must not both show.
        var store = Store(capacity: 20);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var writers = Enumerable.Range(0, 2).Select(w => Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                store.Use($"{w}-{i}");
                Thread.SpinWait(200);
            }
        })).ToArray();

        var reports = 0;
        var most = 0;
        while (!stop.IsCancellationRequested)
        {
            var count = 0;
            foreach (var _ in store.Report())
            {
                Thread.SpinWait(500);
                count++;
            }

            most = Math.Max(most, count);
            reports++;
        }

        await Task.WhenAll(writers);
        Assert.True(reports > 10, $"Only {reports} reports ran.");
        Assert.True(most <= 20, $"A report returned {most} keys; the store keeps 20.");
    }

    private SeriesStore<string, Counter> Store(int capacity) =>
        new(capacity, TimeSpan.FromMinutes(10), _time, _ => new Counter(), StringComparer.Ordinal);

    private static string[] Keys(SeriesStore<string, Counter> store) => store.Report().Select(e => e.Key).Order(StringComparer.Ordinal).ToArray();

    private sealed class Counter : SeriesState
    {
        public int Value;
    }
}
