using Bridge.Notifier.Templates;

namespace Bridge.Notifier.Routing;

/// <summary>One entry of <c>routes:</c>: which events, to which sinks, with which templates.</summary>
internal sealed class Route
{
    public required string Name { get; init; }

    public required RouteMatch Match { get; init; }

    /// <summary>Names of the sinks to deliver to, in configuration order.</summary>
    public required IReadOnlyList<string> Sinks { get; init; }

    /// <summary>The <c>message</c> override, rendered with each sink's escaping; null for the sinks' defaults.</summary>
    public NotifierTemplate? Message { get; init; }

    /// <summary>The <c>body</c> override, rendered JSON-safe; null for the sinks' defaults.</summary>
    public NotifierTemplate? Body { get; init; }

    /// <summary>
    /// Whether the events Flagger repeats every interval (waiting for approval, halted, gate polls) are sent once per
    /// rollout until the phase changes. Default true.
    /// </summary>
    public bool OncePerRollout { get; init; } = true;
}
