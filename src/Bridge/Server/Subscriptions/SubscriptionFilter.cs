using Bridge.Client.Internal;
using Bridge.Client.V1;
using Bridge.CloudEvents;

namespace Bridge.Server.Subscriptions;

/// <summary>
/// Knative Trigger filters (the <c>filters</c> field of a Trigger) compiled once from the open request and
/// then evaluated per event, with <see cref="FilterEvaluator"/> (Bridge.Client) doing the evaluation.
/// </summary>
/// <remarks>See <see cref="FilterEvaluator"/> for the matching rules.</remarks>
internal sealed class SubscriptionFilter
{
    /// <summary>How deep <c>all</c>, <c>any</c> and <c>not</c> may nest.</summary>
    public const int MaxDepth = FilterEvaluator.MaxDepth;

    private readonly FilterEvaluator _evaluator;

    private SubscriptionFilter(FilterEvaluator evaluator) => _evaluator = evaluator;

    /// <summary>The filter of an open request without filters: every event matches.</summary>
    public static SubscriptionFilter MatchAll { get; } = new(FilterEvaluator.MatchAll);

    /// <summary>
    /// Compiles the filters of an open request.
    /// </summary>
    /// <param name="filters">The request's filters. Must not be null.</param>
    /// <exception cref="InvalidSubscriptionException">A filter is invalid; the message gives its path, e.g. <c>filters[1].any[0].exact</c>.</exception>
    public static SubscriptionFilter Compile(IReadOnlyList<Filter> filters)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count == 0)
        {
            return MatchAll;
        }

        try
        {
            return new SubscriptionFilter(FilterEvaluator.Compile(filters));
        }
        catch (InvalidFilterException e)
        {
            throw new InvalidSubscriptionException(e.Message);
        }
    }

    /// <summary>Whether <paramref name="cloudEvent"/> passes the filter.</summary>
    /// <param name="cloudEvent">A valid event. Must not be null.</param>
    public bool Matches(CloudEvent cloudEvent) => _evaluator.Matches(cloudEvent);
}
