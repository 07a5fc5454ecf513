using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class GatePollDeduplicatorTests
{
    private readonly ManualTimeProvider _clock = new();

    private GatePollDeduplicator Create(int capacity = 10_000, double ttlHours = 24) =>
        new(capacity, TimeSpan.FromHours(ttlHours), _clock);

    [Fact]
    public void WasPublished_NeverMarked_False()
    {
        var deduplicator = Create();

        Assert.False(deduplicator.WasPublished("a"));
        Assert.Equal(0, deduplicator.Count);
    }

    [Fact]
    public void WasPublished_AfterMark_True()
    {
        var deduplicator = Create();

        deduplicator.MarkPublished("a");

        Assert.True(deduplicator.WasPublished("a"));
        Assert.False(deduplicator.WasPublished("b"));
        Assert.False(deduplicator.WasPublished("A"));
    }

    [Fact]
    public void MarkPublished_SameIdTwice_StoredOnce()
    {
        var deduplicator = Create();

        deduplicator.MarkPublished("a");
        deduplicator.MarkPublished("a");

        Assert.Equal(1, deduplicator.Count);
    }

    [Fact]
    public void MarkPublished_BeyondCapacity_EvictsLeastRecentlySeen()
    {
        var deduplicator = Create(capacity: 3);
        deduplicator.MarkPublished("a");
        deduplicator.MarkPublished("b");
        deduplicator.MarkPublished("c");
        Assert.True(deduplicator.WasPublished("a")); // "a" is now the most recently seen

        deduplicator.MarkPublished("d");

        Assert.Equal(3, deduplicator.Count);
        Assert.False(deduplicator.WasPublished("b"));
        Assert.True(deduplicator.WasPublished("a"));
        Assert.True(deduplicator.WasPublished("c"));
        Assert.True(deduplicator.WasPublished("d"));
    }

    [Fact]
    public void MarkPublished_ManyIds_CountNeverExceedsCapacity()
    {
        var deduplicator = Create(capacity: 100);

        for (var i = 0; i < 10_000; i++)
        {
            deduplicator.MarkPublished("id-" + i);
        }

        Assert.Equal(100, deduplicator.Count);
        Assert.True(deduplicator.WasPublished("id-9999"));
        Assert.True(deduplicator.WasPublished("id-9900"));
        Assert.False(deduplicator.WasPublished("id-9899"));
    }

    [Fact]
    public void WasPublished_AfterTimeToLive_FalseAndForgotten()
    {
        var deduplicator = Create(ttlHours: 24);
        deduplicator.MarkPublished("a");

        _clock.Advance(TimeSpan.FromHours(24) - TimeSpan.FromTicks(1));
        Assert.True(deduplicator.WasPublished("a"));

        _clock.Advance(TimeSpan.FromHours(24));
        Assert.False(deduplicator.WasPublished("a"));
        Assert.Equal(0, deduplicator.Count);
    }

    [Fact]
    public void WasPublished_PolledWithinTimeToLive_KeepsIdAlive()
    {
        var deduplicator = Create(ttlHours: 1);
        deduplicator.MarkPublished("gate");

        for (var poll = 0; poll < 10; poll++)
        {
            _clock.Advance(TimeSpan.FromMinutes(50));
            Assert.True(deduplicator.WasPublished("gate"));
        }

        _clock.Advance(TimeSpan.FromHours(1));
        Assert.False(deduplicator.WasPublished("gate"));
    }

    [Fact]
    public void MarkPublished_ExpiredEntriesPresent_PurgesThem()
    {
        var deduplicator = Create(ttlHours: 1);
        deduplicator.MarkPublished("old-1");
        deduplicator.MarkPublished("old-2");
        _clock.Advance(TimeSpan.FromMinutes(30));
        deduplicator.MarkPublished("recent");
        _clock.Advance(TimeSpan.FromMinutes(45));

        deduplicator.MarkPublished("new");

        Assert.Equal(2, deduplicator.Count);
        Assert.True(deduplicator.WasPublished("recent"));
        Assert.True(deduplicator.WasPublished("new"));
    }

    [Fact]
    public void MarkPublished_AgainAfterExpiry_RememberedAgain()
    {
        var deduplicator = Create(ttlHours: 1);
        deduplicator.MarkPublished("a");
        _clock.Advance(TimeSpan.FromHours(2));
        Assert.False(deduplicator.WasPublished("a"));

        deduplicator.MarkPublished("a");

        Assert.True(deduplicator.WasPublished("a"));
    }

    [Fact]
    public async Task MarkAndCheck_ConcurrentThreadsWithinCapacity_NothingLost()
    {
        var deduplicator = Create(capacity: 10_000);

        var missingCounts = await RunWorkers(8, (worker, i) =>
        {
            var own = $"w{worker}-{i % 100}";
            deduplicator.MarkPublished(own);
            var found = deduplicator.WasPublished(own);
            deduplicator.MarkPublished($"shared-{i % 1_000}");
            _ = deduplicator.WasPublished($"shared-{(i * 7) % 1_000}");
            return found;
        });

        Assert.All(missingCounts, missing => Assert.Equal(0, missing));
        Assert.Equal((8 * 100) + 1_000, deduplicator.Count);
    }

    [Fact]
    public async Task MarkAndCheck_ConcurrentThreadsBeyondCapacity_BoundedAndIntact()
    {
        const int capacity = 100;
        var deduplicator = Create(capacity: capacity);

        await RunWorkers(8, (worker, i) =>
        {
            deduplicator.MarkPublished($"w{worker}-{i}");
            _ = deduplicator.WasPublished($"w{(worker + 1) % 8}-{i}");
            return true;
        });

        Assert.Equal(capacity, deduplicator.Count);
        for (var i = 0; i < capacity; i++)
        {
            deduplicator.MarkPublished("after-" + i);
        }

        Assert.Equal(capacity, deduplicator.Count);
        Assert.All(Enumerable.Range(0, capacity), i => Assert.True(deduplicator.WasPublished("after-" + i)));
    }

    // Runs the step 20,000 times on each worker, all starting together; returns per worker how often it returned false.
    private static async Task<int[]> RunWorkers(int workers, Func<int, int, bool> step)
    {
        using var start = new ManualResetEventSlim();
        var tasks = Enumerable.Range(0, workers).Select(worker => Task.Run(() =>
        {
            start.Wait(TimeSpan.FromSeconds(10));
            var failures = 0;
            for (var i = 0; i < 20_000; i++)
            {
                if (!step(worker, i))
                {
                    failures++;
                }
            }

            return failures;
        })).ToArray();

        start.Set();
        return await Task.WhenAll(tasks).WaitAsync(TimeSpan.FromSeconds(60));
    }

    [Fact]
    public async Task PublishOnceAsync_ConcurrentCallsSameId_PublishedOnceOthersGetNull()
    {
        var deduplicator = Create();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var publishes = 0;

        var calls = Enumerable.Range(0, 32).Select(_ => deduplicator.PublishOnceAsync("gate", _ =>
        {
            Interlocked.Increment(ref publishes);
            return new ValueTask<int>(release.Task);
        }, CancellationToken.None).AsTask()).ToArray();
        await Wait.UntilAsync(() => deduplicator.InFlight == 1 && Volatile.Read(ref publishes) == 1, "one call publishes");
        release.SetResult(42);
        var results = await Task.WhenAll(calls).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, publishes);
        Assert.Equal([42], results.Where(r => r is not null).Select(r => r!.Value));
        Assert.Equal(31, results.Count(r => r is null));
        Assert.True(deduplicator.WasPublished("gate"));
        Assert.Equal(0, deduplicator.InFlight);
    }

    [Fact]
    public async Task PublishOnceAsync_AlreadyPublished_NullWithoutPublishing()
    {
        var deduplicator = Create();
        deduplicator.MarkPublished("gate");

        var result = await deduplicator.PublishOnceAsync<int>("gate", _ => throw new InvalidOperationException("published again"), CancellationToken.None);

        Assert.Null(result);
    }

    [Fact]
    public async Task PublishOnceAsync_PublishFails_WaitersGetTheErrorAndTheNextCallPublishes()
    {
        var deduplicator = Create();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = deduplicator.PublishOnceAsync("gate", _ => new ValueTask<int>(release.Task), CancellationToken.None).AsTask();
        var waiter = deduplicator.PublishOnceAsync<int>("gate", _ => throw new InvalidOperationException("a waiter published"), CancellationToken.None).AsTask();
        await Wait.UntilAsync(() => deduplicator.InFlight == 1, "the first call publishes");

        release.SetException(new TimeoutException("Kafka did not acknowledge"));

        Assert.Equal("Kafka did not acknowledge", (await Assert.ThrowsAsync<TimeoutException>(() => first)).Message);
        Assert.Equal("Kafka did not acknowledge", (await Assert.ThrowsAsync<TimeoutException>(() => waiter)).Message);
        Assert.False(deduplicator.WasPublished("gate"));
        Assert.Equal(7, await deduplicator.PublishOnceAsync("gate", _ => new ValueTask<int>(7), CancellationToken.None));
    }

    [Fact]
    public async Task PublishOnceAsync_PublishingCallCancelled_AWaiterPublishes()
    {
        var deduplicator = Create();
        using var cancellation = new CancellationTokenSource();
        var first = deduplicator.PublishOnceAsync("gate", async ct =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            return 1;
        }, cancellation.Token).AsTask();
        await Wait.UntilAsync(() => deduplicator.InFlight == 1, "the first call publishes");
        var waiter = deduplicator.PublishOnceAsync("gate", _ => new ValueTask<int>(2), CancellationToken.None).AsTask();

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.Equal(2, await waiter.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.True(deduplicator.WasPublished("gate"));
    }

    [Fact]
    public async Task PublishOnceAsync_WaiterCancelled_StopsWaitingOthersUnaffected()
    {
        var deduplicator = Create();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = deduplicator.PublishOnceAsync("gate", _ => new ValueTask<int>(release.Task), CancellationToken.None).AsTask();
        await Wait.UntilAsync(() => deduplicator.InFlight == 1, "the first call publishes");
        using var cancellation = new CancellationTokenSource();
        var waiter = deduplicator.PublishOnceAsync("gate", _ => new ValueTask<int>(2), cancellation.Token).AsTask();

        await cancellation.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiter);
        release.SetResult(1);

        Assert.Equal(1, await first);
    }

    [Fact]
    public async Task PublishOnceAsync_DifferentIds_PublishedConcurrently()
    {
        var deduplicator = Create();
        var release = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var a = deduplicator.PublishOnceAsync("a", _ => new ValueTask<int>(release.Task), CancellationToken.None).AsTask();
        var b = deduplicator.PublishOnceAsync("b", _ => new ValueTask<int>(release.Task), CancellationToken.None).AsTask();

        await Wait.UntilAsync(() => deduplicator.InFlight == 2, "both ids are being published");
        release.SetResult(5);

        Assert.Equal([5, 5], (await Task.WhenAll(a, b)).Select(r => r!.Value));
    }

    [Fact]
    public void Constructor_InvalidArguments_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new GatePollDeduplicator(0, TimeSpan.FromHours(1), _clock));
        Assert.Throws<ArgumentOutOfRangeException>(() => new GatePollDeduplicator(1, TimeSpan.Zero, _clock));
        Assert.Throws<ArgumentNullException>(() => new GatePollDeduplicator(1, TimeSpan.FromHours(1), null!));
    }

    [Fact]
    public void Methods_NullId_Throw()
    {
        var deduplicator = Create();

        Assert.Throws<ArgumentNullException>(() => deduplicator.WasPublished(null!));
        Assert.Throws<ArgumentNullException>(() => deduplicator.MarkPublished(null!));
    }
}
