using Bridge.Audit.Configuration;
using Bridge.Audit.Storage;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Bridge.Audit.Tests.Infrastructure;

/// <summary>A settable clock for retention and DORA tests.</summary>
public sealed class ManualClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>Creates migrated stores on a new SQLite file or a new PostgreSQL database.</summary>
internal static class TestStores
{
    public static async Task<AuditStore> CreateAsync(StorageOptions options, TimeProvider? time = null)
    {
        var store = new AuditStore(Options.Create(options), time ?? TimeProvider.System, NullLogger<AuditStore>.Instance);
        await store.MigrateAsync(CancellationToken.None);
        return store;
    }

    public static StorageOptions Sqlite(string directory) =>
        new() { Provider = StorageOptions.Sqlite, SqlitePath = Path.Combine(directory, "audit.db") };

    public static StorageOptions Postgres(string connectionString) =>
        new() { Provider = StorageOptions.Postgres, ConnectionString = connectionString };
}
