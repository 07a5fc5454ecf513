using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Bridge.Audit.Tests.Infrastructure;

/// <summary>
/// A private PostgreSQL for the tests: <c>AUDIT_POSTGRES_CONNECTION</c> when set, else a server of Debian's
/// <c>postgresql</c> package started by initdb and pg_ctl in a temporary directory (as the <c>postgres</c> user when the
/// tests run as root), on a free port. When neither works, <see cref="CreateDatabaseAsync"/> fails with the reason.
/// </summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string ConnectionVariable = "AUDIT_POSTGRES_CONNECTION";
    private string? _directory;
    private string? _binaries;
    private string? _adminConnection;
    private string? _unavailable;
    private int _databases;

    public async Task InitializeAsync()
    {
        var configured = Environment.GetEnvironmentVariable(ConnectionVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            _adminConnection = configured;
            return;
        }

        _binaries = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;
        if (_binaries is null)
        {
            _unavailable = $"PostgreSQL is not installed: install Debian's 'postgresql' package (make test does) or set {ConnectionVariable}.";
            return;
        }

        _directory = Directory.CreateTempSubdirectory("audit-pg-").FullName;
        var data = Path.Combine(_directory, "data");
        var port = FreePort();
        var root = Environment.UserName == "root";
        if (root)
        {
            var (chown, chownOutput) = await ProcessRunner.RunAsync("chown", ["-R", "postgres:postgres", _directory], TimeSpan.FromSeconds(10));
            if (chown != 0)
            {
                _unavailable = $"Could not give {_directory} to the postgres user: {chownOutput}";
                return;
            }
        }

        var initdb = await RunAsync(root, Path.Combine(_binaries, "initdb"), ["-D", data, "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8"]);
        if (initdb.ExitCode != 0)
        {
            _unavailable = "initdb failed: " + initdb.Output;
            return;
        }

        var start = await RunAsync(root, Path.Combine(_binaries, "pg_ctl"),
        [
            "-D", data, "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {port} -k {_directory} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200", "start",
        ]);
        if (start.ExitCode != 0)
        {
            var log = File.Exists(Path.Combine(_directory, "server.log")) ? await File.ReadAllTextAsync(Path.Combine(_directory, "server.log")) : string.Empty;
            _unavailable = "pg_ctl start failed: " + start.Output + "\n" + log;
            return;
        }

        _adminConnection = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username=postgres;Database=postgres;Pooling=false";
    }

    /// <summary>Creates an empty database and returns its connection string; fails the test when PostgreSQL is not available.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        if (_adminConnection is null)
        {
            Assert.Fail("No PostgreSQL for the tests. " + _unavailable);
        }

        var name = $"audit_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}"[..40];
        await using (var connection = new NpgsqlConnection(_adminConnection))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await command.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(_adminConnection) { Database = name, Pooling = true }.ConnectionString;
    }

    public async Task DisposeAsync()
    {
        if (_binaries is not null && _directory is not null && _adminConnection is not null)
        {
            await RunAsync(Environment.UserName == "root", Path.Combine(_binaries, "pg_ctl"), ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
        }

        if (_directory is not null)
        {
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A file still held by a server that is going away; the temporary directory is cleaned up later.
            }
        }
    }

    private static Task<(int ExitCode, string Output)> RunAsync(bool asPostgres, string program, IEnumerable<string> arguments) =>
        asPostgres
            ? ProcessRunner.RunAsync("runuser", ["-u", "postgres", "--", program, .. arguments], TimeSpan.FromSeconds(90))
            : ProcessRunner.RunAsync(program, arguments, TimeSpan.FromSeconds(90));

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
