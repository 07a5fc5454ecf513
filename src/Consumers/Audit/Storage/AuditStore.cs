using System.Data;
using System.Data.Common;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Bridge.Audit.Configuration;
using Bridge.Audit.Rollouts;
using Bridge.CloudEvents;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bridge.Audit.Storage;

/// <summary>
/// The audit log in SQLite or PostgreSQL: events (append-only, hash-chained, unique by source and id), the chain's head
/// and checkpoint, rollouts and canaries. Writes take turns: one transaction at a time appends to the chain (in this
/// process by a lock, across processes by SQLite's write lock or a PostgreSQL advisory lock).
/// </summary>
internal sealed class AuditStore : IAsyncDisposable
{
    // Any fixed number: the key of the PostgreSQL advisory lock that serialises appends across replicas.
    private const long ChainLockKey = 0x6175646974;
    private const int ExportPage = 500;

    private readonly bool _postgres;
    private readonly string _sqliteConnectionString = string.Empty;
    private readonly NpgsqlDataSource? _dataSource;
    private readonly TimeProvider _time;
    private readonly ILogger<AuditStore> _logger;
    // Enough to spread one fsync over the subscriber's events in flight, small enough to keep a transaction short.
    private const int MaxBatch = 256;

    private readonly SemaphoreSlim _writeTurn = new(1, 1);
    private readonly System.Collections.Concurrent.ConcurrentQueue<PendingAppend> _queue = new();
    private int _queued;

    public AuditStore(IOptions<StorageOptions> options, TimeProvider time, ILogger<AuditStore> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        var storage = options.Value;
        _time = time;
        _logger = logger;
        _postgres = storage.EffectiveProvider == StorageOptions.Postgres;
        if (_postgres)
        {
            _dataSource = NpgsqlDataSource.Create(storage.ResolveConnectionString());
            Description = "PostgreSQL " + new NpgsqlConnectionStringBuilder(storage.ResolveConnectionString()) { Password = null }.ConnectionString;
        }
        else
        {
            var path = Path.GetFullPath(storage.SqlitePath);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _sqliteConnectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true, DefaultTimeout = 30 }.ToString();
            Description = "SQLite " + path;
        }
    }

    /// <summary>The database, for logs (no password).</summary>
    public string Description { get; }

    public bool IsPostgres => _postgres;

    /// <summary>Opens a connection with this store's settings (tests use it to tamper with rows).</summary>
    internal async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        if (_dataSource is not null)
        {
            return await _dataSource.OpenConnectionAsync(cancellationToken);
        }

        var connection = new SqliteConnection(_sqliteConnectionString);
        await connection.OpenAsync(cancellationToken);

        // FULL: a commit (and so an ack) survives a power cut, not only a killed process.
        await ExecuteAsync(connection, null, "PRAGMA synchronous=FULL; PRAGMA busy_timeout=30000;", cancellationToken);
        return connection;
    }

    /// <summary>Creates or upgrades the schema; safe to run from several replicas at once.</summary>
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        if (!_postgres)
        {
            // WAL lets readers (the API, verify, export) run while the chain grows.
            await ExecuteAsync(connection, null, "PRAGMA journal_mode=WAL;", cancellationToken);
        }

        await using var tx = await BeginWriteAsync(connection, cancellationToken);
        await ExecuteAsync(connection, tx, "CREATE TABLE IF NOT EXISTS audit_schema (version INTEGER NOT NULL)", cancellationToken);
        var version = Convert.ToInt32(await ScalarAsync(connection, tx, "SELECT COALESCE(MAX(version), 0) FROM audit_schema", cancellationToken) ?? 0);
        for (var v = version; v < Migrations.Length; v++)
        {
            await ExecuteAsync(connection, tx, Migrations[v].Replace("{blob}", _postgres ? "BYTEA" : "BLOB", StringComparison.Ordinal), cancellationToken);
            if (v == 0)
            {
                await ExecuteAsync(connection, tx,
                    "INSERT INTO audit_chain (id, head_seq, head_hash, checkpoint_seq, checkpoint_hash, checkpoint_us) VALUES (1, 0, @g, 0, @g, NULL)",
                    cancellationToken, ("g", HashChain.Genesis.ToArray()));
            }

            await ExecuteAsync(connection, tx, "INSERT INTO audit_schema (version) VALUES (@v)", cancellationToken, ("v", v + 1));
        }

        await tx.CommitAsync(cancellationToken);
    }

    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE audit_events (
          seq BIGINT NOT NULL PRIMARY KEY,
          source TEXT NOT NULL,
          event_id TEXT NOT NULL,
          type TEXT NOT NULL,
          time_us BIGINT NOT NULL,
          recorded_us BIGINT NOT NULL,
          namespace TEXT NULL,
          canary TEXT NULL,
          severity TEXT NULL,
          severity_rank INTEGER NOT NULL,
          phase TEXT NULL,
          checksum TEXT NULL,
          rollout_id TEXT NULL,
          message TEXT NULL,
          event {blob} NOT NULL,
          prev_hash {blob} NOT NULL,
          hash {blob} NOT NULL);
        CREATE UNIQUE INDEX audit_events_source_id ON audit_events (source, event_id);
        CREATE INDEX audit_events_canary ON audit_events (namespace, canary, seq);
        CREATE INDEX audit_events_time ON audit_events (time_us);
        CREATE INDEX audit_events_recorded ON audit_events (recorded_us);
        CREATE TABLE audit_chain (
          id INTEGER NOT NULL PRIMARY KEY,
          head_seq BIGINT NOT NULL,
          head_hash {blob} NOT NULL,
          checkpoint_seq BIGINT NOT NULL,
          checkpoint_hash {blob} NOT NULL,
          checkpoint_us BIGINT NULL);
        CREATE TABLE audit_rollouts (
          id TEXT NOT NULL PRIMARY KEY,
          namespace TEXT NOT NULL,
          canary TEXT NOT NULL,
          checksum TEXT NOT NULL,
          status TEXT NOT NULL,
          first_seq BIGINT NOT NULL,
          started_us BIGINT NOT NULL,
          ended_us BIGINT NULL,
          doc TEXT NOT NULL);
        CREATE INDEX audit_rollouts_canary ON audit_rollouts (namespace, canary, first_seq);
        CREATE INDEX audit_rollouts_first ON audit_rollouts (first_seq);
        CREATE TABLE audit_canaries (
          namespace TEXT NOT NULL,
          name TEXT NOT NULL,
          phase TEXT NULL,
          last_event_us BIGINT NOT NULL,
          current_rollout_id TEXT NULL,
          PRIMARY KEY (namespace, name));
        """,
    ];

    /// <summary>
    /// Stores an event once: a second event with the same (source, id) changes nothing and returns the stored one.
    /// Returns after the transaction committed, so the caller may acknowledge the delivery. Concurrent appends share a
    /// transaction (a group commit): each fsync then stores every event that waited for it, instead of one. When that
    /// transaction fails, none of its events is stored and every one of its appends throws.
    /// </summary>
    /// <param name="cloudEvent">The event.</param>
    /// <param name="committed">
    /// Called after the commit with the result of a newly stored event (not a duplicate), in chain order across
    /// concurrent appends, before any of them returns: what must follow the chain's order (the live stream) goes here.
    /// When it throws, the append throws, though the event is stored.
    /// </param>
    /// <param name="cancellationToken">Stops waiting; an event already taken into a transaction may still be stored.</param>
    public async Task<AppendResult> AppendAsync(CloudEvent cloudEvent, Action<AppendResult>? committed, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var pending = new PendingAppend(cloudEvent, committed);
        _queue.Enqueue(pending);
        Interlocked.Increment(ref _queued);

        // Leader and followers: whoever gets the turn writes what waits (its own event among it, or a later batch
        // does); the others find their append completed when they get the turn, or before.
        while (!pending.Completion.Task.IsCompleted)
        {
            try
            {
                await _writeTurn.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                pending.Completion.TrySetCanceled(cancellationToken);
                throw;
            }

            try
            {
                if (!pending.Completion.Task.IsCompleted)
                {
                    await WriteBatchAsync();
                }
            }
            finally
            {
                _writeTurn.Release();
            }
        }

        return await pending.Completion.Task;
    }

    /// <inheritdoc cref="AppendAsync(CloudEvent, Action{AppendResult}?, CancellationToken)"/>
    public Task<AppendResult> AppendAsync(CloudEvent cloudEvent, CancellationToken cancellationToken) =>
        AppendAsync(cloudEvent, null, cancellationToken);

    /// <summary>Appends waiting for a transaction (tests use it to line up a batch).</summary>
    internal int QueuedCount => Volatile.Read(ref _queued);

    /// <summary>The turn of the writers in this process (tests hold it to line up a batch).</summary>
    internal SemaphoreSlim WriteTurn => _writeTurn;

    private async Task WriteBatchAsync()
    {
        var batch = new List<PendingAppend>(Math.Min(MaxBatch, QueuedCount));
        while (batch.Count < MaxBatch && _queue.TryDequeue(out var next))
        {
            Interlocked.Decrement(ref _queued);

            // A caller that stopped waiting before its event was taken does not get it stored.
            if (!next.Completion.Task.IsCompleted)
            {
                batch.Add(next);
            }
        }

        if (batch.Count == 0)
        {
            return;
        }

        List<AppendResult> results;
        try
        {
            // Not a caller's token: one caller giving up must not fail the others' transaction.
            results = await AppendManyLockedAsync(batch.ConvertAll(p => p.Event), CancellationToken.None);
        }
#pragma warning disable CA1031 // Every failure is handed to every caller of the batch, none may be left waiting.
        catch (Exception e)
#pragma warning restore CA1031
        {
            foreach (var failed in batch)
            {
                failed.Completion.TrySetException(e);
            }

            return;
        }

        for (var i = 0; i < batch.Count; i++)
        {
            var (pending, result) = (batch[i], results[i]);
            if (!result.Duplicate && pending.Committed is { } committed)
            {
                try
                {
                    committed(result);
                }
#pragma warning disable CA1031 // Handed to its own caller; the batch's other callers still complete.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    pending.Completion.TrySetException(e);
                    continue;
                }
            }

            pending.Completion.TrySetResult(result);
        }
    }

    /// <summary>
    /// Stores several events in one transaction, in order, each once (a bulk load, such as the benchmark's history;
    /// the subscriber's appends go through <see cref="AppendAsync(CloudEvent, Action{AppendResult}?, CancellationToken)"/>).
    /// </summary>
    public async Task<IReadOnlyList<AppendResult>> AppendManyAsync(IReadOnlyList<CloudEvent> cloudEvents, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(cloudEvents);
        await _writeTurn.WaitAsync(cancellationToken);
        try
        {
            return await AppendManyLockedAsync(cloudEvents, cancellationToken);
        }
        finally
        {
            _writeTurn.Release();
        }
    }

    private async Task<List<AppendResult>> AppendManyLockedAsync(IReadOnlyList<CloudEvent> cloudEvents, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = await BeginWriteAsync(connection, cancellationToken);
        var results = new List<AppendResult>(cloudEvents.Count);
        foreach (var cloudEvent in cloudEvents)
        {
            results.Add(await AppendInTransactionAsync(connection, tx, cloudEvent, cancellationToken));
        }

        await tx.CommitAsync(cancellationToken);
        return results;
    }

    private sealed record PendingAppend(CloudEvent Event, Action<AppendResult>? Committed)
    {
        public TaskCompletionSource<AppendResult> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private async Task<AppendResult> AppendInTransactionAsync(DbConnection connection, DbTransaction tx, CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        var recordedAt = _time.GetUtcNow();
        var stored = JsonEventFormat.Encode(cloudEvent);
        var facts = EventFacts.From(cloudEvent, recordedAt);
        if (await FindAsync(connection, tx, facts.Source, facts.Id, cancellationToken) is { } existing)
        {
            return new AppendResult(existing, true, [], []);
        }

        long headSeq;
        byte[] headHash;
        await using (var head = await ReaderAsync(connection, tx, "SELECT head_seq, head_hash FROM audit_chain WHERE id = 1", cancellationToken))
        {
            if (!await head.ReadAsync(cancellationToken))
            {
                throw new InvalidOperationException("The audit_chain row is missing; the database was not migrated or was tampered with.");
            }

            headSeq = head.GetInt64(0);
            headHash = (byte[])head.GetValue(1);
        }

        var seq = headSeq + 1;
        var timeUs = Micros.From(facts.Time);
        var hash = HashChain.Compute(headHash, seq, facts.Source, facts.Id, facts.Type, timeUs, stored);

        var canary = facts is { Namespace: { } ns, Canary: { } name } ? await LoadCanaryAsync(connection, tx, ns, name, cancellationToken) : null;
        var targetId = RolloutProjector.TargetRolloutId(facts);
        var target = targetId is null ? null : await LoadRolloutAsync(connection, tx, targetId, cancellationToken);
        var current = canary?.CurrentRolloutId is { } currentId
            ? currentId == targetId ? target : await LoadRolloutAsync(connection, tx, currentId, cancellationToken)
            : null;
        var projection = RolloutProjector.Apply(facts, seq, canary, target, current);

        await ExecuteAsync(connection, tx,
            """
            INSERT INTO audit_events (seq, source, event_id, type, time_us, recorded_us, namespace, canary, severity, severity_rank,
              phase, checksum, rollout_id, message, event, prev_hash, hash)
            VALUES (@seq, @source, @id, @type, @time, @recorded, @ns, @canary, @severity, @rank, @phase, @checksum, @rollout, @message,
              @event, @prev, @hash)
            """,
            cancellationToken,
            ("seq", seq), ("source", facts.Source), ("id", facts.Id), ("type", facts.Type), ("time", timeUs),
            ("recorded", Micros.From(recordedAt)), ("ns", facts.Namespace), ("canary", facts.Canary), ("severity", facts.Severity),
            ("rank", facts.SeverityRank), ("phase", facts.Phase), ("checksum", facts.Checksum), ("rollout", projection.Rollout?.Id),
            ("message", facts.Message), ("event", stored), ("prev", headHash), ("hash", hash));

        var changed = new List<Rollout>(2);
        foreach (var rollout in new[] { projection.Superseded, projection.Rollout })
        {
            if (rollout is not null)
            {
                await SaveRolloutAsync(connection, tx, rollout, cancellationToken);
                changed.Add(rollout);
            }
        }

        if (projection.Canary is { } state)
        {
            await ExecuteAsync(connection, tx,
                """
                INSERT INTO audit_canaries (namespace, name, phase, last_event_us, current_rollout_id) VALUES (@ns, @name, @phase, @last, @rollout)
                ON CONFLICT (namespace, name) DO UPDATE SET phase = excluded.phase, last_event_us = excluded.last_event_us,
                  current_rollout_id = excluded.current_rollout_id
                """,
                cancellationToken,
                ("ns", state.Namespace), ("name", state.Name), ("phase", state.Phase), ("last", Micros.From(state.LastEventAt)),
                ("rollout", state.CurrentRolloutId));
        }

        await ExecuteAsync(connection, tx, "UPDATE audit_chain SET head_seq = @seq, head_hash = @hash WHERE id = 1", cancellationToken,
            ("seq", seq), ("hash", hash));

        var row = new StoredEvent(seq, facts.Source, facts.Id, facts.Type, facts.Time, Micros.ToTime(Micros.From(recordedAt)), facts.Namespace,
            facts.Canary, facts.Severity, facts.Phase, facts.Checksum, projection.Rollout?.Id, facts.Message, stored, hash);
        var ended = new List<Rollout>(2);
        if (projection.Superseded is not null)
        {
            ended.Add(projection.Superseded);
        }

        if (projection is { Ended: true, Rollout: { } finished })
        {
            ended.Add(finished);
        }

        return new AppendResult(row, false, changed, ended);
    }

    private const string EventColumns =
        "seq, source, event_id, type, time_us, recorded_us, namespace, canary, severity, phase, checksum, rollout_id, message, event, hash";

    private static StoredEvent ReadEvent(DbDataReader r) => new(
        r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), Micros.ToTime(r.GetInt64(4)), Micros.ToTime(r.GetInt64(5)),
        NullableString(r, 6), NullableString(r, 7), NullableString(r, 8), NullableString(r, 9), NullableString(r, 10), NullableString(r, 11),
        NullableString(r, 12), (byte[])r.GetValue(13), (byte[])r.GetValue(14));

    private static string? NullableString(DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static async Task<StoredEvent?> FindAsync(DbConnection connection, DbTransaction? tx, string source, string id, CancellationToken cancellationToken)
    {
        await using var reader = await ReaderAsync(connection, tx, $"SELECT {EventColumns} FROM audit_events WHERE source = @s AND event_id = @id",
            cancellationToken, ("s", source), ("id", id));
        return await reader.ReadAsync(cancellationToken) ? ReadEvent(reader) : null;
    }

    /// <summary>One page of events matching the query.</summary>
    public async Task<IReadOnlyList<StoredEvent>> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.Namespace is not null)
        {
            where.Add("namespace = @ns");
            parameters.Add(("ns", query.Namespace));
        }

        if (query.Canary is not null)
        {
            where.Add("canary = @canary");
            parameters.Add(("canary", query.Canary));
        }

        if (query.TypePrefix is not null)
        {
            where.Add("substr(type, 1, @plen) = @prefix");
            parameters.Add(("plen", query.TypePrefix.Length));
            parameters.Add(("prefix", query.TypePrefix));
        }

        if (query.MinSeverity is { } rank)
        {
            where.Add("severity_rank >= @rank");
            parameters.Add(("rank", rank));
        }

        if (query.From is { } from)
        {
            where.Add("time_us >= @from");
            parameters.Add(("from", Micros.From(from)));
        }

        if (query.To is { } to)
        {
            where.Add("time_us < @to");
            parameters.Add(("to", Micros.From(to)));
        }

        if (query.AfterSeq is { } after)
        {
            where.Add(query.Descending ? "seq < @after" : "seq > @after");
            parameters.Add(("after", after));
        }

        AddNamespaceScope(query.AllowedNamespaces, where, parameters);
        var sql = $"SELECT {EventColumns} FROM audit_events"
                  + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty)
                  + (query.Descending ? " ORDER BY seq DESC" : " ORDER BY seq")
                  + " LIMIT @limit";
        parameters.Add(("limit", query.Limit));
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await ReaderAsync(connection, null, sql, cancellationToken, [.. parameters]);
        var page = new List<StoredEvent>(Math.Min(query.Limit, 1000));
        while (await reader.ReadAsync(cancellationToken))
        {
            page.Add(ReadEvent(reader));
        }

        return page;
    }

    /// <summary>Every event matching the query, ascending, read page by page so that no more than a page is in memory.</summary>
    public async IAsyncEnumerable<StoredEvent> StreamEventsAsync(EventQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = query with { Descending = false, Limit = ExportPage };
        while (true)
        {
            var rows = await QueryEventsAsync(page, cancellationToken);
            foreach (var row in rows)
            {
                yield return row;
            }

            if (rows.Count < ExportPage)
            {
                yield break;
            }

            page = page with { AfterSeq = rows[^1].Seq };
        }
    }

    /// <summary>Every canary seen, with its phase and current rollout.</summary>
    public async Task<IReadOnlyList<CanaryState>> GetCanariesAsync(IReadOnlyCollection<string>? allowedNamespaces, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        AddNamespaceScope(allowedNamespaces, where, parameters);
        var sql = "SELECT namespace, name, phase, last_event_us, current_rollout_id FROM audit_canaries"
                  + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty) + " ORDER BY namespace, name";
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await ReaderAsync(connection, null, sql, cancellationToken, [.. parameters]);
        var canaries = new List<CanaryState>();
        while (await reader.ReadAsync(cancellationToken))
        {
            canaries.Add(new CanaryState
            {
                Namespace = reader.GetString(0),
                Name = reader.GetString(1),
                Phase = NullableString(reader, 2),
                LastEventAt = Micros.ToTime(reader.GetInt64(3)),
                CurrentRolloutId = NullableString(reader, 4),
            });
        }

        return canaries;
    }

    /// <summary>One page of rollouts, newest first.</summary>
    public async Task<IReadOnlyList<Rollout>> QueryRolloutsAsync(RolloutQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (query.Namespace is not null)
        {
            where.Add("namespace = @ns");
            parameters.Add(("ns", query.Namespace));
        }

        if (query.Canary is not null)
        {
            where.Add("canary = @canary");
            parameters.Add(("canary", query.Canary));
        }

        if (query.Status is not null)
        {
            where.Add("status = @status");
            parameters.Add(("status", query.Status));
        }

        if (query.BeforeFirstSeq is { } before)
        {
            where.Add("first_seq < @before");
            parameters.Add(("before", before));
        }

        AddNamespaceScope(query.AllowedNamespaces, where, parameters);
        var sql = "SELECT doc FROM audit_rollouts" + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty)
                  + " ORDER BY first_seq DESC LIMIT @limit";
        parameters.Add(("limit", query.Limit));
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await ReaderAsync(connection, null, sql, cancellationToken, [.. parameters]);
        var rollouts = new List<Rollout>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rollouts.Add(JsonSerializer.Deserialize<Rollout>(reader.GetString(0), AuditJson.Options)!);
        }

        return rollouts;
    }

    public async Task<Rollout?> GetRolloutAsync(string id, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        return await LoadRolloutAsync(connection, null, id, cancellationToken);
    }

    /// <summary>What the DORA figures need of every rollout of the selection.</summary>
    public async Task<IReadOnlyList<RolloutOutcome>> GetOutcomesAsync(string? ns, string? canary, IReadOnlyCollection<string>? allowedNamespaces, CancellationToken cancellationToken)
    {
        var where = new List<string>();
        var parameters = new List<(string, object?)>();
        if (ns is not null)
        {
            where.Add("namespace = @ns");
            parameters.Add(("ns", ns));
        }

        if (canary is not null)
        {
            where.Add("canary = @canary");
            parameters.Add(("canary", canary));
        }

        AddNamespaceScope(allowedNamespaces, where, parameters);
        var sql = "SELECT namespace, canary, status, started_us, ended_us FROM audit_rollouts"
                  + (where.Count > 0 ? " WHERE " + string.Join(" AND ", where) : string.Empty);
        await using var connection = await OpenAsync(cancellationToken);
        await using var reader = await ReaderAsync(connection, null, sql, cancellationToken, [.. parameters]);
        var outcomes = new List<RolloutOutcome>();
        while (await reader.ReadAsync(cancellationToken))
        {
            outcomes.Add(new RolloutOutcome(reader.GetString(0), reader.GetString(1), reader.GetString(2), Micros.ToTime(reader.GetInt64(3)),
                reader.IsDBNull(4) ? null : Micros.ToTime(reader.GetInt64(4))));
        }

        return outcomes;
    }

    /// <summary>Whether the database answers.</summary>
    public async Task PingAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await ScalarAsync(connection, null, "SELECT head_seq FROM audit_chain WHERE id = 1", cancellationToken);
    }

    /// <summary>
    /// Recomputes the chain from the checkpoint (or the first row) to the head and names the first row that was altered,
    /// deleted or moved. Reads one consistent snapshot, so events stored meanwhile do not disturb it.
    /// </summary>
    public async Task<VerifyResult> VerifyAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken);
        await using var tx = _postgres
            ? await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken)
            : ((SqliteConnection)connection).BeginTransaction(deferred: true);
        long headSeq, checkpointSeq;
        byte[] headHash, previous;
        long? checkpointUs;
        await using (var chain = await ReaderAsync(connection, tx,
                         "SELECT head_seq, head_hash, checkpoint_seq, checkpoint_hash, checkpoint_us FROM audit_chain WHERE id = 1", cancellationToken))
        {
            if (!await chain.ReadAsync(cancellationToken))
            {
                return new VerifyResult(false, 0, null, null, 0, null,
                    new ChainProblem(0, "missing", null, null, "The chain's head row (audit_chain id 1) is missing."));
            }

            headSeq = chain.GetInt64(0);
            headHash = (byte[])chain.GetValue(1);
            checkpointSeq = chain.GetInt64(2);
            previous = (byte[])chain.GetValue(3);
            checkpointUs = chain.IsDBNull(4) ? null : chain.GetInt64(4);
        }

        var checkpoint = checkpointSeq > 0 ? new ChainCheckpoint(checkpointSeq, Convert.ToHexStringLower(previous), checkpointUs is { } us ? Micros.ToTime(us) : null) : null;
        var expected = checkpointSeq + 1;
        long checkedRows = 0;
        long? first = null, last = null;
        ChainProblem? problem = null;
        await using (var rows = await ReaderAsync(connection, tx,
                         "SELECT seq, source, event_id, type, time_us, event, prev_hash, hash FROM audit_events WHERE seq > @cp AND seq <= @head ORDER BY seq",
                         cancellationToken, ("cp", checkpointSeq), ("head", headSeq)))
        {
            while (await rows.ReadAsync(cancellationToken))
            {
                var seq = rows.GetInt64(0);
                var source = rows.GetString(1);
                var id = rows.GetString(2);
                var storedPrevious = (byte[])rows.GetValue(6);
                var storedHash = (byte[])rows.GetValue(7);
                first ??= seq;
                if (seq != expected)
                {
                    problem = new ChainProblem(expected, "missing", null, null,
                        seq - expected == 1
                            ? $"Row {expected} is missing (deleted): the chain goes from {expected - 1} to {seq}."
                            : $"Rows {expected} to {seq - 1} are missing (deleted): the chain goes from {expected - 1} to {seq}.");
                    break;
                }

                var computed = HashChain.Compute(previous, seq, source, id, rows.GetString(3), rows.GetInt64(4), (byte[])rows.GetValue(5));
                if (!computed.AsSpan().SequenceEqual(storedHash))
                {
                    // A row that still matches its own recorded predecessor was moved here (rows swapped or renumbered);
                    // otherwise its content or its hash was changed.
                    var selfConsistent = HashChain.Compute(storedPrevious, seq, source, id, rows.GetString(3), rows.GetInt64(4), (byte[])rows.GetValue(5))
                        .AsSpan().SequenceEqual(storedHash);
                    var isLinked = Linked(storedPrevious, previous);
                    problem = !isLinked && !selfConsistent && LooksMoved(storedPrevious, previous)
                        ? new ChainProblem(seq, "reordered", source, id, $"Row {seq} (source {source}, id {id}) is not where it was stored: it does not follow row {seq - 1}.")
                        : new ChainProblem(seq, "altered", source, id,
                            $"Row {seq} (source {source}, id {id}) was altered: its hash does not match its content and its place in the chain.");
                    break;
                }

                if (!Linked(storedPrevious, previous))
                {
                    problem = new ChainProblem(seq, "altered", source, id, $"Row {seq} (source {source}, id {id}) was altered: its previous-hash column was changed.");
                    break;
                }

                previous = storedHash;
                last = seq;
                expected = seq + 1;
                checkedRows++;
            }
        }

        if (problem is null && expected <= headSeq)
        {
            problem = new ChainProblem(expected, "missing", null, null,
                $"Rows {expected} to {headSeq} are missing (deleted): the chain's head is row {headSeq}.");
        }
        else if (problem is null && !previous.AsSpan().SequenceEqual(headHash))
        {
            problem = new ChainProblem(headSeq, "altered", null, null, $"The chain's head hash does not match row {headSeq}: the head or the last row was altered.");
        }

        return new VerifyResult(problem is null, checkedRows, first, last, headSeq, checkpoint, problem);

        static bool Linked(byte[] stored, byte[] expectedPrevious) => stored.AsSpan().SequenceEqual(expectedPrevious);

        // The row's recorded predecessor is a real hash (not the one expected here): it was written after another row.
        static bool LooksMoved(byte[] storedPrevious, byte[] expectedPrevious) =>
            storedPrevious.Length == HashChain.HashLength && !storedPrevious.AsSpan().SequenceEqual(expectedPrevious);
    }

    /// <summary>
    /// Deletes the events recorded before <paramref name="cutoff"/> (the oldest part of the chain only, so the rest stays
    /// one chain) and rollouts that ended before it, and moves the checkpoint to the last deleted row.
    /// </summary>
    public async Task<RetentionResult> ApplyRetentionAsync(DateTimeOffset cutoff, CancellationToken cancellationToken)
    {
        var cutoffUs = Micros.From(cutoff);
        await _writeTurn.WaitAsync(cancellationToken);
        try
        {
            await using var connection = await OpenAsync(cancellationToken);
            await using var tx = await BeginWriteAsync(connection, cancellationToken);
            var headSeq = Convert.ToInt64(await ScalarAsync(connection, tx, "SELECT head_seq FROM audit_chain WHERE id = 1", cancellationToken));
            var checkpointSeq = Convert.ToInt64(await ScalarAsync(connection, tx, "SELECT checkpoint_seq FROM audit_chain WHERE id = 1", cancellationToken));
            var firstKept = await ScalarAsync(connection, tx, "SELECT MIN(seq) FROM audit_events WHERE recorded_us >= @cut", cancellationToken, ("cut", cutoffUs));
            var lastDeleted = firstKept is null or DBNull ? headSeq : Convert.ToInt64(firstKept) - 1;
            long deletedEvents = 0;
            ChainCheckpoint? checkpoint = null;
            if (lastDeleted > checkpointSeq)
            {
                if (await ScalarAsync(connection, tx, "SELECT hash FROM audit_events WHERE seq = @s", cancellationToken, ("s", lastDeleted)) is not byte[] hash)
                {
                    throw new InvalidOperationException($"Retention stopped: row {lastDeleted}, the new checkpoint, is missing; run verify.");
                }

                var now = _time.GetUtcNow();
                deletedEvents = await ExecuteAsync(connection, tx, "DELETE FROM audit_events WHERE seq <= @s", cancellationToken, ("s", lastDeleted));
                await ExecuteAsync(connection, tx, "UPDATE audit_chain SET checkpoint_seq = @s, checkpoint_hash = @h, checkpoint_us = @at WHERE id = 1",
                    cancellationToken, ("s", lastDeleted), ("h", hash), ("at", Micros.From(now)));
                checkpoint = new ChainCheckpoint(lastDeleted, Convert.ToHexStringLower(hash), now);
            }

            var deletedRollouts = await ExecuteAsync(connection, tx, "DELETE FROM audit_rollouts WHERE ended_us IS NOT NULL AND ended_us < @cut",
                cancellationToken, ("cut", cutoffUs));
            await tx.CommitAsync(cancellationToken);
            return new RetentionResult(deletedEvents, deletedRollouts, checkpoint);
        }
        finally
        {
            _writeTurn.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_dataSource is not null)
        {
            await _dataSource.DisposeAsync();
        }

        _writeTurn.Dispose();
    }

    private static void AddNamespaceScope(IReadOnlyCollection<string>? allowed, List<string> where, List<(string, object?)> parameters)
    {
        if (allowed is null)
        {
            return;
        }

        if (allowed.Count == 0)
        {
            where.Add("1 = 0");
            return;
        }

        var names = new List<string>();
        var i = 0;
        foreach (var ns in allowed)
        {
            names.Add("@scope" + i);
            parameters.Add(("scope" + i, ns));
            i++;
        }

        where.Add($"namespace IN ({string.Join(", ", names)})");
    }

    private async Task<DbTransaction> BeginWriteAsync(DbConnection connection, CancellationToken cancellationToken)
    {
        if (!_postgres)
        {
            // IMMEDIATE: take SQLite's write lock at once, so two writers never both read the same chain head.
            return ((SqliteConnection)connection).BeginTransaction(deferred: false);
        }

        var tx = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, tx, $"SELECT pg_advisory_xact_lock({ChainLockKey})", cancellationToken);
        return tx;
    }

    private static async Task<CanaryState?> LoadCanaryAsync(DbConnection connection, DbTransaction tx, string ns, string name, CancellationToken cancellationToken)
    {
        await using var reader = await ReaderAsync(connection, tx,
            "SELECT phase, last_event_us, current_rollout_id FROM audit_canaries WHERE namespace = @ns AND name = @name", cancellationToken,
            ("ns", ns), ("name", name));
        return await reader.ReadAsync(cancellationToken)
            ? new CanaryState
            {
                Namespace = ns,
                Name = name,
                Phase = NullableString(reader, 0),
                LastEventAt = Micros.ToTime(reader.GetInt64(1)),
                CurrentRolloutId = NullableString(reader, 2),
            }
            : null;
    }

    private static async Task<Rollout?> LoadRolloutAsync(DbConnection connection, DbTransaction? tx, string id, CancellationToken cancellationToken)
    {
        var doc = await ScalarAsync(connection, tx, "SELECT doc FROM audit_rollouts WHERE id = @id", cancellationToken, ("id", id));
        return doc is string json ? JsonSerializer.Deserialize<Rollout>(json, AuditJson.Options) : null;
    }

    private static Task<int> SaveRolloutAsync(DbConnection connection, DbTransaction tx, Rollout rollout, CancellationToken cancellationToken) =>
        ExecuteAsync(connection, tx,
            """
            INSERT INTO audit_rollouts (id, namespace, canary, checksum, status, first_seq, started_us, ended_us, doc)
            VALUES (@id, @ns, @canary, @checksum, @status, @first, @started, @ended, @doc)
            ON CONFLICT (id) DO UPDATE SET status = excluded.status, ended_us = excluded.ended_us, doc = excluded.doc
            """,
            cancellationToken,
            ("id", rollout.Id), ("ns", rollout.Namespace), ("canary", rollout.Canary), ("checksum", rollout.Checksum), ("status", rollout.Status),
            ("first", rollout.FirstSeq), ("started", Micros.From(rollout.StartedAt)), ("ended", rollout.EndedAt is { } e ? Micros.From(e) : null),
            ("doc", JsonSerializer.Serialize(rollout, AuditJson.Options)));

    private static DbCommand Command(DbConnection connection, DbTransaction? tx, string sql, (string Name, object? Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = tx;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value ?? DBNull.Value;
            if (value is null)
            {
                // Every nullable column is text or a number; a typed null keeps PostgreSQL from guessing.
                parameter.DbType = name is "ended" or "at" ? DbType.Int64 : DbType.String;
            }

            command.Parameters.Add(parameter);
        }

        return command;
    }

    internal static async Task<int> ExecuteAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    internal static async Task<object?> ScalarAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        await using var command = Command(connection, tx, sql, parameters);
        var value = await command.ExecuteScalarAsync(cancellationToken);
        return value is DBNull ? null : value;
    }

    private static async Task<DbDataReader> ReaderAsync(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, tx, sql, parameters);
        return await command.ExecuteReaderAsync(CommandBehavior.Default, cancellationToken);
    }
}

/// <summary>The JSON settings of stored documents and API answers.</summary>
internal static class AuditJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
    };
}
