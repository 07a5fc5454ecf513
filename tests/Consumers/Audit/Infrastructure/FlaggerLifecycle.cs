using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Bridge.CloudEvents;

namespace Bridge.Audit.Tests.Infrastructure;

/// <summary>
/// One request Flagger makes: to the event webhook (with a message) or to a hook. <see cref="Type"/> is the type the
/// bridge gives it (docs/events.md).
/// </summary>
public sealed record FlaggerCall(string Hook, string Type, string Phase, string? Message, string Severity, IReadOnlyDictionary<string, string>? Metadata = null);

/// <summary>Flagger payloads and the CloudEvents the bridge makes of them, for whole canary lifecycles.</summary>
public static class FlaggerLifecycle
{
    public const string Source = "/flagger";

    /// <summary>A rollout that waits at two gates, fails one metric check, and is promoted.</summary>
    public static IReadOnlyList<FlaggerCall> Promoted(string name = "podinfo", string ns = "test", string gateWebhook = "gate-promo")
    {
        var n = $"{name}.{ns}";
        return
        [
            new("event", "revision.detected", "Progressing", $"New revision detected! Scaling up {n}", "info"),
            new("confirm-rollout", "hook.confirm-rollout", "Progressing", null, "info", new Dictionary<string, string> { ["approver"] = "platform-team" }),
            new("event", "check.passed", "Progressing", "Confirm-rollout check gate-rollout passed", "info"),
            new("event", "analysis.started", "Progressing", $"Starting canary analysis for {n}", "info"),
            new("pre-rollout", "hook.pre-rollout", "Progressing", null, "info"),
            new("event", "check.passed", "Progressing", "Pre-rollout check smoke passed", "info"),
            new("event", "weight.advanced", "Progressing", $"Advance {n} canary weight 10", "info"),
            new("event", "halted", "Progressing", $"Halt {n} advancement success rate 90.00% < 99%", "warn"),
            new("event", "weight.advanced", "Progressing", $"Advance {n} canary weight 20", "info"),
            new("event", "weight.advanced", "Progressing", $"Advance {n} canary weight 30", "info"),
            new("event", "approval.waiting", "WaitingPromotion", $"Halt {n} advancement waiting for promotion approval {gateWebhook}", "warn"),
            new("confirm-promotion", "hook.confirm-promotion", "WaitingPromotion", null, "info", new Dictionary<string, string> { ["approvedBy"] = "alice" }),
            new("event", "check.passed", "Promoting", $"Confirm-promotion check {gateWebhook} passed", "info"),
            new("event", "promotion.started", "Promoting", $"Copying {n} template spec to {name}-primary.{ns}", "info"),
            new("event", "traffic.routed", "Finalising", "Routing all traffic to primary", "info"),
            new("event", "promoted", "Succeeded", $"Promotion completed! Scaling down {n}", "info"),
            new("post-rollout", "hook.post-rollout", "Succeeded", null, "info"),
        ];
    }

    /// <summary>A rollout that fails its checks and is rolled back.</summary>
    public static IReadOnlyList<FlaggerCall> RolledBack(string name = "podinfo", string ns = "test")
    {
        var n = $"{name}.{ns}";
        return
        [
            new("event", "revision.detected", "Progressing", $"New revision detected! Scaling up {n}", "info"),
            new("event", "weight.advanced", "Progressing", $"Advance {n} canary weight 10", "info"),
            new("event", "halted", "Progressing", $"Halt {n} advancement request duration 1.2s > 500ms", "warn"),
            new("event", "halted", "Progressing", $"Halt {n} advancement success rate 80.00% < 99%", "warn"),
            new("event", "rolledback", "Failed", $"Rolling back {n} failed checks threshold reached 2", "error"),
            new("event", "failed", "Failed", $"Canary failed! Scaling down {n}", "error"),
        ];
    }

    /// <summary>Flagger's JSON body of a call.</summary>
    public static string Payload(FlaggerCall call, string name, string ns, string checksum, DateTimeOffset time)
    {
        var metadata = new JsonObject();
        if (call.Message is not null)
        {
            metadata["eventMessage"] = call.Message;
            metadata["eventType"] = call.Severity == "info" ? "Normal" : "Warning";
            metadata["timestamp"] = time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        }

        foreach (var (key, value) in call.Metadata ?? new Dictionary<string, string>())
        {
            metadata[key] = value;
        }

        var payload = new JsonObject { ["name"] = name, ["namespace"] = ns, ["phase"] = call.Phase, ["checksum"] = checksum, ["metadata"] = metadata };
        return payload.ToJsonString();
    }

    /// <summary>The CloudEvent the bridge publishes for a call (same attributes and extensions; the id is a hash of the payload).</summary>
    public static CloudEvent ToCloudEvent(FlaggerCall call, string name, string ns, string checksum, DateTimeOffset time)
    {
        var payload = Payload(call, name, ns, checksum, time);
        var cloudEvent = new CloudEvent
        {
            Id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(call.Hook + payload)))[..32],
            Source = Source,
            Type = "app.flagger.canary." + call.Type,
            Subject = $"{ns}/{name}",
            Time = time,
            DataContentType = "application/json",
            Data = CloudEventData.FromJson(payload),
        };
        cloudEvent.SetExtension("partitionkey", $"{ns}/{name}");
        cloudEvent.SetExtension("namespace", ns);
        cloudEvent.SetExtension("canary", name);
        cloudEvent.SetExtension("phase", call.Phase);
        cloudEvent.SetExtension("severity", call.Severity);
        cloudEvent.SetExtension("checksum", checksum);
        cloudEvent.SetExtension("hooktype", call.Hook);
        return cloudEvent;
    }

    /// <summary>The CloudEvents of a lifecycle, one second apart from <paramref name="start"/>.</summary>
    public static List<CloudEvent> Events(IReadOnlyList<FlaggerCall> calls, string name, string ns, string checksum, DateTimeOffset start) =>
        calls.Select((call, i) => ToCloudEvent(call, name, ns, checksum, start.AddSeconds(i))).ToList();

    /// <summary>Any CloudEvent (not from Flagger), with a chosen message in its data.</summary>
    public static CloudEvent Custom(string id, string type, string? ns, string text, DateTimeOffset time, string severity = "info")
    {
        var cloudEvent = new CloudEvent
        {
            Id = id,
            Source = "/tests",
            Type = type,
            Time = time,
            DataContentType = "application/json",
            Data = CloudEventData.FromJson(JsonSerializer.Serialize(new { metadata = new { eventMessage = text } })),
        };
        if (ns is not null)
        {
            cloudEvent.SetExtension("namespace", ns);
            cloudEvent.SetExtension("canary", "app");
        }

        cloudEvent.SetExtension("severity", severity);
        return cloudEvent;
    }
}
