using Bridge.Audit.Rollouts;

namespace Bridge.Audit.Storage;

/// <summary>One stored event as the API reports it.</summary>
internal sealed record StoredEvent(
    long Seq,
    string Source,
    string Id,
    string Type,
    DateTimeOffset Time,
    DateTimeOffset RecordedAt,
    string? Namespace,
    string? Canary,
    string? Severity,
    string? Phase,
    string? Checksum,
    string? RolloutId,
    string? Message,
    byte[] Event,
    byte[] Hash);

/// <summary>The outcome of storing one event.</summary>
/// <param name="Event">The stored row: the new one, or the one stored earlier with the same (source, id).</param>
/// <param name="Duplicate">True when the event was already stored and nothing changed.</param>
/// <param name="Rollouts">The rollouts the event changed (its own, and one it superseded).</param>
/// <param name="Ended">The rollouts the event ended (a subset of <paramref name="Rollouts"/>).</param>
internal sealed record AppendResult(StoredEvent Event, bool Duplicate, IReadOnlyList<Rollout> Rollouts, IReadOnlyList<Rollout> Ended);

/// <summary>Filters of an event query. <see cref="AllowedNamespaces"/> null means every namespace.</summary>
internal sealed record EventQuery
{
    public string? Namespace { get; init; }
    public string? Canary { get; init; }
    public string? TypePrefix { get; init; }
    public int? MinSeverity { get; init; }
    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public IReadOnlyCollection<string>? AllowedNamespaces { get; init; }

    /// <summary>Page after (or, descending, before) this sequence number.</summary>
    public long? AfterSeq { get; init; }
    public bool Descending { get; init; }
    public int Limit { get; init; } = 100;
}

/// <summary>Filters of a rollout query, newest first.</summary>
internal sealed record RolloutQuery
{
    public string? Namespace { get; init; }
    public string? Canary { get; init; }
    public string? Status { get; init; }
    public IReadOnlyCollection<string>? AllowedNamespaces { get; init; }

    /// <summary>Page with rollouts that started before the rollout with this first sequence number.</summary>
    public long? BeforeFirstSeq { get; init; }
    public int Limit { get; init; } = 50;
}

/// <summary>The result of <c>verify</c>.</summary>
internal sealed record VerifyResult(bool Valid, long Checked, long? FirstSeq, long? LastSeq, long HeadSeq, ChainCheckpoint? Checkpoint, ChainProblem? Problem);

/// <summary>Where retention cut the chain: the last deleted row's sequence number and hash.</summary>
internal sealed record ChainCheckpoint(long Seq, string Hash, DateTimeOffset? At);

/// <summary>The first row where the chain breaks.</summary>
/// <param name="Seq">The sequence number of the row (or of the first missing row).</param>
/// <param name="Kind"><c>altered</c>, <c>missing</c> or <c>reordered</c>.</param>
/// <param name="Source">The row's source; null for missing rows.</param>
/// <param name="Id">The row's event id; null for missing rows.</param>
/// <param name="Detail">What is wrong, for a person.</param>
internal sealed record ChainProblem(long Seq, string Kind, string? Source, string? Id, string Detail);

/// <summary>What one retention pass deleted.</summary>
internal sealed record RetentionResult(long DeletedEvents, long DeletedRollouts, ChainCheckpoint? Checkpoint);
