using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Bridge.Audit.Configuration;
using Bridge.Audit.Rollouts;
using Bridge.Audit.Storage;
using Bridge.CloudEvents;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Bridge.Bench;

/// <summary>
/// The audit service's store on SQLite and PostgreSQL: events stored per second by concurrent appends (each returns
/// after its commit, as the subscriber acks; concurrent appends share a commit), and query latency over a 100k-event
/// history (<c>AUDIT_BENCH_HISTORY</c> events instead, for a shorter run). PostgreSQL is
/// <c>AUDIT_POSTGRES_CONNECTION</c> or a private server of Debian's postgresql package.
/// </summary>
internal static class AuditBench
{
    private static readonly int History = int.TryParse(Environment.GetEnvironmentVariable("AUDIT_BENCH_HISTORY"), CultureInfo.InvariantCulture, out var n) && n > 0
        ? n
        : 100_000;

    // One at a time (a commit per event), 4 partitions' handlers, and the subscriber's default of 100 deliveries in flight.
    private static readonly int[] Writers = [1, 4, 100];
    private const int Canaries = 50;

    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        var directory = Directory.CreateTempSubdirectory("audit-bench-").FullName;
        try
        {
            await RunProviderAsync("sqlite", new StorageOptions { Provider = StorageOptions.Sqlite, SqlitePath = Path.Combine(directory, "audit.db") }, options, report);
            await using var postgres = await PrivatePostgres.StartAsync();
            if (postgres.ConnectionString is { } connection)
            {
                await RunProviderAsync("postgres", new StorageOptions { Provider = StorageOptions.Postgres, ConnectionString = connection }, options, report);
            }
            else
            {
                report.Note("audit on PostgreSQL skipped: " + postgres.Unavailable);
            }
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task RunProviderAsync(string name, StorageOptions storage, BenchOptions options, BenchReport report)
    {
        await using var store = new AuditStore(Options.Create(storage), TimeProvider.System, NullLogger<AuditStore>.Instance);
        await store.MigrateAsync(CancellationToken.None);
        var counter = 0L;

        foreach (var writers in Writers)
        {
            counter = await StoreAsync(store, name, writers, counter, options, report);
        }

        // The history, loaded 1000 events per transaction.
        var load = Stopwatch.StartNew();
        var loaded = History - counter;
        while (counter < History)
        {
            var batch = Enumerable.Range(0, (int)Math.Min(1000, History - counter)).Select(_ => NewEvent(++counter)).ToList();
            await store.AppendManyAsync(batch, CancellationToken.None);
        }

        if (loaded > 0)
        {
            report.Add($"audit {name}, load history", "events/s (1000 per commit)", (loaded / load.Elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));
        }

        var rolloutId = RolloutProjector.RolloutId("bench", "app7", "rev3");
        await QueryAsync(report, name, "events of one canary, newest 100", 30,
            () => store.QueryEventsAsync(new EventQuery { Namespace = "bench", Canary = "app7", Descending = true, Limit = 100 }, CancellationToken.None));
        await QueryAsync(report, name, "events by type prefix + severity, 100", 30,
            () => store.QueryEventsAsync(new EventQuery { TypePrefix = "app.flagger.canary.halt", MinSeverity = 1, Limit = 100 }, CancellationToken.None));
        await QueryAsync(report, name, "events page deep in the history (cursor)", 30,
            () => store.QueryEventsAsync(new EventQuery { AfterSeq = History / 2, Limit = 100 }, CancellationToken.None));
        await QueryAsync(report, name, "rollouts, newest 50", 30,
            () => store.QueryRolloutsAsync(new RolloutQuery { Limit = 50 }, CancellationToken.None));
        await QueryAsync(report, name, "one rollout with its timeline", 30, async () =>
            await store.GetRolloutAsync(rolloutId, CancellationToken.None) ?? throw new InvalidOperationException($"Rollout {rolloutId} is missing."));
        await QueryAsync(report, name, "DORA over every rollout", 10, async () =>
            Dora.Compute(await store.GetOutcomesAsync(null, null, null, CancellationToken.None), DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow));
        await QueryAsync(report, name, $"verify the whole chain ({History / 1000}k rows)", 3, async () =>
        {
            var result = await store.VerifyAsync(CancellationToken.None);
            if (!result.Valid)
            {
                report.Fail($"audit {name}: verify failed: {result.Problem?.Detail}");
            }

            return result;
        });
    }

    /// <summary>Events stored per second by <paramref name="writers"/> concurrent appends, each waiting for its commit.</summary>
    private static async Task<long> StoreAsync(AuditStore store, string name, int writers, long counter, BenchOptions options, BenchReport report)
    {
        var latencies = new List<double>[writers];
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(Math.Min(5, options.Duration.TotalSeconds));
        // Each writer on its own task: SQLite's provider completes synchronously, so a writer started inline would run
        // its whole loop before the next one starts.
        await Task.WhenAll(Enumerable.Range(0, writers).Select(w => Task.Run(async () =>
        {
            var mine = latencies[w] = [];
            while (clock.Elapsed < duration)
            {
                var cloudEvent = NewEvent(Interlocked.Increment(ref counter));
                var start = Stopwatch.GetTimestamp();
                await store.AppendAsync(cloudEvent, CancellationToken.None);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        })));
        var all = latencies.SelectMany(l => l).ToList();
        var row = $"audit {name}, store ({writers.ToString(CultureInfo.InvariantCulture)} concurrent appends)";
        report.Add(row, "events/s", (all.Count / clock.Elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));
        report.Add(row, "latency", Percentiles.Describe(all));
        return counter;
    }

    private static async Task QueryAsync<T>(BenchReport report, string provider, string query, int runs, Func<Task<T>> run)
    {
        await run();
        var millis = new List<double>(runs);
        for (var i = 0; i < runs; i++)
        {
            var start = Stopwatch.GetTimestamp();
            await run();
            millis.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        report.Add($"audit {provider}, {History / 1000}k history", query, Percentiles.Describe(millis));
    }

    /// <summary>A Flagger event of one of 50 canaries, each going through revisions of 20 events (weights, a failed check, promotion).</summary>
    private static CloudEvent NewEvent(long n)
    {
        var canary = "app" + (n % Canaries).ToString(CultureInfo.InvariantCulture);
        var perCanary = n / Canaries;
        var revision = "rev" + (perCanary / 20).ToString(CultureInfo.InvariantCulture);
        var step = perCanary % 20;
        var (type, message, severity) = step switch
        {
            0 => ("revision.detected", $"New revision detected! Scaling up {canary}.bench", "info"),
            7 => ("halted", $"Halt {canary}.bench advancement success rate 90.00% < 99%", "warn"),
            19 => ("promoted", $"Promotion completed! Scaling down {canary}.bench", "info"),
            _ => ("weight.advanced", $"Advance {canary}.bench canary weight {step * 5}", "info"),
        };
        var time = DateTimeOffset.UtcNow;
        var payload = JsonSerializer.Serialize(new
        {
            name = canary,
            @namespace = "bench",
            phase = "Progressing",
            checksum = revision,
            metadata = new { eventMessage = message, eventType = "Normal", timestamp = time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
        });
        var cloudEvent = new CloudEvent
        {
            Id = n.ToString("x32", CultureInfo.InvariantCulture),
            Source = "/flagger",
            Type = "app.flagger.canary." + type,
            Subject = "bench/" + canary,
            Time = time,
            DataContentType = "application/json",
            Data = CloudEventData.FromJson(payload),
        };
        cloudEvent.SetExtension("namespace", "bench");
        cloudEvent.SetExtension("canary", canary);
        cloudEvent.SetExtension("severity", severity);
        cloudEvent.SetExtension("checksum", revision);
        return cloudEvent;
    }

    /// <summary>A PostgreSQL for the run: the configured one, or initdb + pg_ctl in a temporary directory.</summary>
    private sealed class PrivatePostgres : IAsyncDisposable
    {
        private string? _binaries;
        private string? _data;
        private string? _root;

        public string? ConnectionString { get; private set; }

        public string? Unavailable { get; private set; }

        public static async Task<PrivatePostgres> StartAsync()
        {
            var server = new PrivatePostgres();
            if (Environment.GetEnvironmentVariable("AUDIT_POSTGRES_CONNECTION") is { Length: > 0 } configured)
            {
                server.ConnectionString = configured;
                return server;
            }

            server._binaries = Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(d => File.Exists(Path.Combine(d, "initdb"))).Max(StringComparer.Ordinal)
                : null;
            if (server._binaries is null)
            {
                server.Unavailable = "install Debian's postgresql or set AUDIT_POSTGRES_CONNECTION";
                return server;
            }

            // A directory of its own: the postgres user cannot enter the run's private temporary directory.
            var root = server._root = Directory.CreateTempSubdirectory("audit-bench-pg-").FullName;
            server._data = Path.Combine(root, "data");
            int port;
            using (var listener = new TcpListener(IPAddress.Loopback, 0))
            {
                listener.Start();
                port = ((IPEndPoint)listener.LocalEndpoint).Port;
            }

            if (Environment.UserName == "root" && await RunAsync("chown", ["-R", "postgres:postgres", root]) is (not 0, var chown))
            {
                server.Unavailable = chown;
                return server;
            }

            if (await server.PgAsync("initdb", ["-D", server._data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]) is (not 0, var initdb))
            {
                server.Unavailable = "initdb: " + initdb;
                return server;
            }

            // Durable commits (fsync on), as a production server has them.
            if (await server.PgAsync("pg_ctl", ["-D", server._data, "-l", Path.Combine(root, "log"), "-w", "-o", $"-p {port} -k {root} -c listen_addresses=127.0.0.1", "start"]) is (not 0, var start))
            {
                server.Unavailable = "pg_ctl: " + start;
                return server;
            }

            server.ConnectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            NpgsqlConnection.ClearAllPools();
            if (_binaries is not null && _data is not null && ConnectionString is not null)
            {
                await PgAsync("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "stop"]);
            }

            if (_root is not null)
            {
                Directory.Delete(_root, recursive: true);
            }
        }

        private Task<(int, string)> PgAsync(string program, string[] arguments) =>
            Environment.UserName == "root"
                ? RunAsync("runuser", ["-u", "postgres", "--", Path.Combine(_binaries!, program), .. arguments])
                : RunAsync(Path.Combine(_binaries!, program), arguments);

        private static async Task<(int, string)> RunAsync(string program, string[] arguments)
        {
            var info = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var argument in arguments)
            {
                info.ArgumentList.Add(argument);
            }

            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync();
            return (process.ExitCode, await stdout + await stderr);
        }
    }
}
