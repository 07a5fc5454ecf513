using System.Text.Json;
using System.Text.Json.Serialization;
using Bridge.Audit.Rollouts;
using Bridge.Audit.Storage;

namespace Bridge.Audit.Api;

/// <summary>An event as the API and the stream show it; <see cref="Event"/> is the stored CloudEvent (JSON format).</summary>
internal sealed record EventView(
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
    string Hash,
    JsonElement? Event)
{
    public static EventView From(StoredEvent row, bool withEvent)
    {
        JsonElement? cloudEvent = null;
        if (withEvent)
        {
            using var doc = JsonDocument.Parse(row.Event);
            cloudEvent = doc.RootElement.Clone();
        }

        return new EventView(row.Seq, row.Source, row.Id, row.Type, row.Time, row.RecordedAt, row.Namespace, row.Canary, row.Severity, row.Phase,
            row.Checksum, row.RolloutId, row.Message, Convert.ToHexStringLower(row.Hash), cloudEvent);
    }
}

/// <summary>A rollout without its steps (lists and the stream); the last step stands for the timeline.</summary>
internal sealed record RolloutSummary(
    string Id,
    string Namespace,
    string Canary,
    string Checksum,
    string Status,
    DateTimeOffset StartedAt,
    DateTimeOffset LastEventAt,
    DateTimeOffset? EndedAt,
    double? DurationSeconds,
    int? Weight,
    int? Iteration,
    int? Iterations,
    int FailedChecks,
    int EventCount,
    RolloutEnd? End,
    IReadOnlyList<RolloutGate> Gates,
    RolloutStep? LastStep)
{
    public static RolloutSummary From(Rollout r) => new(r.Id, r.Namespace, r.Canary, r.Checksum, r.Status, r.StartedAt, r.LastEventAt, r.EndedAt,
        r.DurationSeconds, r.Weight, r.Iteration, r.Iterations, r.FailedChecks, r.EventCount, r.End, r.Gates, r.Steps.Count > 0 ? r.Steps[^1] : null);
}

/// <summary>A page of results; <see cref="NextCursor"/> is null on the last page.</summary>
internal sealed record Page<T>(IReadOnlyList<T> Items, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor);

/// <summary>DORA figures for the selection, and per canary.</summary>
internal sealed record DoraReport(DoraFigures Total, IReadOnlyList<DoraFigures> Canaries);
