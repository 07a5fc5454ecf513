using System.Text.Json;
using Bridge.CloudEvents;

namespace Bridge.Audit.Storage;

/// <summary>What the audit log indexes and projects from one CloudEvent, read once when it is stored.</summary>
internal sealed record EventFacts(
    string Source,
    string Id,
    string Type,
    DateTimeOffset Time,
    string? Namespace,
    string? Canary,
    string? Severity,
    string? Phase,
    string? Checksum,
    string? Message,
    string? Approver)
{
    public const string FlaggerTypePrefix = "app.flagger.canary.";

    /// <summary>The metadata keys a gate's webhook may name its approver under, in the order they are looked at.</summary>
    public static readonly string[] ApproverKeys = ["approvedBy", "approved-by", "approved_by", "approver", "user"];

    /// <summary>The type without Flagger's prefix (<c>weight.advanced</c>, <c>hook.confirm-promotion</c>), or the whole type.</summary>
    public string ShortType => Type.StartsWith(FlaggerTypePrefix, StringComparison.Ordinal) ? Type[FlaggerTypePrefix.Length..] : Type;

    /// <summary>0 info, 1 warn, 2 error; events without a severity count as info.</summary>
    public int SeverityRank => SeverityRanks.Of(Severity);

    /// <summary>Reads the facts of a valid event; <paramref name="recordedAt"/> stands in for a missing <c>time</c>.</summary>
    public static EventFacts From(CloudEvent cloudEvent, DateTimeOffset recordedAt)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        var ns = Text(cloudEvent, "namespace");
        var canary = Text(cloudEvent, "canary");
        if ((ns is null || canary is null) && cloudEvent.Type?.StartsWith(FlaggerTypePrefix, StringComparison.Ordinal) == true
            && cloudEvent.Subject?.Split('/') is [{ Length: > 0 } subjectNs, { Length: > 0 } subjectName])
        {
            ns ??= subjectNs;
            canary ??= subjectName;
        }

        string? message = null;
        string? approver = null;
        if (cloudEvent.Data.Kind == CloudEventDataKind.Json)
        {
            try
            {
                using var doc = JsonDocument.Parse(cloudEvent.Data.Bytes);
                if (doc.RootElement.ValueKind == JsonValueKind.Object
                    && doc.RootElement.TryGetProperty("metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object)
                {
                    if (metadata.TryGetProperty("eventMessage", out var m) && m.ValueKind == JsonValueKind.String)
                    {
                        message = m.GetString();
                    }

                    foreach (var key in ApproverKeys)
                    {
                        if (metadata.TryGetProperty(key, out var a) && a.ValueKind == JsonValueKind.String && !string.IsNullOrWhiteSpace(a.GetString()))
                        {
                            approver = a.GetString();
                            break;
                        }
                    }
                }
            }
            catch (JsonException)
            {
                // Data that is not JSON after all is stored as it came; there is just nothing to read from it.
            }
        }

        return new EventFacts(
            cloudEvent.Source ?? string.Empty,
            cloudEvent.Id ?? string.Empty,
            cloudEvent.Type ?? string.Empty,
            cloudEvent.Time ?? recordedAt,
            ns,
            canary,
            Text(cloudEvent, "severity"),
            Text(cloudEvent, "phase"),
            Text(cloudEvent, "checksum"),
            message,
            approver);
    }

    private static string? Text(CloudEvent cloudEvent, string name) =>
        cloudEvent[name] is { } value && value.ToString() is { Length: > 0 } text ? text : null;
}

/// <summary>Severities in order, for "at least this severe" filters.</summary>
internal static class SeverityRanks
{
    public static int Of(string? severity) => severity switch
    {
        "warn" or "warning" => 1,
        "error" => 2,
        _ => 0,
    };

    public static bool TryParse(string? text, out int rank)
    {
        rank = text switch
        {
            "info" => 0,
            "warn" => 1,
            "error" => 2,
            _ => -1,
        };
        return rank >= 0;
    }
}
