using System.Text.Json;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Templates;

/// <summary>The values a template sees for one notification: every CloudEvent and Flagger field, by lower-case name.</summary>
internal static class TemplateModel
{
    private const int MaxDataDepth = 16;

    /// <summary>Builds the values; <paramref name="links"/> are the already rendered <c>links:</c> of the configuration.</summary>
    public static Dictionary<string, object?> Create(Notification notification, string route, IReadOnlyDictionary<string, string>? links = null)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var model = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["id"] = notification.Id,
            ["source"] = notification.Source,
            ["type"] = notification.Type,
            ["shorttype"] = notification.ShortType,
            ["short_type"] = notification.ShortType,
            ["subject"] = notification.Subject ?? string.Empty,
            ["time"] = notification.Time,
            ["namespace"] = notification.Namespace,
            ["canary"] = notification.Canary,
            ["name"] = notification.Canary,
            ["phase"] = notification.Phase,
            ["severity"] = Notification.SeverityName(notification.Severity),
            ["cluster"] = notification.Cluster,
            ["checksum"] = notification.Checksum,
            ["hooktype"] = notification.HookType,
            ["eventtype"] = notification.EventType,
            ["message"] = notification.Message,
            ["title"] = notification.Title,
            ["outcome"] = notification.Outcome == RolloutOutcome.None ? string.Empty : notification.Outcome.ToString().ToLowerInvariant(),
            ["route"] = route,
            ["metadata"] = notification.Metadata.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal),
            ["data"] = notification.Data is { } data ? FromJson(data, 0) : null,
            ["links"] = links?.ToDictionary(p => p.Key, p => (object?)p.Value, StringComparer.Ordinal) ?? new Dictionary<string, object?>(),
        };
        var extensions = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (KeyValuePair<Bridge.CloudEvents.CloudEventAttribute, object> extension in notification.Event.GetExtensions())
        {
            extensions[extension.Key.Name] = extension.Key.Format(extension.Value);
        }
        model["extensions"] = extensions;
        return model;
    }

    private static object? FromJson(JsonElement element, int depth)
    {
        if (depth > MaxDataDepth)
        {
            return element.GetRawText();
        }
        return element.ValueKind switch
        {
            JsonValueKind.Object => element.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal)
                .ToDictionary(g => g.Key, g => FromJson(g.Last().Value, depth + 1), StringComparer.Ordinal),
            JsonValueKind.Array => element.EnumerateArray().Select(e => FromJson(e, depth + 1)).ToList(),
            JsonValueKind.String => element.GetString(),
            JsonValueKind.Number => element.TryGetInt64(out long l) ? l : element.GetDouble(),
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => null,
        };
    }
}
