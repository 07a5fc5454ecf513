using Bridge.Audit.Configuration;
using Bridge.Audit.Rollouts;
using Bridge.Audit.Storage;
using Bridge.Audit.Tests.Infrastructure;

namespace Bridge.Audit.Tests.Storage;

/// <summary>What both storage providers must do; run once on SQLite and once on PostgreSQL.</summary>
public abstract class StoreContractTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2025, 1, 10, 9, 0, 0, TimeSpan.Zero);
    private readonly List<AuditStore> _stores = [];

    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("audit-store-").FullName;

    private protected abstract Task<StorageOptions> OptionsAsync();

    private protected async Task<AuditStore> StoreAsync(TimeProvider? time = null)
    {
        var store = await TestStores.CreateAsync(await OptionsAsync(), time);
        _stores.Add(store);
        return store;
    }

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
    public async Task Append_SameSourceAndIdTwice_StoredOnceSecondReportsTheFirstRow()
    {
        var store = await StoreAsync();
        var events = FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "c1", Start);

        var first = await store.AppendAsync(events[0], CancellationToken.None);
        var again = await store.AppendAsync(events[0], CancellationToken.None);
        var copy = events[0].Clone();
        copy.Time = Start.AddHours(1);
        var sameIdOtherContent = await store.AppendAsync(copy, CancellationToken.None);

        Assert.False(first.Duplicate);
        Assert.True(again.Duplicate);
        Assert.True(sameIdOtherContent.Duplicate);
        Assert.Equal(first.Event.Seq, again.Event.Seq);
        Assert.Empty(again.Rollouts);
        var all = await store.QueryEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Single(all);
        Assert.Equal(Start, all[0].Time);
        Assert.True((await store.VerifyAsync(CancellationToken.None)).Valid);
    }

    [Fact]
    public async Task Append_ConcurrentWriters_EveryEventStoredOnceAndTheChainVerifies()
    {
        var store = await StoreAsync();
        var events = Enumerable.Range(0, 60).Select(i => FlaggerLifecycle.Custom($"e{i}", "test.event", "ns" + (i % 3), $"event {i}", Start.AddSeconds(i))).ToList();

        // Every event twice, from several writers at once, as redeliveries on several partitions would come.
        await Parallel.ForEachAsync(events.Concat(events), new ParallelOptions { MaxDegreeOfParallelism = 6 },
            async (e, ct) => await store.AppendAsync(e, ct));

        var stored = await store.QueryEventsAsync(new EventQuery { Limit = 1000 }, CancellationToken.None);
        Assert.Equal(60, stored.Count);
        Assert.Equal(Enumerable.Range(1, 60).Select(i => (long)i), stored.Select(e => e.Seq));
        Assert.Equal(60, stored.Select(e => e.Id).Distinct().Count());
        var verify = await store.VerifyAsync(CancellationToken.None);
        Assert.True(verify.Valid, verify.Problem?.Detail);
        Assert.Equal(60, verify.Checked);
    }

    [Fact]
    public async Task Verify_RowDataUpdated_NamesThatRowAsAltered()
    {
        var store = await StoreAsync();
        await AppendAllAsync(store, FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "c1", Start));
        Assert.True((await store.VerifyAsync(CancellationToken.None)).Valid);

        var row = (await store.QueryEventsAsync(new EventQuery(), CancellationToken.None))[6];
        var altered = System.Text.Encoding.UTF8.GetBytes(System.Text.Encoding.UTF8.GetString(row.Event).Replace("weight 10", "weight 90", StringComparison.Ordinal));
        Assert.NotEqual(row.Event, altered);
        await SqlAsync(store, "UPDATE audit_events SET event = @v WHERE seq = 7", ("v", altered));

        var verify = await store.VerifyAsync(CancellationToken.None);
        Assert.False(verify.Valid);
        Assert.Equal(7, verify.Problem!.Seq);
        Assert.Equal("altered", verify.Problem.Kind);
        Assert.Equal(row.Id, verify.Problem.Id);
        Assert.Contains("Row 7", verify.Problem.Detail, StringComparison.Ordinal);
        Assert.Equal(6, verify.Checked);
    }

    [Fact]
    public async Task Verify_TypeColumnUpdated_NamesThatRow()
    {
        var store = await StoreAsync();
        await AppendAllAsync(store, FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack(), "podinfo", "test", "c2", Start));

        await SqlAsync(store, "UPDATE audit_events SET type = 'app.flagger.canary.promoted' WHERE seq = 5");

        var verify = await store.VerifyAsync(CancellationToken.None);
        Assert.Equal((false, 5L, "altered"), (verify.Valid, verify.Problem!.Seq, verify.Problem.Kind));
    }

    [Fact]
    public async Task Verify_RowDeleted_NamesTheMissingRow()
    {
        var store = await StoreAsync();
        await AppendAllAsync(store, FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "c1", Start));

        await SqlAsync(store, "DELETE FROM audit_events WHERE seq = 4");

        var verify = await store.VerifyAsync(CancellationToken.None);
        Assert.False(verify.Valid);
        Assert.Equal(4, verify.Problem!.Seq);
        Assert.Equal("missing", verify.Problem.Kind);
        Assert.Contains("Row 4 is missing", verify.Problem.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Verify_LastRowDeleted_NamesItFromTheChainHead()
    {
        var store = await StoreAsync();
        await AppendAllAsync(store, FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack(), "podinfo", "test", "c2", Start));

        await SqlAsync(store, "DELETE FROM audit_events WHERE seq = 6");

        var verify = await store.VerifyAsync(CancellationToken.None);
        Assert.Equal((false, 6L, "missing"), (verify.Valid, verify.Problem!.Seq, verify.Problem.Kind));
    }

    [Fact]
    public async Task Verify_TwoRowsSwapped_NamesTheFirstMovedRow()
    {
        var store = await StoreAsync();
        await AppendAllAsync(store, FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "c1", Start));
        var rows = await store.QueryEventsAsync(new EventQuery(), CancellationToken.None);

        await SqlAsync(store, "UPDATE audit_events SET seq = -1 WHERE seq = 5; UPDATE audit_events SET seq = 5 WHERE seq = 9; UPDATE audit_events SET seq = 9 WHERE seq = -1");

        var verify = await store.VerifyAsync(CancellationToken.None);
        Assert.False(verify.Valid);
        Assert.Equal(5, verify.Problem!.Seq);
        Assert.Equal("reordered", verify.Problem.Kind);
        Assert.Equal(rows[8].Id, verify.Problem.Id);
    }

    [Fact]
    public async Task Retention_DeletesOldRowsWritesCheckpoint_VerifyStillPassesAndStillCatchesTampering()
    {
        var clock = new ManualClock(Start);
        var store = await StoreAsync(clock);
        var old = FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack(), "podinfo", "test", "c2", Start);
        await AppendAllAsync(store, old);
        clock.Now = Start.AddDays(10);
        var recent = FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "c3", Start.AddDays(10));
        await AppendAllAsync(store, recent);
        clock.Now = Start.AddDays(11);

        var result = await store.ApplyRetentionAsync(Start.AddDays(5), CancellationToken.None);
        var again = await store.ApplyRetentionAsync(Start.AddDays(5), CancellationToken.None);
        var verify = await store.VerifyAsync(CancellationToken.None);

        Assert.Equal(old.Count, result.DeletedEvents);
        Assert.Equal(1, result.DeletedRollouts);
        Assert.Equal(old.Count, result.Checkpoint!.Seq);
        Assert.Equal(0, again.DeletedEvents);
        Assert.True(verify.Valid, verify.Problem?.Detail);
        Assert.Equal(recent.Count, verify.Checked);
        Assert.Equal(old.Count + 1, verify.FirstSeq);
        Assert.Equal(old.Count, verify.Checkpoint!.Seq);
        var remaining = await store.QueryEventsAsync(new EventQuery(), CancellationToken.None);
        Assert.Equal(recent.Select(e => e.Id), remaining.Select(e => e.Id));

        // The first kept row links to the checkpoint: deleting it is still caught.
        await SqlAsync(store, $"DELETE FROM audit_events WHERE seq = {old.Count + 1}");
        var broken = await store.VerifyAsync(CancellationToken.None);
        Assert.Equal((false, old.Count + 1L, "missing"), (broken.Valid, broken.Problem!.Seq, broken.Problem.Kind));
    }

    [Fact]
    public async Task Append_WholeLifecycles_RolloutsCanariesAndDoraReconstructed()
    {
        var store = await StoreAsync();
        await AppendAllAsync(store, FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack(), "podinfo", "test", "c1", Start));
        await AppendAllAsync(store, FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "c2", Start.AddHours(1)));

        var rollouts = await store.QueryRolloutsAsync(new RolloutQuery(), CancellationToken.None);
        var canaries = await store.GetCanariesAsync(null, CancellationToken.None);
        var outcomes = await store.GetOutcomesAsync("test", "podinfo", null, CancellationToken.None);

        Assert.Equal(2, rollouts.Count);
        var promoted = rollouts[0];
        Assert.Equal(RolloutProjector.RolloutId("test", "podinfo", "c2"), promoted.Id);
        Assert.Equal(RolloutStatus.Promoted, promoted.Status);
        Assert.Equal(Start.AddHours(1).AddSeconds(15), promoted.EndedAt);
        Assert.Equal(15, promoted.DurationSeconds);
        Assert.Equal([10, 20, 30], promoted.Steps.Where(s => s.Type == "weight.advanced").Select(s => s.Weight!.Value));
        Assert.Equal(1, promoted.FailedChecks);
        var promotionGate = Assert.Single(promoted.Gates, g => g.Hook == "confirm-promotion");
        Assert.Equal("alice", promotionGate.ApprovedBy);
        Assert.Equal(Start.AddHours(1).AddSeconds(12), promotionGate.ApprovedAt);
        Assert.Equal(Start.AddHours(1).AddSeconds(10), promotionGate.WaitingSince);
        Assert.Equal("platform-team", Assert.Single(promoted.Gates, g => g.Hook == "confirm-rollout").ApprovedBy);
        Assert.Equal(RolloutStatus.RolledBack, rollouts[1].Status);
        Assert.Equal(2, rollouts[1].FailedChecks);

        var canary = Assert.Single(canaries);
        Assert.Equal(("test", "podinfo", "Succeeded", promoted.Id), (canary.Namespace, canary.Name, canary.Phase, canary.CurrentRolloutId));

        var dora = Dora.Compute(outcomes, Start.AddDays(-1), Start.AddDays(1));
        Assert.Equal((1, 1, 0.5), (dora.Deployments, dora.FailedDeployments, dora.ChangeFailureRate));
        Assert.Equal(3600 + 15 - 4, dora.TimeToRestore.MeanSeconds);
    }

    [Fact]
    public async Task QueryEvents_FiltersAndCursorPages()
    {
        var store = await StoreAsync();
        await AppendAllAsync(store, FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "c1", Start));
        await AppendAllAsync(store, FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack("web", "prod"), "web", "prod", "c9", Start.AddMinutes(1)));

        var warnings = await store.QueryEventsAsync(new EventQuery { MinSeverity = 1 }, CancellationToken.None);
        var hooks = await store.QueryEventsAsync(new EventQuery { TypePrefix = "app.flagger.canary.hook." }, CancellationToken.None);
        var prod = await store.QueryEventsAsync(new EventQuery { Namespace = "prod" }, CancellationToken.None);
        var scoped = await store.QueryEventsAsync(new EventQuery { AllowedNamespaces = ["prod"] }, CancellationToken.None);
        var window = await store.QueryEventsAsync(new EventQuery { From = Start.AddSeconds(2), To = Start.AddSeconds(5) }, CancellationToken.None);
        var page1 = await store.QueryEventsAsync(new EventQuery { Limit = 5, Descending = true }, CancellationToken.None);
        var page2 = await store.QueryEventsAsync(new EventQuery { Limit = 5, Descending = true, AfterSeq = page1[^1].Seq }, CancellationToken.None);

        Assert.Equal(6, warnings.Count);
        Assert.All(warnings, e => Assert.Contains(e.Severity, new[] { "warn", "error" }));
        Assert.Equal(4, hooks.Count);
        Assert.All(prod, e => Assert.Equal("prod", e.Namespace));
        Assert.Equal(6, prod.Count);
        Assert.Equal(prod.Select(e => e.Seq), scoped.Select(e => e.Seq));
        Assert.Equal([3L, 4, 5], window.Select(e => e.Seq));
        Assert.Equal([23L, 22, 21, 20, 19], page1.Select(e => e.Seq));
        Assert.Equal([18L, 17, 16, 15, 14], page2.Select(e => e.Seq));
    }

    private static async Task AppendAllAsync(AuditStore store, IEnumerable<Bridge.CloudEvents.CloudEvent> events)
    {
        foreach (var e in events)
        {
            await store.AppendAsync(e, CancellationToken.None);
        }
    }

    private static async Task SqlAsync(AuditStore store, string sql, params (string, object?)[] parameters)
    {
        await using var connection = await store.OpenAsync(CancellationToken.None);
        await AuditStore.ExecuteAsync(connection, null, sql, CancellationToken.None, parameters);
    }
}

public sealed class SqliteStoreTests : StoreContractTests
{
    private protected override Task<StorageOptions> OptionsAsync() => Task.FromResult(TestStores.Sqlite(Directory));
}

[Collection(PostgresCollection.Name)]
public sealed class PostgresStoreTests(PostgresServer server) : StoreContractTests
{
    private protected override async Task<StorageOptions> OptionsAsync() => TestStores.Postgres(await server.CreateDatabaseAsync());
}
