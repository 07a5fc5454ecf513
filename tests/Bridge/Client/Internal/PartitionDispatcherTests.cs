using System.Collections.Concurrent;
using Bridge.Client.Internal;
using Bridge.Client.Tests.Infrastructure;

namespace Bridge.Client.Tests.Internal;

public sealed class PartitionDispatcherTests
{
    private static CloudEventDelivery Delivery(int partition, long offset) =>
        new((ulong)(partition * 1000 + offset), TestEvents.Canary($"{partition}-{offset}"), partition, offset, 1, "k");

    [Fact]
    public async Task DispatchAsync_SeveralPartitions_OrderedWithinPartitionAndParallelAcross()
    {
        var seen = new ConcurrentQueue<(int Partition, long Offset)>();
        int running = 0, maxRunning = 0;
        using var dispatcher = new PartitionDispatcher(async (d, _) =>
        {
            int now = Interlocked.Increment(ref running);
            InterlockedMax(ref maxRunning, now);
            await Task.Delay(5);
            seen.Enqueue((d.Partition, d.Offset));
            Interlocked.Decrement(ref running);
            return true;
        }, maxInFlight: 100);

        for (long offset = 0; offset < 10; offset++)
        {
            for (int partition = 0; partition < 3; partition++)
            {
                Assert.True(await dispatcher.DispatchAsync(Delivery(partition, offset), CancellationToken.None));
            }
        }
        await Wait.UntilAsync(() => seen.Count == 30, "all deliveries ran");

        for (int partition = 0; partition < 3; partition++)
        {
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (long)i), seen.Where(s => s.Partition == partition).Select(s => s.Offset));
        }
        Assert.True(maxRunning > 1, "partitions ran in parallel");
        Assert.True(await dispatcher.StopAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task DispatchAsync_HandlerReportsFailure_RestOfPartitionSkippedOthersContinue()
    {
        var seen = new ConcurrentQueue<(int Partition, long Offset)>();
        var release = new TaskCompletionSource();
        using var dispatcher = new PartitionDispatcher(async (d, _) =>
        {
            if (d.Partition == 0 && d.Offset == 0)
            {
                await release.Task;
                return false;
            }
            seen.Enqueue((d.Partition, d.Offset));
            return true;
        }, maxInFlight: 100);

        await dispatcher.DispatchAsync(Delivery(0, 0), CancellationToken.None);
        await dispatcher.DispatchAsync(Delivery(0, 1), CancellationToken.None);
        await dispatcher.DispatchAsync(Delivery(1, 0), CancellationToken.None);
        await Wait.UntilAsync(() => seen.Contains((1, 0)), "partition 1 ran");
        release.SetResult();
        await dispatcher.StopAsync(TimeSpan.FromSeconds(5));

        Assert.DoesNotContain((0, 1L), seen);
    }

    [Fact]
    public async Task DispatchAsync_WindowFull_WaitsUntilCanceled()
    {
        var block = new TaskCompletionSource<bool>();
        using var dispatcher = new PartitionDispatcher((_, _) => block.Task, maxInFlight: 1);
        Assert.True(await dispatcher.DispatchAsync(Delivery(0, 0), CancellationToken.None));
        using var cts = new CancellationTokenSource();

        Task<bool> second = dispatcher.DispatchAsync(Delivery(1, 0), cts.Token);
        Assert.False(second.IsCompleted);
        cts.Cancel();

        Assert.False(await second);
        block.SetResult(true);
        Assert.True(await dispatcher.StopAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task StopAsync_HandlerOutlivesDrainTimeout_CanceledAndReportsFalse()
    {
        var started = new TaskCompletionSource();
        using var dispatcher = new PartitionDispatcher(async (_, ct) =>
        {
            started.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            return true;
        }, maxInFlight: 10);
        await dispatcher.DispatchAsync(Delivery(0, 0), CancellationToken.None);
        await started.Task.WaitAsync(TimeSpan.FromSeconds(10));

        bool drained = await dispatcher.StopAsync(TimeSpan.FromMilliseconds(100));

        Assert.False(drained);
        Assert.False(await dispatcher.DispatchAsync(Delivery(0, 1), CancellationToken.None));
    }

    private static void InterlockedMax(ref int target, int value)
    {
        int current;
        while ((current = Volatile.Read(ref target)) < value && Interlocked.CompareExchange(ref target, value, current) != current)
        {
        }
    }
}
