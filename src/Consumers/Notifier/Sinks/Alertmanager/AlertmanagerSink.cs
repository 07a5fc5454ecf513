using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Bridge.Notifier.Actions;
using Bridge.Notifier.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Notifier.Sinks.Alertmanager;

/// <summary>
/// Turns failed rollouts into Alertmanager alerts (API v2, <c>POST /api/v2/alerts</c>): a failed or rolled-back
/// canary, or any event of severity error, fires an alert; the canary's next promotion resolves it with the very same
/// labels.
/// </summary>
/// <remarks>
/// <para>Labels: <c>alertname</c> (<c>alertname</c> key, default <c>FlaggerCanaryFailed</c>), <c>namespace</c>,
/// <c>canary</c>, <c>phase</c>, <c>severity</c> (Flagger's severity through <c>severities</c>: error → critical,
/// warn → warning, info → info by default), <c>cluster</c> (the event's, else a static <c>cluster</c> label), plus the
/// static <c>labels</c>. Annotations: <c>summary</c>, <c>description</c> (the route's message, else the event's), plus
/// the static <c>annotations</c> (templates such as <c>{namespace}</c> allowed).</para>
/// <para>Alertmanager ends an alert when its <c>endsAt</c> passes, and Flagger sends a failure once, so a firing alert
/// is sent with <c>endsAt</c> = now + <c>resolveTimeout</c> (default 24h): it stays up that long unless the canary is
/// promoted first, and each later failure event of the canary fires it again with a new <c>endsAt</c>. When a later
/// failure has different labels (another phase or severity), the earlier alert is resolved in the same request.</para>
/// <para>The labels of each firing alert are remembered per canary (in the data directory when one is configured) so
/// that the resolution matches the alert exactly; without a data directory a restart forgets them and the alert ends
/// at its <c>endsAt</c>. A route <c>body</c> override is not used: the alert's shape is what makes resolution work.</para>
/// </remarks>
internal sealed partial class AlertmanagerSink : ISink
{
    public const string KindName = "alertmanager";
    public const string DefaultAlertName = "FlaggerCanaryFailed";

    private static readonly string[] EventLabels = ["alertname", "namespace", "canary", "phase", "severity"];

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly SinkDefinition definition;
    private readonly Uri alertsUri;
    private readonly AuthenticationHeaderValue? authorization;
    private readonly string alertName;
    private readonly IReadOnlyDictionary<string, string> staticLabels;
    private readonly IReadOnlyDictionary<string, ActionTemplate> staticAnnotations;
    private readonly IReadOnlyDictionary<Severity, string> severities;
    private readonly TimeSpan resolveTimeout;
    private readonly ActionTemplate? generatorUrl;
    private readonly FiringAlertStore store;
    private readonly ILogger logger;

    public AlertmanagerSink(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        this.definition = definition;
        logger = definition.Services.GetService<ILoggerFactory>()?.CreateLogger<AlertmanagerSink>() ?? NullLogger<AlertmanagerSink>.Instance;
        Uri baseUrl = definition.GetRequiredUrl("url");
        alertsUri = baseUrl.AbsolutePath.TrimEnd('/').EndsWith("/api/v2/alerts", StringComparison.Ordinal)
            ? baseUrl
            : new Uri(baseUrl.AbsoluteUri.TrimEnd('/') + "/api/v2/alerts");
        authorization = ReadAuthorization(definition);
        alertName = definition.GetString("alertname") ?? DefaultAlertName;
        staticLabels = ReadLabels(definition);
        staticAnnotations = definition.GetMap("annotations").ToDictionary(
            a => CheckName(definition, "annotations", a.Key),
            a => ActionTemplate.Parse(a.Value, definition, "annotations." + a.Key),
            StringComparer.Ordinal);
        severities = ReadSeverities(definition);
        resolveTimeout = Durations.Get(definition, "resolveTimeout", TimeSpan.FromHours(24), TimeSpan.FromMinutes(1), TimeSpan.FromDays(30));
        generatorUrl = definition.GetString("generatorUrl") is { } url ? ActionTemplate.Parse(url, definition, "generatorUrl") : null;
        string? statePath = definition.DataDirectory is { } directory
            ? Path.Combine(directory, "alertmanager", RolloutActionSink.FileNameOf(definition.Name) + ".json")
            : null;
        store = definition.Services.GetService<FiringAlertStores>()?.Get(definition.Name, statePath)
            ?? new FiringAlertStore(statePath, logger);
    }

    public string Name => definition.Name;

    public string Kind => definition.Kind;

    public TextEscaping Escaping => TextEscaping.None;

    /// <summary>True for the events that fire an alert.</summary>
    public static bool Fires(Notification notification) =>
        notification.Outcome is RolloutOutcome.Failed or RolloutOutcome.RolledBack || notification.Severity == Severity.Error;

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Notification n = message.Notification;
        if (n.Canary.Length == 0)
        {
            return;
        }
        string canaryKey = $"{n.Source}|{n.CanaryKey}";
        DateTimeOffset now = definition.TimeProvider.GetUtcNow();
        FiringAlert? firing = store.Get(canaryKey);
        if (Fires(n))
        {
            FiringAlert alert = BuildAlert(message, now);
            var alerts = new List<PostableAlert>();
            if (firing is not null && !SameLabels(firing.Labels, alert.Labels))
            {
                alerts.Add(PostableAlert.Of(firing, endsAt: now));
                firing = null;
            }
            alert = alert with { StartsAt = firing?.StartsAt ?? now };
            DateTimeOffset endsAt = now + resolveTimeout;
            alerts.Add(PostableAlert.Of(alert, endsAt));
            await PostAsync(alerts, cancellationToken).ConfigureAwait(false);
            store.Set(canaryKey, alert);
            AlertmanagerLog.Fired(logger, Name, alertName, n.Title, endsAt);
        }
        else if (n.Outcome == RolloutOutcome.Promoted)
        {
            if (firing is null)
            {
                AlertmanagerLog.NothingToResolve(logger, Name, n.Title);
                return;
            }
            await PostAsync([PostableAlert.Of(firing, endsAt: now)], cancellationToken).ConfigureAwait(false);
            store.Remove(canaryKey);
            AlertmanagerLog.Resolved(logger, Name, n.Title);
        }
    }

    private FiringAlert BuildAlert(SinkMessage message, DateTimeOffset now)
    {
        Notification n = message.Notification;
        var labels = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, string value) in staticLabels)
        {
            labels[name] = value;
        }
        labels["alertname"] = alertName;
        labels["namespace"] = n.Namespace;
        labels["canary"] = n.Canary;
        labels["severity"] = severities[n.Severity];
        if (n.Phase.Length > 0)
        {
            labels["phase"] = n.Phase;
        }
        if (n.Cluster.Length > 0)
        {
            labels["cluster"] = n.Cluster;
        }
        string what = n.Outcome switch
        {
            RolloutOutcome.Failed => "failed",
            RolloutOutcome.RolledBack => "was rolled back",
            _ => "reported an error",
        };
        var annotations = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["summary"] = $"Canary {n.Title} {what}",
            ["description"] = message.TextOrDefault,
        };
        foreach ((string name, ActionTemplate template) in staticAnnotations)
        {
            annotations[name] = RenderOrKeep(template, n);
        }
        string? generator = generatorUrl is null ? null : RenderOrKeep(generatorUrl, n, Uri.EscapeDataString);
        return new FiringAlert(labels, annotations, now, generator);
    }

    // An annotation naming metadata the event lacks keeps its template text: a partial alert beats no alert.
    private static string RenderOrKeep(ActionTemplate template, Notification n, Func<string, string>? escape = null)
    {
        try
        {
            return template.Render(n, string.Empty, escape);
        }
        catch (ActionInputException)
        {
            return template.Text;
        }
    }

    private async Task PostAsync(IReadOnlyList<PostableAlert> alerts, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, alertsUri)
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(alerts, JsonOptions)),
        };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Authorization = authorization;
        using HttpResponseMessage response = await definition.Http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await SinkException.EnsureSuccessAsync(response, Name, cancellationToken).ConfigureAwait(false);
    }

    private static bool SameLabels(IReadOnlyDictionary<string, string> a, IReadOnlyDictionary<string, string> b) =>
        a.Count == b.Count && a.All(p => b.TryGetValue(p.Key, out string? value) && value == p.Value);

    private static AuthenticationHeaderValue? ReadAuthorization(SinkDefinition definition)
    {
        string? username = definition.GetString("username");
        string? password = definition.GetSecret("password");
        string? token = definition.GetSecret("token");
        if (token is not null && (username is not null || password is not null))
        {
            throw definition.Error("token", "set either token (bearer) or username and password (basic), not both");
        }
        if (token is not null)
        {
            return new AuthenticationHeaderValue("Bearer", token);
        }
        if (username is null != password is null)
        {
            throw definition.Error(username is null ? "username" : "password", "basic authentication needs both username and password");
        }
        return username is null
            ? null
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}")));
    }

    private static Dictionary<string, string> ReadLabels(SinkDefinition definition)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach ((string name, string value) in definition.GetMap("labels"))
        {
            CheckName(definition, "labels", name);
            if (EventLabels.Contains(name))
            {
                throw definition.Error("labels." + name, $"'{name}' is set from the event (use alertname or severities to change it)");
            }
            labels[name] = value;
        }
        return labels;
    }

    private static Dictionary<Severity, string> ReadSeverities(SinkDefinition definition)
    {
        var map = new Dictionary<Severity, string>
        {
            [Severity.Info] = "info",
            [Severity.Warn] = "warning",
            [Severity.Error] = "critical",
        };
        foreach ((string name, string value) in definition.GetMap("severities"))
        {
            Severity severity = Notification.ParseSeverity(name)
                ?? throw definition.Error("severities." + name, $"'{name}' is not a Flagger severity; use info, warn or error");
            map[severity] = value.Length > 0 ? value : throw definition.Error("severities." + name, "is empty");
        }
        return map;
    }

    private static string CheckName(SinkDefinition definition, string key, string name) =>
        LabelName().IsMatch(name) ? name : throw definition.Error($"{key}.{name}", $"'{name}' is not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");

    [GeneratedRegex("^[a-zA-Z_][a-zA-Z0-9_]*$", RegexOptions.CultureInvariant)]
    private static partial Regex LabelName();

    /// <summary>Alertmanager's <c>postableAlert</c>.</summary>
    private sealed record PostableAlert(
        [property: JsonPropertyName("labels")] SortedDictionary<string, string> Labels,
        [property: JsonPropertyName("annotations")] SortedDictionary<string, string> Annotations,
        [property: JsonPropertyName("startsAt")] string StartsAt,
        [property: JsonPropertyName("endsAt")] string EndsAt,
        [property: JsonPropertyName("generatorURL")] string? GeneratorUrl)
    {
        public static PostableAlert Of(FiringAlert alert, DateTimeOffset endsAt) =>
            new(alert.Labels, alert.Annotations, Rfc3339(alert.StartsAt), Rfc3339(endsAt), alert.GeneratorUrl);

        private static string Rfc3339(DateTimeOffset time) =>
            time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
    }
}

/// <summary>Creates <see cref="AlertmanagerSink"/> sinks (<c>type: alertmanager</c>).</summary>
internal sealed class AlertmanagerSinkFactory : ISinkFactory
{
    public string Kind => AlertmanagerSink.KindName;

    public ISink Create(SinkDefinition definition) => new AlertmanagerSink(definition);
}
