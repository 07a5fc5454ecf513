namespace Bridge.Audit.Configuration;

/// <summary>Where the audit log is kept (section <c>Audit:Storage</c>).</summary>
internal sealed class StorageOptions
{
    public const string SectionName = "Audit:Storage";

    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>
    /// <c>sqlite</c> or <c>postgres</c>. Default: <c>postgres</c> when a connection string (or file) is set, else <c>sqlite</c>.
    /// </summary>
    public string? Provider { get; set; }

    /// <summary>The SQLite database file, relative to the working directory unless absolute. Default <c>data/audit.db</c>.</summary>
    public string SqlitePath { get; set; } = "data/audit.db";

    /// <summary>The PostgreSQL connection string (Npgsql syntax). Set at most one of this and <see cref="ConnectionStringFile"/>.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Path of a file holding the PostgreSQL connection string (a mounted secret); a trailing newline is removed.</summary>
    public string? ConnectionStringFile { get; set; }

    /// <summary>The provider in effect, after the default is applied.</summary>
    public string EffectiveProvider =>
        !string.IsNullOrWhiteSpace(Provider) ? Provider.Trim().ToLowerInvariant()
        : !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(ConnectionStringFile) ? Postgres
        : Sqlite;

    /// <summary>The PostgreSQL connection string, read from <see cref="ConnectionStringFile"/> when that is set.</summary>
    public string ResolveConnectionString() =>
        !string.IsNullOrWhiteSpace(ConnectionStringFile)
            ? File.ReadAllText(ConnectionStringFile).TrimEnd('\r', '\n')
            : ConnectionString ?? string.Empty;
}

/// <summary>How long events are kept (section <c>Audit:Retention</c>).</summary>
internal sealed class RetentionOptions
{
    public const string SectionName = "Audit:Retention";

    /// <summary>Events recorded longer ago than this are deleted (a checkpoint keeps the chain verifiable). Default null: kept for ever.</summary>
    public TimeSpan? MaxAge { get; set; }

    /// <summary>How often retention runs when <see cref="MaxAge"/> is set. Default 1 h.</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromHours(1);
}
