using Bridge.Notifier.Routing;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Templates;

namespace Bridge.Notifier.Configuration;

/// <summary>One validated configuration (the YAML file with its overrides): replaced as a whole on reload.</summary>
internal sealed class NotifierSettings
{
    /// <summary>The cluster label of events that carry none; empty for none.</summary>
    public string Cluster { get; init; } = string.Empty;

    /// <summary>Link templates (<c>links:</c>), rendered for each event into the <c>links</c> template value.</summary>
    public IReadOnlyDictionary<string, NotifierTemplate> Links { get; init; } = new Dictionary<string, NotifierTemplate>();

    /// <summary>The sinks by name.</summary>
    public required IReadOnlyDictionary<string, SinkEntry> Sinks { get; init; }

    public required IReadOnlyList<Route> Routes { get; init; }

    public NoiseSettings Noise { get; init; } = new();

    /// <summary>Where the configuration came from (a file path, or a sentence for the built-in default).</summary>
    public required string Origin { get; init; }
}

/// <summary>A configured sink and the core's settings for it.</summary>
internal sealed record SinkEntry(ISink Sink, int RatePerMinute);

/// <summary>Noise control (<c>noise:</c>).</summary>
internal sealed class NoiseSettings
{
    /// <summary>The types (after <c>app.flagger.canary.</c>) Flagger repeats every interval while nothing changes.</summary>
    public static readonly IReadOnlyList<string> DefaultRepeated = ["approval.waiting", "halted", "rollback.notrequested", "hook."];

    /// <summary>How long an event (source, id) seen once is dropped when delivered again. Default 10 minutes; zero turns it off.</summary>
    public TimeSpan DuplicateWindow { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>Short types (or prefixes ending in <c>.</c>) sent once per rollout until the phase changes.</summary>
    public IReadOnlyList<string> Repeated { get; init; } = DefaultRepeated;

    public bool IsRepeated(string shortType) =>
        Repeated.Any(r => r.EndsWith('.') ? shortType.StartsWith(r, StringComparison.Ordinal) : string.Equals(shortType, r, StringComparison.Ordinal));
}
