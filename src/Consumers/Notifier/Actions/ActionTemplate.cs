using System.Text;
using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Actions;

/// <summary>
/// A short text with <c>{placeholders}</c> for fields of the event, used by sink keys that name a target per event
/// (<c>{canary}-{checksum}</c>, <c>https://grafana.example/d/canary?var-ns={namespace}</c>). Deliberately not a full
/// template language: these values build URLs and resource names, where a loop or a filter would only hide mistakes.
/// </summary>
/// <remarks>
/// Placeholders: <c>namespace</c>, <c>canary</c>, <c>checksum</c>, <c>cluster</c>, <c>phase</c>, <c>outcome</c>,
/// <c>severity</c>, <c>type</c>, <c>id</c>, <c>source</c>, <c>title</c>, <c>idempotencyKey</c> and
/// <c>metadata.KEY</c> (a value of the Flagger webhook's <c>metadata</c>). Names are checked when the configuration is
/// read; a metadata key the event lacks fails that delivery with <see cref="ActionInputException"/>.
/// </remarks>
internal sealed class ActionTemplate
{
    private const string MetadataPrefix = "metadata.";

    private static readonly HashSet<string> Fields = new(StringComparer.Ordinal)
    {
        "namespace", "canary", "checksum", "cluster", "phase", "outcome", "severity", "type", "id", "source", "title", "idempotencyKey",
    };

    // Literal text and placeholder names alternate: even indexes are text, odd ones names.
    private readonly string[] parts;

    private ActionTemplate(string text, string[] parts)
    {
        Text = text;
        this.parts = parts;
    }

    /// <summary>The template as configured.</summary>
    public string Text { get; }

    /// <summary>Parses <paramref name="text"/>; throws a configuration error naming <paramref name="key"/> when a placeholder is unknown or a brace unmatched.</summary>
    public static ActionTemplate Parse(string text, SinkDefinition definition, string key)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(definition);
        var parts = new List<string>();
        var literal = new StringBuilder();
        int i = 0;
        while (i < text.Length)
        {
            char c = text[i];
            if (c == '}')
            {
                throw definition.Error(key, $"'}}' at position {i + 1} closes no placeholder");
            }
            if (c != '{')
            {
                literal.Append(c);
                i++;
                continue;
            }
            int end = text.IndexOf('}', i + 1);
            if (end < 0)
            {
                throw definition.Error(key, $"the placeholder opened at position {i + 1} is not closed with '}}'");
            }
            string name = text[(i + 1)..end].Trim();
            bool known = Fields.Contains(name) || (name.StartsWith(MetadataPrefix, StringComparison.Ordinal) && name.Length > MetadataPrefix.Length);
            if (!known)
            {
                throw definition.Error(key, $"unknown placeholder '{{{name}}}'; use one of {{{string.Join("}, {", Fields)}}} or {{metadata.KEY}}");
            }
            parts.Add(literal.ToString());
            parts.Add(name);
            literal.Clear();
            i = end + 1;
        }
        parts.Add(literal.ToString());
        return new ActionTemplate(text, [.. parts]);
    }

    /// <summary>
    /// Renders the template for one event. <paramref name="escape"/> is applied to each substituted value (e.g.
    /// <see cref="Uri.EscapeDataString(string)"/> in URLs), never to the literal text.
    /// </summary>
    /// <exception cref="ActionInputException">A <c>metadata.KEY</c> placeholder names a key the event does not have.</exception>
    public string Render(Notification notification, string idempotencyKey, Func<string, string>? escape = null)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var text = new StringBuilder(parts[0]);
        for (int i = 1; i < parts.Length; i += 2)
        {
            string value = Value(parts[i], notification, idempotencyKey);
            text.Append(escape is null ? value : escape(value));
            text.Append(parts[i + 1]);
        }
        return text.ToString();
    }

    /// <summary>The lower-case outcome name used in configuration and events: <c>promoted</c>, <c>failed</c>, <c>rolledback</c>.</summary>
    public static string OutcomeName(RolloutOutcome outcome) => outcome switch
    {
        RolloutOutcome.Promoted => "promoted",
        RolloutOutcome.Failed => "failed",
        RolloutOutcome.RolledBack => "rolledback",
        _ => "none",
    };

    /// <summary>A value of the event's Flagger <c>metadata</c>; throws <see cref="ActionInputException"/> naming the key when it is absent or empty.</summary>
    public static string RequiredMetadata(Notification notification, string key)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return notification.Metadata.TryGetValue(key, out string? value) && value.Length > 0
            ? value
            : throw new ActionInputException($"the event's metadata has no '{key}' (set it in the metadata of the canary's webhook)");
    }

    private static string Value(string name, Notification n, string idempotencyKey) => name switch
    {
        "namespace" => n.Namespace,
        "canary" => n.Canary,
        "checksum" => n.Checksum,
        "cluster" => n.Cluster,
        "phase" => n.Phase,
        "outcome" => OutcomeName(n.Outcome),
        "severity" => Notification.SeverityName(n.Severity),
        "type" => n.Type,
        "id" => n.Id,
        "source" => n.Source,
        "title" => n.Title,
        "idempotencyKey" => idempotencyKey,
        _ => RequiredMetadata(n, name[MetadataPrefix.Length..]),
    };
}

/// <summary>The event lacks something an action needs (a metadata key such as <c>jiraIssue</c>); the action fails without calling its target.</summary>
internal sealed class ActionInputException : Exception
{
    public ActionInputException(string message)
        : base(message)
    {
    }
}
