using Bridge.CloudEvents;
using Bridge.Client.V1;

namespace Bridge.Client;

/// <summary>
/// Builds <see cref="Filter"/> messages: the Knative Trigger filter dialects that
/// <see cref="OpenSubscription.Filters"/> takes (all filters in that list must match).
/// </summary>
/// <example>
/// <code>
/// open.Filters.Add(Filters.Prefix("type", "app.flagger.canary."));
/// open.Filters.Add(Filters.Any(Filters.Exact("severity", "warn"), Filters.Exact("severity", "error")));
/// open.Filters.Add(Filters.Not(Filters.Exact("namespace", "kube-system")));
/// </code>
/// </example>
/// <remarks>
/// Attribute names follow CloudEvents: lower-case letters and digits (core attributes such as
/// <c>type</c>, <c>source</c>, <c>subject</c>, or extensions such as <c>namespace</c>, <c>severity</c>).
/// Values must not be empty: an empty prefix or suffix would match every event, which is never what a
/// filter is written for. Every method throws <see cref="ArgumentException"/> naming the bad input.
/// </remarks>
public static class Filters
{
    /// <summary>Matches events whose attribute equals <paramref name="value"/> exactly.</summary>
    /// <param name="attribute">The attribute name. Must not be null.</param>
    /// <param name="value">The expected value. Must not be null or empty.</param>
    public static Filter Exact(string attribute, string value) => new() { Exact = Match(attribute, value) };

    /// <summary>Matches events where every listed attribute equals its value.</summary>
    /// <param name="attributes">Attribute names to values. Must not be null or empty.</param>
    public static Filter Exact(IEnumerable<KeyValuePair<string, string>> attributes) => new() { Exact = Match(attributes) };

    /// <summary>Matches events whose attribute starts with <paramref name="value"/>.</summary>
    /// <param name="attribute">The attribute name. Must not be null.</param>
    /// <param name="value">The prefix. Must not be null or empty.</param>
    public static Filter Prefix(string attribute, string value) => new() { Prefix = Match(attribute, value) };

    /// <summary>Matches events where every listed attribute starts with its value.</summary>
    /// <param name="attributes">Attribute names to prefixes. Must not be null or empty.</param>
    public static Filter Prefix(IEnumerable<KeyValuePair<string, string>> attributes) => new() { Prefix = Match(attributes) };

    /// <summary>Matches events whose attribute ends with <paramref name="value"/>.</summary>
    /// <param name="attribute">The attribute name. Must not be null.</param>
    /// <param name="value">The suffix. Must not be null or empty.</param>
    public static Filter Suffix(string attribute, string value) => new() { Suffix = Match(attribute, value) };

    /// <summary>Matches events where every listed attribute ends with its value.</summary>
    /// <param name="attributes">Attribute names to suffixes. Must not be null or empty.</param>
    public static Filter Suffix(IEnumerable<KeyValuePair<string, string>> attributes) => new() { Suffix = Match(attributes) };

    /// <summary>Matches events that every one of <paramref name="filters"/> matches.</summary>
    /// <param name="filters">At least one filter; none may be null.</param>
    public static Filter All(params Filter[] filters) => new() { All = List(filters, nameof(All)) };

    /// <summary>Matches events that at least one of <paramref name="filters"/> matches.</summary>
    /// <param name="filters">At least one filter; none may be null.</param>
    public static Filter Any(params Filter[] filters) => new() { Any = List(filters, nameof(Any)) };

    /// <summary>Matches events that <paramref name="filter"/> does not match.</summary>
    /// <param name="filter">The filter to negate. Must not be null.</param>
    public static Filter Not(Filter filter)
    {
        ArgumentNullException.ThrowIfNull(filter);
        CheckSet(filter, nameof(filter));
        return new Filter { Not = filter.Clone() };
    }

    /// <summary>
    /// True when <paramref name="name"/> is a CloudEvents attribute name (lower-case letters and digits, not
    /// <c>data</c>): the rule of <see cref="CloudEventAttribute.IsValidName"/>, which the bridge applies too.
    /// </summary>
    /// <param name="name">The name. May be null (then false).</param>
    public static bool IsValidAttributeName(string? name) => CloudEventAttribute.IsValidName(name);

    private static AttributeMatch Match(string attribute, string value)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        ArgumentNullException.ThrowIfNull(value);
        CheckPair(attribute, value, nameof(attribute));
        var match = new AttributeMatch();
        match.Attributes.Add(attribute, value);
        return match;
    }

    private static AttributeMatch Match(IEnumerable<KeyValuePair<string, string>> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var match = new AttributeMatch();
        foreach (KeyValuePair<string, string> pair in attributes)
        {
            CheckPair(pair.Key, pair.Value, nameof(attributes));
            if (match.Attributes.ContainsKey(pair.Key))
            {
                throw new ArgumentException($"Filter attribute '{pair.Key}' is given twice.", nameof(attributes));
            }
            match.Attributes.Add(pair.Key, pair.Value);
        }
        if (match.Attributes.Count == 0)
        {
            throw new ArgumentException("A filter needs at least one attribute.", nameof(attributes));
        }
        return match;
    }

    private static void CheckPair(string? attribute, string? value, string parameter)
    {
        if (!IsValidAttributeName(attribute))
        {
            throw new ArgumentException(
                $"Filter attribute '{attribute}' is not a CloudEvents attribute name (lower-case letters a-z and digits only, and not 'data').", parameter);
        }
        if (string.IsNullOrEmpty(value))
        {
            throw new ArgumentException($"Filter value for attribute '{attribute}' must not be empty.", parameter);
        }
    }

    private static FilterList List(Filter[] filters, string dialect)
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Length == 0)
        {
            throw new ArgumentException($"Filters.{dialect} needs at least one filter.", nameof(filters));
        }
        var list = new FilterList();
        for (int i = 0; i < filters.Length; i++)
        {
            Filter? filter = filters[i] ?? throw new ArgumentException($"Filters.{dialect}: filter {i} is null.", nameof(filters));
            CheckSet(filter, nameof(filters));
            list.Filters.Add(filter.Clone());
        }
        return list;
    }

    private static void CheckSet(Filter filter, string parameter)
    {
        if (filter.FilterCase == Filter.FilterOneofCase.None)
        {
            throw new ArgumentException("A filter with no dialect set (exact, prefix, suffix, all, any or not) matches nothing meaningful.", parameter);
        }
    }
}
