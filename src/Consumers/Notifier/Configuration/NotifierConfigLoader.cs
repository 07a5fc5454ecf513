using System.Globalization;
using System.Text.RegularExpressions;
using Bridge.Client.Internal;
using Bridge.Client.V1;
using Bridge.Notifier.Model;
using Bridge.Notifier.Routing;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Templates;
using Microsoft.Extensions.Configuration;

namespace Bridge.Notifier.Configuration;

/// <summary>
/// Turns the YAML file (plus <c>NOTIFIER_YAML__</c> environment overrides) into <see cref="NotifierSettings"/>,
/// rejecting anything it does not understand with an error naming the key: unknown keys, unknown sink types, routes
/// naming unknown sinks, bad values and templates that do not parse.
/// </summary>
internal sealed class NotifierConfigLoader
{
    /// <summary>Environment variables with this prefix override keys of the file (<c>NOTIFIER_YAML__sinks__slack__channel</c>).</summary>
    public const string EnvironmentPrefix = "NOTIFIER_YAML__";

    /// <summary>The sink of the built-in configuration.</summary>
    public const string DefaultSinkName = "console";

    private static readonly string[] TopKeys = ["cluster", "links", "sinks", "routes", "noise"];
    private static readonly string[] RouteKeys = ["name", "match", "sinks", "message", "body", "oncePerRollout"];
    private static readonly string[] MatchKeys = ["severity", "types", "namespaces", "excludeNamespaces", "canaries", "excludeCanaries", "phases", "eventTypes", "outcomes", "message", "filters"];
    private static readonly string[] NoiseKeys = ["duplicateWindow", "repeated"];
    private static readonly string[] CoreSinkKeys = ["type", "ratePerMinute"];
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromMilliseconds(100);

    private readonly IReadOnlyDictionary<string, ISinkFactory> _factories;
    private readonly TemplateEngine _templates;
    private readonly Func<string, HttpClient> _http;
    private readonly IServiceProvider _services;
    private readonly TimeProvider _time;
    private readonly string? _dataDirectory;

    public NotifierConfigLoader(IEnumerable<ISinkFactory> factories, TemplateEngine templates, Func<string, HttpClient> http, IServiceProvider services, TimeProvider time, string? dataDirectory)
    {
        _factories = factories.GroupBy(f => f.Kind, StringComparer.OrdinalIgnoreCase).ToDictionary(g => g.Key, g => g.Last(), StringComparer.OrdinalIgnoreCase);
        _templates = templates;
        _http = http;
        _services = services;
        _time = time;
        _dataDirectory = dataDirectory;
    }

    /// <summary>The sink kinds that can be configured, sorted.</summary>
    public IReadOnlyList<string> Kinds => _factories.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>Loads the configuration. <paramref name="yaml"/> null means no file: a console sink and one catch-all route.</summary>
    /// <exception cref="NotifierConfigurationException">The configuration is invalid.</exception>
    public NotifierSettings Load(string? yaml, string origin, IEnumerable<KeyValuePair<string, string?>>? overrides = null)
    {
        Dictionary<string, string?> values;
        Dictionary<string, int> lines;
        if (yaml is null)
        {
            (values, lines) = (new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase), new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase));
        }
        else
        {
            (values, lines) = YamlDocument.Flatten(yaml, origin);
        }
        foreach (KeyValuePair<string, string?> entry in overrides ?? [])
        {
            values[entry.Key] = entry.Value;
        }
        IConfiguration root = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
        var context = new LoadContext(lines);
        context.OnlyKeys(root, string.Empty, TopKeys);

        var links = new Dictionary<string, NotifierTemplate>(StringComparer.Ordinal);
        foreach (IConfigurationSection link in root.GetSection("links").GetChildren())
        {
            string path = "links:" + link.Key;
            links[link.Key] = CompileTemplate(context, path, link.Value ?? throw context.Error(path, "must be a text template, e.g. https://grafana.example.com/d/canary?var-canary={{ canary }}"));
        }

        Dictionary<string, SinkEntry> sinks = LoadSinks(root.GetSection("sinks"), context);
        List<Route> routes = LoadRoutes(root.GetSection("routes"), sinks, context);
        if (sinks.Count == 0 && routes.Count == 0)
        {
            ISink console = CreateSink(DefaultSinkName, "console", new ConfigurationBuilder().Build(), context);
            sinks[DefaultSinkName] = new SinkEntry(console, 0);
            routes.Add(new Route { Name = "default", Match = RouteMatch.All, Sinks = [DefaultSinkName] });
        }
        else if (routes.Count == 0)
        {
            throw context.Error("routes", "no route is configured: sinks receive nothing without a route naming them");
        }

        return new NotifierSettings
        {
            Cluster = root["cluster"] ?? string.Empty,
            Links = links,
            Sinks = sinks,
            Routes = routes,
            Noise = LoadNoise(root.GetSection("noise"), context),
            Origin = origin,
        };
    }

    private Dictionary<string, SinkEntry> LoadSinks(IConfigurationSection section, LoadContext context)
    {
        var sinks = new Dictionary<string, SinkEntry>(StringComparer.Ordinal);
        foreach (IConfigurationSection sink in section.GetChildren())
        {
            string path = "sinks:" + sink.Key;
            if (sink.Value is not null && sink.Value.Length > 0)
            {
                throw context.Error(path, "must be a mapping with at least type:");
            }
            string kind = sink["type"] ?? throw context.Error(path + ":type", $"is required; known types: {string.Join(", ", Kinds)}");
            int rate = context.Int(sink, path, "ratePerMinute", 0, 0, 100_000);
            sinks[sink.Key] = new SinkEntry(CreateSink(sink.Key, kind.Trim().ToLowerInvariant(), sink, context), rate);
        }
        return sinks;
    }

    private ISink CreateSink(string name, string kind, IConfiguration section, LoadContext context)
    {
        string path = "sinks:" + name;
        if (!_factories.TryGetValue(kind, out ISinkFactory? factory))
        {
            throw context.Error(path + ":type", $"'{kind}' is not a known sink type; known types: {string.Join(", ", Kinds)}");
        }
        var tracking = new TrackingConfiguration(section);
        var definition = new SinkDefinition(name, kind, tracking, _http(name), _services, _time, _dataDirectory);
        ISink created;
        try
        {
            created = factory.Create(definition);
        }
        catch (NotifierConfigurationException e)
        {
            throw context.Located(e);
        }
        List<string> unknown = tracking.Unread(CoreSinkKeys).ToList();
        if (unknown.Count > 0)
        {
            throw context.Error(path + ":" + unknown[0], $"is not a key of {kind} sinks (unknown keys: {string.Join(", ", unknown)})");
        }
        return created;
    }

    private List<Route> LoadRoutes(IConfigurationSection section, IReadOnlyDictionary<string, SinkEntry> sinks, LoadContext context)
    {
        var routes = new List<Route>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (IConfigurationSection route in section.GetChildren().OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue))
        {
            string path = "routes:" + route.Key;
            context.OnlyKeys(route, path, RouteKeys);
            string name = route["name"] ?? $"route-{route.Key}";
            if (!names.Add(name))
            {
                throw context.Error(path + ":name", $"'{name}' names another route too; route names must be unique");
            }
            IReadOnlyList<string> sinkNames = context.List(route, "sinks");
            if (sinkNames.Count == 0)
            {
                throw context.Error(path + ":sinks", $"is required: name at least one sink (configured: {string.Join(", ", sinks.Keys)})");
            }
            for (int i = 0; i < sinkNames.Count; i++)
            {
                if (!sinks.ContainsKey(sinkNames[i]))
                {
                    throw context.Error($"{path}:sinks:{i}", $"'{sinkNames[i]}' is not a configured sink (configured: {(sinks.Count == 0 ? "none" : string.Join(", ", sinks.Keys))})");
                }
            }
            routes.Add(new Route
            {
                Name = name,
                Match = LoadMatch(route.GetSection("match"), path + ":match", context),
                Sinks = sinkNames,
                Message = route["message"] is { } message ? CompileTemplate(context, path + ":message", message) : null,
                Body = route["body"] is { } body ? CompileTemplate(context, path + ":body", body) : null,
                OncePerRollout = context.Bool(route, path, "oncePerRollout", true),
            });
        }
        return routes;
    }

    private static RouteMatch LoadMatch(IConfigurationSection match, string path, LoadContext context)
    {
        if (!match.Exists())
        {
            return RouteMatch.All;
        }
        context.OnlyKeys(match, path, MatchKeys);
        Severity? severity = null;
        if (match["severity"] is { } severityText)
        {
            severity = Notification.ParseSeverity(severityText)
                ?? throw context.Error(path + ":severity", $"'{severityText}' is not info, warn or error");
        }
        var outcomes = new List<RolloutOutcome>();
        IReadOnlyList<string> outcomeNames = context.List(match, "outcomes");
        for (int i = 0; i < outcomeNames.Count; i++)
        {
            outcomes.Add(outcomeNames[i].Trim().ToLowerInvariant() switch
            {
                "promoted" => RolloutOutcome.Promoted,
                "failed" => RolloutOutcome.Failed,
                "rolledback" => RolloutOutcome.RolledBack,
                _ => throw context.Error($"{path}:outcomes:{i}", $"'{outcomeNames[i]}' is not promoted, failed or rolledback"),
            });
        }
        return new RouteMatch
        {
            Severity = severity,
            Types = context.List(match, "types").Select(t => t.EndsWith('*') ? t[..^1] : t).ToList(),
            Namespaces = Regexes(match, path, "namespaces", context),
            ExcludeNamespaces = Regexes(match, path, "excludeNamespaces", context),
            Canaries = Regexes(match, path, "canaries", context),
            ExcludeCanaries = Regexes(match, path, "excludeCanaries", context),
            Phases = context.List(match, "phases"),
            EventTypes = context.List(match, "eventTypes"),
            Outcomes = outcomes,
            Message = match["message"] is { } message ? Pattern(message, path + ":message", context) : null,
            Filters = match.GetSection("filters").Exists() ? Filters(match.GetSection("filters"), path + ":filters", context) : null,
        };
    }

    private static List<Regex> Regexes(IConfigurationSection match, string path, string key, LoadContext context)
    {
        IReadOnlyList<string> patterns = context.List(match, key);
        return patterns.Select((p, i) => Pattern(p, $"{path}:{key}:{i}", context)).ToList();
    }

    private static Regex Pattern(string pattern, string path, LoadContext context)
    {
        try
        {
            return new Regex(pattern, RegexOptions.CultureInvariant, RegexTimeout);
        }
        catch (ArgumentException e)
        {
            throw context.Error(path, $"'{pattern}' is not a regular expression: {e.Message}");
        }
    }

    private static FilterEvaluator Filters(IConfigurationSection section, string path, LoadContext context)
    {
        var filters = section.GetChildren().OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue)
            .Select(c => ReadFilter(c, $"{path}:{c.Key}", context)).ToList();
        try
        {
            return FilterEvaluator.Compile(filters, YamlDocument.ToDisplayPath(path));
        }
        catch (InvalidFilterException e)
        {
            // The evaluator's message is "<path>: <problem>" with the path already in the file's terms.
            int colon = e.Message.IndexOf(": ", StringComparison.Ordinal);
            throw colon > 0
                ? new NotifierConfigurationException(e.Message[..colon], e.Message[(colon + 2)..])
                : new NotifierConfigurationException(YamlDocument.ToDisplayPath(path), e.Message);
        }
    }

    private static Filter ReadFilter(IConfigurationSection section, string path, LoadContext context)
    {
        List<IConfigurationSection> dialects = section.GetChildren().ToList();
        if (dialects.Count != 1)
        {
            throw context.Error(path, "set exactly one of exact, prefix, suffix, all, any or not");
        }
        IConfigurationSection dialect = dialects[0];
        string at = path + ":" + dialect.Key;
        var filter = new Filter();
        switch (dialect.Key.ToLowerInvariant())
        {
            case "exact":
                filter.Exact = Attributes(dialect, at, context);
                break;
            case "prefix":
                filter.Prefix = Attributes(dialect, at, context);
                break;
            case "suffix":
                filter.Suffix = Attributes(dialect, at, context);
                break;
            case "all":
                filter.All = new FilterList();
                filter.All.Filters.AddRange(dialect.GetChildren().Select(c => ReadFilter(c, $"{at}:{c.Key}", context)));
                break;
            case "any":
                filter.Any = new FilterList();
                filter.Any.Filters.AddRange(dialect.GetChildren().Select(c => ReadFilter(c, $"{at}:{c.Key}", context)));
                break;
            case "not":
                filter.Not = ReadFilter(dialect, at, context);
                break;
            default:
                throw context.Error(at, "is not a filter dialect; use exact, prefix, suffix, all, any or not");
        }
        return filter;
    }

    private static AttributeMatch Attributes(IConfigurationSection section, string path, LoadContext context)
    {
        var match = new AttributeMatch();
        foreach (IConfigurationSection attribute in section.GetChildren())
        {
            if (string.IsNullOrEmpty(attribute.Value))
            {
                throw context.Error(path + ":" + attribute.Key, "must be a non-empty value");
            }
            match.Attributes[attribute.Key] = attribute.Value;
        }
        return match;
    }

    private static NoiseSettings LoadNoise(IConfigurationSection section, LoadContext context)
    {
        if (!section.Exists())
        {
            return new NoiseSettings();
        }
        context.OnlyKeys(section, "noise", NoiseKeys);
        IReadOnlyList<string> repeated = context.List(section, "repeated");
        return new NoiseSettings
        {
            DuplicateWindow = section["duplicateWindow"] is { } window
                ? ParseDuration(window) ?? throw context.Error("noise:duplicateWindow", $"'{window}' is not a duration such as 30s, 10m or 1h")
                : new NoiseSettings().DuplicateWindow,
            Repeated = section.GetSection("repeated").Exists() ? repeated : NoiseSettings.DefaultRepeated,
        };
    }

    /// <summary>Parses <c>250ms</c>, <c>30s</c>, <c>10m</c>, <c>1h</c>, <c>2d</c> or a .NET TimeSpan (<c>00:10:00</c>).</summary>
    public static TimeSpan? ParseDuration(string text)
    {
        text = text.Trim();
        Match m = Regex.Match(text, @"^(\d+(?:\.\d+)?)(ms|s|m|h|d)$", RegexOptions.CultureInvariant, RegexTimeout);
        if (m.Success)
        {
            double n = double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture);
            return m.Groups[2].Value switch
            {
                "ms" => TimeSpan.FromMilliseconds(n),
                "s" => TimeSpan.FromSeconds(n),
                "m" => TimeSpan.FromMinutes(n),
                "h" => TimeSpan.FromHours(n),
                _ => TimeSpan.FromDays(n),
            };
        }
        return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan span) && span >= TimeSpan.Zero ? span : null;
    }

    private NotifierTemplate CompileTemplate(LoadContext context, string path, string source)
    {
        try
        {
            return _templates.Compile(source, YamlDocument.ToDisplayPath(path));
        }
        catch (NotifierConfigurationException e)
        {
            throw context.Located(e, path);
        }
    }

    /// <summary>Error helpers that name keys as <c>routes[2].match.severity</c> and add the line of the file.</summary>
    private sealed class LoadContext(Dictionary<string, int> lines)
    {
        public NotifierConfigurationException Error(string path, string problem)
        {
            string display = YamlDocument.ToDisplayPath(path);
            return new NotifierConfigurationException(display, problem + Line(path));
        }

        public NotifierConfigurationException Located(NotifierConfigurationException e, string? path = null)
        {
            string configurationPath = path ?? e.Key.Replace('.', ':');
            return new NotifierConfigurationException(e.Key, e.Problem + Line(configurationPath));
        }

        public void OnlyKeys(IConfiguration section, string path, string[] allowed)
        {
            foreach (IConfigurationSection child in section.GetChildren())
            {
                if (!allowed.Contains(child.Key, StringComparer.OrdinalIgnoreCase))
                {
                    string at = path.Length == 0 ? child.Key : path + ":" + child.Key;
                    throw Error(at, $"is not a known key (known here: {string.Join(", ", allowed)})");
                }
            }
            if (section is IConfigurationSection { Value.Length: > 0 } scalar && path.Length > 0)
            {
                throw Error(path, $"must be a mapping, not '{scalar.Value}'");
            }
        }

        public IReadOnlyList<string> List(IConfigurationSection section, string key)
        {
            IConfigurationSection child = section.GetSection(key);
            if (child.Value is { Length: > 0 } single)
            {
                return [single];
            }
            return child.GetChildren().OrderBy(c => int.TryParse(c.Key, out int i) ? i : int.MaxValue)
                .Select(c => c.Value).Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToList();
        }

        public bool Bool(IConfigurationSection section, string path, string key, bool defaultValue)
        {
            string? text = section[key];
            if (string.IsNullOrEmpty(text))
            {
                return defaultValue;
            }
            return bool.TryParse(text, out bool value) ? value : throw Error(path + ":" + key, $"'{text}' is not true or false");
        }

        public int Int(IConfigurationSection section, string path, string key, int defaultValue, int min, int max)
        {
            string? text = section[key];
            if (string.IsNullOrEmpty(text))
            {
                return defaultValue;
            }
            if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) || value < min || value > max)
            {
                throw Error(path + ":" + key, $"'{text}' is not an integer from {min} to {max}");
            }
            return value;
        }

        private string Line(string path)
        {
            string key = path.Replace('.', ':');
            while (key.Length > 0)
            {
                if (lines.TryGetValue(key, out int line))
                {
                    return $" (line {line})";
                }
                int cut = key.LastIndexOf(':');
                if (cut < 0)
                {
                    break;
                }
                key = key[..cut];
            }
            return string.Empty;
        }
    }
}
