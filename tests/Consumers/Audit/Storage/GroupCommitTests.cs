using System.Data.Common;
using Bridge.Audit.Configuration;
using Bridge.Audit.Storage;
using Bridge.Audit.Tests.Infrastructure;
using Bridge.CloudEvents;

namespace Bridge.Audit.Tests.Storage;

/// <summary>Concurrent appends share a transaction; run once on SQLite and once on PostgreSQL.</summary>
public abstract class GroupCommitTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly List<AuditStore> _stores = [];

    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("audit-gc-").FullName;

    private protected abstract Task<StorageOptions> OptionsAsync();

    /// <summary>Makes the database reject the insert of any event with id <c>rejected</c>.</summary>
    private protected abstract string RejectTriggerSql { get; }

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var store in _stores)
        {
            await store.DisposeAsync();
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
    }

    [Fact]
    public async Task Append_200From20Tasks_EachStoredOnceChainVerifiesAndCommitCallbacksInChainOrder()
    {
        var store = await StoreAsync();
        var notified = new List<long>();
        var results = new List<AppendResult>();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(task => Task.Run(async () =>
        {
            for (var i = 0; i < 10; i++)
            {
                var result = await store.AppendAsync(Event($"t{task}-{i}"), r => notified.Add(r.Event.Seq), CancellationToken.None);
                lock (results)
                {
                    results.Add(result);
                }
            }
        })));

        Assert.All(results, r => Assert.False(r.Duplicate));
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), results.Select(r => r.Event.Seq).Order());
        Assert.Equal(Enumerable.Range(1, 200).Select(i => (long)i), notified);
        var stored = await store.QueryEventsAsync(new EventQuery { Limit = 1000 }, CancellationToken.None);
        Assert.Equal(200, stored.Select(e => e.Id).Distinct().Count());
        var verify = await store.VerifyAsync(CancellationToken.None);
        Assert.True(verify.Valid, verify.Problem?.Detail);
        Assert.Equal(200, verify.Checked);
    }

    [Fact]
    public async Task Append_SameEventTwiceInOneBatch_StoredOnceTheOthersReportIt()
    {
        var store = await StoreAsync();
        var x = Event("x");
        var copy = x.Clone();
        copy.Time = Start.AddHours(1);
        var notified = new List<long>();

        var appends = await OneBatchAsync(store, [x, copy, Event("y"), x], r => notified.Add(r.Event.Seq));
        var results = await Task.WhenAll(appends);

        Assert.Equal([false, true, false, true], results.Select(r => r.Duplicate));
        Assert.Equal([1L, 1L, 2L, 1L], results.Select(r => r.Event.Seq));
        Assert.Equal([1L, 2L], notified);
        var stored = await store.QueryEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Equal(["x", "y"], stored.Select(e => e.Id));
        Assert.Equal(Start, stored[0].Time);
        var verify = await store.VerifyAsync(CancellationToken.None);
        Assert.True(verify.Valid, verify.Problem?.Detail);
    }

    [Fact]
    public async Task Append_BatchWhoseTransactionFails_EveryCallerThrowsNoneStoredAndTheNextBatchWorks()
    {
        var store = await StoreAsync();
        await store.AppendAsync(Event("before"), CancellationToken.None);
        await using (var connection = await store.OpenAsync(CancellationToken.None))
        {
            await AuditStore.ExecuteAsync(connection, null, RejectTriggerSql, CancellationToken.None);
        }

        var notified = new List<long>();
        var appends = await OneBatchAsync(store, [Event("good"), Event("rejected"), Event("good"), Event("other")], r => notified.Add(r.Event.Seq));

        foreach (var append in appends)
        {
            var error = await Assert.ThrowsAnyAsync<DbException>(() => append);
            Assert.Contains("rejected by test", error.Message, StringComparison.Ordinal);
        }

        Assert.Empty(notified);
        var stored = await store.QueryEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Equal(["before"], stored.Select(e => e.Id));

        var next = await Task.WhenAll(await OneBatchAsync(store, [Event("good"), Event("other")], r => notified.Add(r.Event.Seq)));
        Assert.Equal([2L, 3L], next.Select(r => r.Event.Seq));
        Assert.Equal([2L, 3L], notified);
        var verify = await store.VerifyAsync(CancellationToken.None);
        Assert.True(verify.Valid, verify.Problem?.Detail);
        Assert.Equal(3, verify.Checked);
    }

    [Fact]
    public async Task Append_CallerCancelsWhileQueued_ThrowsAndItsEventIsNotStored()
    {
        var store = await StoreAsync();
        using var cancel = new CancellationTokenSource();
        Task<AppendResult> queued;
        await store.WriteTurn.WaitAsync();
        try
        {
            queued = Task.Run(() => store.AppendAsync(Event("given-up"), cancel.Token));
            await Wait.UntilAsync(() => store.QueuedCount == 1, "the append is queued");
            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => queued);
        }
        finally
        {
            store.WriteTurn.Release();
        }

        var next = await store.AppendAsync(Event("kept"), CancellationToken.None);
        Assert.Equal(1, next.Event.Seq);
        var stored = await store.QueryEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Equal(["kept"], stored.Select(e => e.Id));
    }

    private async Task<AuditStore> StoreAsync()
    {
        var store = await TestStores.CreateAsync(await OptionsAsync(), null);
        _stores.Add(store);
        return store;
    }

    private static CloudEvent Event(string id) => FlaggerLifecycle.Custom(id, "test.event", "ns", "event " + id, Start);

    /// <summary>
    /// Queues the appends while this process's writer turn is held, so that all of them wait when it is released and
    /// the first to get it writes them in one transaction, in this order.
    /// </summary>
    private static async Task<Task<AppendResult>[]> OneBatchAsync(AuditStore store, IReadOnlyList<CloudEvent> events, Action<AppendResult> committed)
    {
        var appends = new Task<AppendResult>[events.Count];
        await store.WriteTurn.WaitAsync();
        try
        {
            for (var i = 0; i < events.Count; i++)
            {
                // Queued one at a time, so the queue's order is the list's order.
                var e = events[i];
                appends[i] = Task.Run(() => store.AppendAsync(e, committed, CancellationToken.None));
                var expected = i + 1;
                await Wait.UntilAsync(() => store.QueuedCount == expected, $"{expected} append(s) queued");
            }
        }
        finally
        {
            store.WriteTurn.Release();
        }

        return appends;
    }
}

public sealed class SqliteGroupCommitTests : GroupCommitTests
{
    private protected override Task<StorageOptions> OptionsAsync() => Task.FromResult(TestStores.Sqlite(Directory));

    private protected override string RejectTriggerSql =>
        "CREATE TRIGGER audit_reject BEFORE INSERT ON audit_events WHEN NEW.event_id = 'rejected' BEGIN SELECT RAISE(ABORT, 'rejected by test'); END;";
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresGroupCommitTests(PostgresServer server) : GroupCommitTests
{
    private protected override async Task<StorageOptions> OptionsAsync() => TestStores.Postgres(await server.CreateDatabaseAsync());

    private protected override string RejectTriggerSql =>
        """
        CREATE FUNCTION audit_reject() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.event_id = 'rejected' THEN RAISE EXCEPTION 'rejected by test'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER audit_reject BEFORE INSERT ON audit_events FOR EACH ROW EXECUTE FUNCTION audit_reject();
        """;
}
