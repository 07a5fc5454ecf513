using Bridge.Client.V1;
using Grpc.Core;

namespace Bridge.Client.Internal;

/// <summary>Turns validated <see cref="SubscriberOptions"/> into what a connection needs.</summary>
internal static class SubscriberSetup
{
    /// <summary>The <c>open</c> message: name, compiled filters, start position and window.</summary>
    public static OpenSubscription BuildOpen(SubscriberOptions options)
    {
        var open = new OpenSubscription
        {
            Subscription = options.Subscription!,
            Start = StartPositions.Parse(options.Start),
            MaxInFlight = options.MaxInFlight,
        };
        open.Filters.Add(CompileFilters(options));
        return open;
    }

    /// <summary>One filter per non-empty list (any of its entries), then the code-built filters.</summary>
    public static IReadOnlyList<Filter> CompileFilters(SubscriberOptions options)
    {
        var filters = new List<Filter>();
        AddAnyOf(filters, options.Types.Select(TypeFilter));
        AddAnyOf(filters, options.Namespaces.Select(ns => Filters.Exact("namespace", ns)));
        AddAnyOf(filters, options.Severities.Select(s => Filters.Exact("severity", s)));
        filters.AddRange(options.Filters.Select(f => f.Clone()));
        return filters;
    }

    /// <summary>Call headers carrying the bearer token, read from the file on every connect so a rotated secret is picked up.</summary>
    public static Metadata? AuthorizationHeaders(SubscriberOptions options)
    {
        string? token = !string.IsNullOrEmpty(options.TokenFile) ? ReadTokenFile(options.TokenFile) : options.Token;
        if (string.IsNullOrEmpty(token))
        {
            return null;
        }
        return new Metadata { { "authorization", "Bearer " + token } };
    }

    /// <summary>Reads a mounted secret; the trailing newline editors and <c>kubectl create secret --from-file</c> leave is removed.</summary>
    public static string ReadTokenFile(string path) => File.ReadAllText(path).TrimEnd('\r', '\n');

    private static Filter TypeFilter(string type) =>
        type.EndsWith('*') ? Filters.Prefix("type", type[..^1]) : Filters.Exact("type", type);

    private static void AddAnyOf(List<Filter> filters, IEnumerable<Filter> alternatives)
    {
        Filter[] list = alternatives.ToArray();
        if (list.Length == 1)
        {
            filters.Add(list[0]);
        }
        else if (list.Length > 1)
        {
            filters.Add(Filters.Any(list));
        }
    }
}
