using System.Collections.Concurrent;
using Bridge.Client.Internal;

namespace Bridge.Client.Tests.Internal;

/// <summary>The coalescing logic with an in-memory writer (pure logic; the wire is covered by EventSubscriptionTests).</summary>
public sealed class AckBatcherTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly ConcurrentQueue<ulong[]> _written = new();

    private Task Write(IReadOnlyList<ulong> ids)
    {
        _written.Enqueue(ids.ToArray());
        return Task.CompletedTask;
    }

    [Fact]
    public async Task AckAsync_WithinDelay_OneMessage()
    {
        await using var batcher = new AckBatcher(Write, Task.CompletedTask, TimeSpan.FromMilliseconds(100), maxBatch: 100);

        Task[] acks = [batcher.AckAsync([1]), batcher.AckAsync([2, 3]), batcher.AckAsync([4])];
        await Task.WhenAll(acks).WaitAsync(Timeout);

        Assert.Equal([1UL, 2, 3, 4], Assert.Single(_written));
        Assert.Equal(1, batcher.MessagesWritten);
    }

    [Fact]
    public async Task AckAsync_MaxBatchReached_SentWithoutWaitingForDelay()
    {
        await using var batcher = new AckBatcher(Write, Task.CompletedTask, TimeSpan.FromSeconds(30), maxBatch: 3);

        await batcher.AckAsync([1, 2, 3]).WaitAsync(Timeout);

        Assert.Equal([1UL, 2, 3], Assert.Single(_written));
    }

    [Fact]
    public async Task FlushAsync_Pending_SentAtOnce()
    {
        await using var batcher = new AckBatcher(Write, Task.CompletedTask, TimeSpan.FromSeconds(30), maxBatch: 100);
        Task ack = batcher.AckAsync([5]);

        await batcher.FlushAsync().WaitAsync(Timeout);

        Assert.True(ack.IsCompletedSuccessfully);
        Assert.Equal([5UL], Assert.Single(_written));
    }

    [Fact]
    public async Task AckAsync_BeforeReady_WaitsForIt()
    {
        var ready = new TaskCompletionSource();
        await using var batcher = new AckBatcher(Write, ready.Task, TimeSpan.Zero, maxBatch: 100);

        Task ack = batcher.AckAsync([1]);
        await Task.Delay(50);
        Assert.Empty(_written);
        ready.SetResult();

        await ack.WaitAsync(Timeout);
        Assert.Single(_written);
    }

    [Fact]
    public async Task AckAsync_WriteFails_TaskFailsAndLaterAcksFailToo()
    {
        var failure = new IOException("stream gone");
        await using var batcher = new AckBatcher(_ => Task.FromException(failure), Task.CompletedTask, TimeSpan.Zero, maxBatch: 100);

        var first = await Assert.ThrowsAsync<IOException>(() => batcher.AckAsync([1]).WaitAsync(Timeout));
        var second = await Assert.ThrowsAsync<IOException>(() => batcher.AckAsync([2]));

        Assert.Same(failure, first);
        Assert.Same(failure, second);
    }

    [Fact]
    public async Task AckAsync_AfterClose_ThrowsInvalidOperation()
    {
        await using var batcher = new AckBatcher(Write, Task.CompletedTask, TimeSpan.Zero, maxBatch: 100);
        batcher.Close();

        await Assert.ThrowsAsync<InvalidOperationException>(() => batcher.AckAsync([1]));
    }

    [Fact]
    public async Task DisposeAsync_PendingAcks_FailWithObjectDisposed()
    {
        var batcher = new AckBatcher(Write, Task.CompletedTask, TimeSpan.FromSeconds(30), maxBatch: 100);
        Task ack = batcher.AckAsync([1]);

        await batcher.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => ack);
        Assert.Empty(_written);
    }
}
