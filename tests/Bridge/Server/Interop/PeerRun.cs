using System.Text.Json;

namespace Bridge.Server.Tests.Interop;

/// <summary>What one run of bridge_peer.py printed, parsed: Publish results, deliveries, health and the final status.</summary>
internal sealed class PeerRun
{
    public PeerRun(IReadOnlyList<string> lines, string transcript)
    {
        Lines = lines;
        Transcript = transcript;
        foreach (string line in lines)
        {
            if (line.StartsWith("RESULT ", StringComparison.Ordinal))
            {
                Results.Add(JsonDocument.Parse(line["RESULT ".Length..]).RootElement.Clone());
            }
            else if (line.StartsWith("DELIVERY ", StringComparison.Ordinal))
            {
                Deliveries.Add(Delivery.Parse(line["DELIVERY ".Length..]));
            }
            else if (line.StartsWith("HEALTH ", StringComparison.Ordinal))
            {
                Health = line["HEALTH ".Length..];
            }
            else if (line.StartsWith("STATUS ", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ', 3);
                StatusCode = parts[1];
                StatusDetails = parts.Length > 2 ? parts[2] : string.Empty;
            }
        }
    }

    public IReadOnlyList<string> Lines { get; }

    /// <summary>Everything the script printed, for assertion messages.</summary>
    public string Transcript { get; }

    /// <summary>Publish results in response order: id, outcome (accepted|error), partition, offset, code, message.</summary>
    public List<JsonElement> Results { get; } = [];

    public List<Delivery> Deliveries { get; } = [];

    /// <summary>The serving status a health Check returned (e.g. SERVING).</summary>
    public string? Health { get; }

    /// <summary>The call's gRPC status code name as grpcio reports it (OK, INVALID_ARGUMENT, ...).</summary>
    public string? StatusCode { get; }

    public string? StatusDetails { get; }

    /// <summary>Fails with the transcript unless the call ended with <paramref name="code"/>.</summary>
    public void AssertStatus(string code) =>
        Assert.True(StatusCode == code, $"Expected status {code}, got {StatusCode ?? "none"} '{StatusDetails}'.\n{Transcript}");
}

/// <summary>One Subscribe delivery as bridge_peer.py printed it.</summary>
internal sealed record Delivery(
    ulong AckId, string Id, string Type, string Source, string? Subject, string? Namespace, string? Severity,
    int Partition, long Offset, int Attempt, string Key, JsonElement Data)
{
    public static Delivery Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        var e = document.RootElement;
        return new Delivery(
            e.GetProperty("ack_id").GetUInt64(), e.GetProperty("id").GetString()!, e.GetProperty("type").GetString()!,
            e.GetProperty("source").GetString()!, e.GetProperty("subject").GetString(), e.GetProperty("namespace").GetString(),
            e.GetProperty("severity").GetString(), e.GetProperty("partition").GetInt32(), e.GetProperty("offset").GetInt64(),
            e.GetProperty("attempt").GetInt32(), e.GetProperty("key").GetString()!, e.GetProperty("data").Clone());
    }
}
