using System.Globalization;
using System.Text.Json.Nodes;

namespace Bridge.Audit.Tests.Browser;

/// <summary>One request Flagger makes to the bridge: <see cref="Hook"/> is <c>event</c> for the event webhook, else the hook's type.</summary>
public sealed record FlaggerRequest(string Hook, string Payload);

/// <summary>The requests of whole canary rollouts, in Flagger's payload format (examples/flagger/*.json).</summary>
public static class FlaggerRollouts
{
    /// <summary>
    /// A rollout that advances to 10, 20 and 30%, fails one check on the way (its message carries markup, which the page
    /// must show as text), waits at the promotion gate until alice approves, and is promoted: 5 seconds between requests.
    /// </summary>
    public static IReadOnlyList<FlaggerRequest> Promoted(string name, string ns, string checksum, DateTimeOffset start)
    {
        var n = $"{name}.{ns}";
        (string Hook, string Phase, string? Message, string? ApprovedBy)[] calls =
        [
            ("event", "Progressing", $"New revision detected! Scaling up {n}", null),
            ("event", "Progressing", $"Starting canary analysis for {n}", null),
            ("pre-rollout", "Progressing", null, null),
            ("event", "Progressing", "Pre-rollout check smoke-test passed", null),
            ("event", "Progressing", $"Advance {n} canary weight 10", null),
            ("event", "Progressing", $"Halt {n} advancement <b>request-success-rate</b> 90.00% < 99%", null),
            ("event", "Progressing", $"Advance {n} canary weight 20", null),
            ("event", "Progressing", $"Advance {n} canary weight 30", null),
            ("event", "WaitingPromotion", $"Halt {n} advancement waiting for promotion approval gate-promo", null),
            ("confirm-promotion", "WaitingPromotion", null, "alice"),
            ("event", "Promoting", "Confirm-promotion check gate-promo passed", null),
            ("event", "Promoting", $"Copying {n} template spec to {name}-primary.{ns}", null),
            ("event", "Finalising", "Routing all traffic to primary", null),
            ("event", "Succeeded", $"Promotion completed! Scaling down {n}", null),
        ];
        return calls.Select((c, i) => new FlaggerRequest(c.Hook, Payload(name, ns, checksum, c.Phase, c.Message, c.ApprovedBy, start.AddSeconds(5 * i))))
            .ToList();
    }

    /// <summary>A rollout that reaches 10%, fails two checks and is rolled back: 5 seconds between requests.</summary>
    public static IReadOnlyList<FlaggerRequest> RolledBack(string name, string ns, string checksum, DateTimeOffset start)
    {
        var n = $"{name}.{ns}";
        (string Phase, string Message)[] calls =
        [
            ("Progressing", $"New revision detected! Scaling up {n}"),
            ("Progressing", $"Advance {n} canary weight 10"),
            ("Progressing", $"Halt {n} advancement request duration 1.2s > 500ms"),
            ("Progressing", $"Halt {n} advancement success rate 80.00% < 99%"),
            ("Failed", $"Rolling back {n} failed checks threshold reached 2"),
            ("Failed", $"Canary failed! Scaling down {n}"),
        ];
        return calls.Select((c, i) => new FlaggerRequest("event", Payload(name, ns, checksum, c.Phase, c.Message, null, start.AddSeconds(5 * i))))
            .ToList();
    }

    /// <summary>Flagger's JSON body: the event webhook's carries the message, its kind and Flagger's timestamp.</summary>
    private static string Payload(string name, string ns, string checksum, string phase, string? message, string? approvedBy, DateTimeOffset time)
    {
        var metadata = new JsonObject { ["timestamp"] = time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) };
        if (message is not null)
        {
            metadata["eventMessage"] = message;
            metadata["eventType"] = message.StartsWith("Halt", StringComparison.Ordinal) || phase == "Failed" ? "Warning" : "Normal";
        }

        if (approvedBy is not null)
        {
            metadata["approvedBy"] = approvedBy;
        }

        return new JsonObject { ["name"] = name, ["namespace"] = ns, ["phase"] = phase, ["checksum"] = checksum, ["metadata"] = metadata }.ToJsonString();
    }
}
