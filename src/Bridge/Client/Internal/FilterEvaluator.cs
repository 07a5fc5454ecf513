using Bridge.Client.V1;
using Bridge.CloudEvents;

namespace Bridge.Client.Internal;

/// <summary>
/// Knative Trigger filters (the <c>filters</c> field of a Trigger) compiled once and then evaluated per event: the one
/// evaluator of the dialect, shared by the bridge's subscriptions and the consumers' own routes.
/// </summary>
/// <remarks>
/// <para>Attributes are core or extension attributes, compared on their canonical string (what the Kafka
/// and HTTP bindings carry; <c>time</c> as RFC 3339, booleans as <c>true</c>/<c>false</c>), ordinally and
/// case-sensitively. An attribute the event does not have never matches <c>exact</c>, <c>prefix</c> or
/// <c>suffix</c> (so <c>not</c> of it does).</para>
/// <para><c>exact</c>, <c>prefix</c> and <c>suffix</c> match when every entry of their map matches.
/// <c>all</c> matches when every nested filter does, so <c>all</c> of an empty list matches every event;
/// <c>any</c> matches when at least one nested filter does, so <c>any</c> of an empty list matches none
/// (as in Knative's dispatchers). The top-level list is an implicit <c>all</c>: no filters, every event.</para>
/// </remarks>
internal sealed class FilterEvaluator
{
    /// <summary>How deep <c>all</c>, <c>any</c> and <c>not</c> may nest.</summary>
    public const int MaxDepth = 32;

    private readonly Node _root;

    private FilterEvaluator(Node root) => _root = root;

    /// <summary>The filter of an open request without filters: every event matches.</summary>
    public static FilterEvaluator MatchAll { get; } = new(new AllNode([]));

    /// <summary>Compiles a list of filters (an implicit <c>all</c>).</summary>
    /// <param name="filters">The filters. Must not be null.</param>
    /// <param name="path">How error messages name the list, e.g. <c>filters</c> or <c>routes[2].filters</c>.</param>
    /// <exception cref="InvalidFilterException">A filter is invalid; the message gives its path, e.g. <c>filters[1].any[0].exact</c>.</exception>
    public static FilterEvaluator Compile(IReadOnlyList<Filter> filters, string path = "filters")
    {
        ArgumentNullException.ThrowIfNull(filters);
        if (filters.Count == 0)
        {
            return MatchAll;
        }

        return new FilterEvaluator(new AllNode(CompileList(filters, path, 1)));
    }

    /// <summary>Whether <paramref name="cloudEvent"/> passes the filter.</summary>
    /// <param name="cloudEvent">A valid event. Must not be null.</param>
    public bool Matches(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        return _root.Matches(cloudEvent);
    }

    /// <summary>The canonical string of attribute <paramref name="name"/>, or null when the event does not have it.</summary>
    internal static string? CanonicalValue(CloudEvent cloudEvent, string name)
    {
        var attribute = cloudEvent.GetAttribute(name);
        if (attribute is null)
        {
            return null;
        }

        return cloudEvent[name] is { } value ? attribute.Format(value) : null;
    }

    private static Node[] CompileList(IReadOnlyList<Filter> filters, string path, int depth)
    {
        var nodes = new Node[filters.Count];
        for (var i = 0; i < nodes.Length; i++)
        {
            nodes[i] = CompileOne(filters[i], $"{path}[{i}]", depth);
        }

        return nodes;
    }

    private static Node CompileOne(Filter? filter, string path, int depth)
    {
        if (depth > MaxDepth)
        {
            throw new InvalidFilterException($"{path}: filters nest deeper than {MaxDepth} levels.");
        }

        if (filter is null)
        {
            throw new InvalidFilterException($"{path}: the filter is missing; set one of exact, prefix, suffix, all, any or not.");
        }

        return filter.FilterCase switch
        {
            Filter.FilterOneofCase.Exact => new AttributeNode(Attributes(filter.Exact, path + ".exact"), AttributeNode.Mode.Exact),
            Filter.FilterOneofCase.Prefix => new AttributeNode(Attributes(filter.Prefix, path + ".prefix"), AttributeNode.Mode.Prefix),
            Filter.FilterOneofCase.Suffix => new AttributeNode(Attributes(filter.Suffix, path + ".suffix"), AttributeNode.Mode.Suffix),
            Filter.FilterOneofCase.All => new AllNode(CompileList(filter.All.Filters, path + ".all", depth + 1)),
            Filter.FilterOneofCase.Any => new AnyNode(CompileList(filter.Any.Filters, path + ".any", depth + 1)),
            Filter.FilterOneofCase.Not => new NotNode(CompileOne(filter.Not, path + ".not", depth + 1)),
            _ => throw new InvalidFilterException($"{path}: the filter has no dialect set; set one of exact, prefix, suffix, all, any or not."),
        };
    }

    private static KeyValuePair<string, string>[] Attributes(AttributeMatch? match, string path)
    {
        if (match is null || match.Attributes.Count == 0)
        {
            throw new InvalidFilterException($"{path}: the attribute map is empty; name at least one attribute.");
        }

        var entries = new KeyValuePair<string, string>[match.Attributes.Count];
        var i = 0;
        foreach (var (name, value) in match.Attributes.OrderBy(e => e.Key, StringComparer.Ordinal))
        {
            if (!CloudEventAttribute.IsValidName(name))
            {
                throw new InvalidFilterException(
                    $"{path}: attribute name '{Shorten(name)}' is invalid: attribute names are lower-case letters a-z and digits 0-9 (and not 'data').");
            }

            entries[i++] = new KeyValuePair<string, string>(name, value);
        }

        return entries;
    }

    private static string Shorten(string text) => text.Length <= 64 ? text : text[..64] + "...";

    private abstract class Node
    {
        public abstract bool Matches(CloudEvent cloudEvent);
    }

    private sealed class AttributeNode(KeyValuePair<string, string>[] entries, AttributeNode.Mode mode) : Node
    {
        public enum Mode
        {
            Exact,
            Prefix,
            Suffix,
        }

        public override bool Matches(CloudEvent cloudEvent)
        {
            foreach (var (name, expected) in entries)
            {
                var actual = CanonicalValue(cloudEvent, name);
                if (actual is null)
                {
                    return false;
                }

                var matched = mode switch
                {
                    Mode.Exact => string.Equals(actual, expected, StringComparison.Ordinal),
                    Mode.Prefix => actual.StartsWith(expected, StringComparison.Ordinal),
                    _ => actual.EndsWith(expected, StringComparison.Ordinal),
                };
                if (!matched)
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class AllNode(Node[] children) : Node
    {
        public override bool Matches(CloudEvent cloudEvent)
        {
            foreach (var child in children)
            {
                if (!child.Matches(cloudEvent))
                {
                    return false;
                }
            }

            return true;
        }
    }

    private sealed class AnyNode(Node[] children) : Node
    {
        public override bool Matches(CloudEvent cloudEvent)
        {
            foreach (var child in children)
            {
                if (child.Matches(cloudEvent))
                {
                    return true;
                }
            }

            return false;
        }
    }

    private sealed class NotNode(Node child) : Node
    {
        public override bool Matches(CloudEvent cloudEvent) => !child.Matches(cloudEvent);
    }
}

/// <summary>A filter cannot be compiled; the message names its path and the problem.</summary>
internal sealed class InvalidFilterException(string message) : Exception(message);
