using System.Text.RegularExpressions;
using Bridge.Client.Internal;
using Bridge.Notifier.Model;

namespace Bridge.Notifier.Routing;

/// <summary>
/// The selection of one route (<c>match:</c>): every condition that is set must hold; a condition left out holds
/// for every event, so an empty match selects everything.
/// </summary>
internal sealed class RouteMatch
{
    /// <summary>A match that selects every event.</summary>
    public static RouteMatch All { get; } = new();

    /// <summary>Lowest severity selected (info ⊃ warn ⊃ error); null for all.</summary>
    public Severity? Severity { get; init; }

    /// <summary>Type prefixes (<c>app.flagger.canary.</c>); empty for all.</summary>
    public IReadOnlyList<string> Types { get; init; } = [];

    public IReadOnlyList<Regex> Namespaces { get; init; } = [];

    public IReadOnlyList<Regex> ExcludeNamespaces { get; init; } = [];

    public IReadOnlyList<Regex> Canaries { get; init; } = [];

    public IReadOnlyList<Regex> ExcludeCanaries { get; init; } = [];

    /// <summary>Flagger phases (case-insensitive); empty for all.</summary>
    public IReadOnlyList<string> Phases { get; init; } = [];

    /// <summary>Kubernetes event types of Flagger event webhooks (<c>Normal</c>, <c>Warning</c>; case-insensitive); empty for all.</summary>
    public IReadOnlyList<string> EventTypes { get; init; } = [];

    /// <summary>Rollout outcomes; empty for all events (ends or not).</summary>
    public IReadOnlyList<RolloutOutcome> Outcomes { get; init; } = [];

    /// <summary>A regular expression the message must match; null for all.</summary>
    public Regex? Message { get; init; }

    /// <summary>Knative filters over the CloudEvent's attributes; null for none.</summary>
    public FilterEvaluator? Filters { get; init; }

    public bool Matches(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (Severity is { } minimum && notification.Severity < minimum)
        {
            return false;
        }
        if (Types.Count > 0 && !Types.Any(t => notification.Type.StartsWith(t, StringComparison.Ordinal)))
        {
            return false;
        }
        if (!Included(Namespaces, ExcludeNamespaces, notification.Namespace) || !Included(Canaries, ExcludeCanaries, notification.Canary))
        {
            return false;
        }
        if (Phases.Count > 0 && !Phases.Contains(notification.Phase, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }
        if (EventTypes.Count > 0 && !EventTypes.Contains(notification.EventType, StringComparer.OrdinalIgnoreCase))
        {
            return false;
        }
        if (Outcomes.Count > 0 && !Outcomes.Contains(notification.Outcome))
        {
            return false;
        }
        if (Message is not null && !SafeIsMatch(Message, notification.Message))
        {
            return false;
        }
        return Filters is null || Filters.Matches(notification.Event);
    }

    private static bool Included(IReadOnlyList<Regex> include, IReadOnlyList<Regex> exclude, string value)
    {
        if (include.Count > 0 && !include.Any(r => SafeIsMatch(r, value)))
        {
            return false;
        }
        return !exclude.Any(r => SafeIsMatch(r, value));
    }

    private static bool SafeIsMatch(Regex regex, string value)
    {
        try
        {
            return regex.IsMatch(value);
        }
        catch (RegexMatchTimeoutException)
        {
            // A pattern that backtracks for too long on hostile text selects nothing rather than stalling delivery.
            return false;
        }
    }
}
