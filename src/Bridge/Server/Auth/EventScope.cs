using Bridge.CloudEvents;
using Bridge.Server.Flagger;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Auth;

/// <summary>
/// Which CloudEvents a caller may publish, for every way of publishing one (<c>POST /v1/events</c>,
/// gRPC <c>Publish</c>). Events of the Flagger routes are mapped by the bridge itself and checked by
/// the payload's namespace instead.
/// </summary>
/// <remarks>
/// <para>A caller whose token is not limited to namespaces (and the caller of an open ingress) may publish
/// any valid event, including Flagger's source and types: such tokens are trusted with every namespace
/// and are what replays and backfills use.</para>
/// <para>A token limited to namespaces may only publish events every consumer attributes to those
/// namespaces, whichever attribute it reads:</para>
/// <list type="bullet">
/// <item>the <c>namespace</c> extension, the <c>partitionkey</c> (the Kafka key) and the <c>subject</c>, each
/// when present, name the same namespace: the extension is the namespace, the other two have the form
/// <c>&lt;namespace&gt;/&lt;name&gt;</c>;</item>
/// <item>that namespace is one of the token's, and the event has the <c>namespace</c> extension or a
/// <c>partitionkey</c>, so readers that filter by them (restricted subscriptions) see it as that namespace's;</item>
/// <item>its <c>source</c> is not Flagger's (<c>Flagger:Source</c> or anything under it, with or without the
/// cluster path, compared ignoring case): consumers drop duplicates by (<c>source</c>, <c>id</c>), and Flagger's
/// ids are predictable, so such an event could suppress a real Flagger event of another namespace;</item>
/// <item>its <c>type</c> is not under <c>app.flagger.canary.</c>: those types are the contract of events the
/// bridge maps from Flagger payloads, which a scoped token posts to the Flagger routes instead.</item>
/// </list>
/// </remarks>
internal sealed class EventScope
{
    /// <summary>The extension naming the event's namespace.</summary>
    public const string NamespaceExtension = "namespace";

    /// <summary>The partitioning extension, the Kafka record key.</summary>
    public const string PartitionKeyExtension = "partitionkey";

    private readonly string _flaggerSource;
    private readonly string _effectiveSource;

    /// <param name="flagger">The Flagger mapping's options, for the reserved source. Must not be null.</param>
    public EventScope(IOptions<FlaggerOptions> flagger)
    {
        ArgumentNullException.ThrowIfNull(flagger);
        _flaggerSource = flagger.Value.Source;
        _effectiveSource = flagger.Value.EffectiveSource;
    }

    /// <summary>
    /// The namespace an event is about, for readers: its <c>namespace</c> extension, else the part of
    /// <c>partitionkey</c> before the first '/', else null.
    /// </summary>
    /// <param name="cloudEvent">The event. Must not be null.</param>
    public static string? NamespaceOf(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent[NamespaceExtension] is string { Length: > 0 } ns)
        {
            return ns;
        }

        return cloudEvent[PartitionKeyExtension] is string key ? NamespacePart(key) : null;
    }

    /// <summary>Why <paramref name="caller"/> may not publish <paramref name="cloudEvent"/>, or null when it may.</summary>
    /// <param name="caller">The authenticated caller. Must not be null.</param>
    /// <param name="cloudEvent">A valid event. Must not be null.</param>
    /// <returns>
    /// Null, or a sentence naming the attribute and the rule, starting in lower case so that callers can
    /// prefix which event it is about (gRPC: PERMISSION_DENIED; HTTP: 403).
    /// </returns>
    public string? Check(BridgeCaller caller, CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (!caller.IsRestricted)
        {
            return null;
        }

        var extension = cloudEvent[NamespaceExtension] as string;
        var key = cloudEvent[PartitionKeyExtension] as string;
        string? agreed = null;
        string? agreedFrom = null;
        foreach (var (label, value, ns) in (ReadOnlySpan<(string, string?, string?)>)
                 [
                     ("namespace extension", extension, extension),
                     ("partitionkey", key, key is null ? null : NamespacePart(key)),
                     ("subject", cloudEvent.Subject, cloudEvent.Subject is { } subject ? NamespacePart(subject) : null),
                 ])
        {
            if (value is null)
            {
                continue;
            }

            if (string.IsNullOrEmpty(ns))
            {
                return $"the {label} '{value}' names no namespace; the token '{caller.Name}' is limited to namespaces " +
                       $"({AuthOptions.SectionName}:Tokens:*:Namespaces), so its events use '<namespace>/<name>' there.";
            }

            if (!caller.MayAccess(ns))
            {
                return $"the {label} '{value}' is in namespace '{ns}', and the token '{caller.Name}' may not send events for namespace '{ns}' " +
                       $"({AuthOptions.SectionName}:Tokens:*:Namespaces).";
            }

            if (agreed is not null && !string.Equals(agreed, ns, StringComparison.Ordinal))
            {
                return $"the {label} '{value}' is in namespace '{ns}' but the {agreedFrom} is in namespace '{agreed}'; " +
                       "the namespace extension, partitionkey and subject must name the same namespace.";
            }

            agreed = ns;
            agreedFrom = $"{label} '{value}'";
        }

        if (extension is null && key is null)
        {
            return "the event names no namespace (no 'namespace' extension and no 'partitionkey' of the form <namespace>/<name>), " +
                   $"and the token '{caller.Name}' is limited to some namespaces.";
        }

        if (IsFlaggerSource(cloudEvent.Source))
        {
            return $"the source '{cloudEvent.Source}' is reserved to the events the bridge maps from Flagger (Flagger:Source '{_flaggerSource}'), " +
                   $"and the token '{caller.Name}' is limited to namespaces: post Flagger payloads to /v1/flagger/events or " +
                   "/v1/flagger/hooks/<type>, or give the event a source of your own.";
        }

        if (cloudEvent.Type is { } type && type.StartsWith(FlaggerEventTypes.Prefix, StringComparison.Ordinal))
        {
            return $"the type '{type}' is under '{FlaggerEventTypes.Prefix}', reserved to the events the bridge maps from Flagger, " +
                   $"and the token '{caller.Name}' is limited to namespaces: post Flagger payloads to /v1/flagger/events or " +
                   "/v1/flagger/hooks/<type>, or use a type of your own.";
        }

        return null;
    }

    /// <summary>Whether <paramref name="source"/> is the Flagger ingress' source or lies under it.</summary>
    internal bool IsFlaggerSource(string? source) =>
        source is not null && (IsAtOrUnder(source, _flaggerSource) || IsAtOrUnder(source, _effectiveSource));

    private static bool IsAtOrUnder(string source, string reserved)
    {
        var root = reserved.AsSpan().TrimEnd('/');
        if (root.IsEmpty)
        {
            // A source of "/" would otherwise reserve every path.
            return source.AsSpan().Equals(reserved, StringComparison.OrdinalIgnoreCase);
        }

        if (!source.AsSpan().StartsWith(root, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return source.Length == root.Length || source[root.Length] is '/' or '?' or '#';
    }

    private static string? NamespacePart(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 ? value[..slash] : null;
    }
}
