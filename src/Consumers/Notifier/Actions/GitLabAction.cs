using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Actions;

/// <summary>
/// Triggers a GitLab pipeline when a rollout ends (<c>POST /projects/:id/trigger/pipeline</c> with a trigger token).
/// </summary>
/// <remarks>
/// Keys: <c>project</c> (numeric id or <c>group/name</c> path), <c>token</c> (the pipeline trigger token; secret),
/// <c>ref</c>, <c>apiUrl</c> (default <c>https://gitlab.com/api/v4</c>), <c>variables</c> (map of templates). The
/// pipeline also gets <c>FLAGGER_IDEMPOTENCY_KEY</c>, <c>FLAGGER_OUTCOME</c>, <c>FLAGGER_NAMESPACE</c>,
/// <c>FLAGGER_CANARY</c>, <c>FLAGGER_CHECKSUM</c>, <c>FLAGGER_CLUSTER</c> and <c>FLAGGER_EVENT_ID</c>; configured
/// variables of the same name win.
/// </remarks>
internal sealed class GitLabAction : RolloutActionSink
{
    public const string KindName = "gitlab";

    private readonly Uri apiUrl;
    private readonly string project;
    private readonly string token;
    private readonly string gitRef;
    private readonly IReadOnlyDictionary<string, ActionTemplate> variables;

    public GitLabAction(SinkDefinition definition)
        : base(definition)
    {
        apiUrl = definition.GetUrl("apiUrl") ?? new Uri("https://gitlab.com/api/v4");
        project = definition.GetRequiredString("project");
        token = definition.GetRequiredSecret("token");
        gitRef = definition.GetRequiredString("ref");
        variables = definition.GetMap("variables").ToDictionary(p => p.Key, p => ActionTemplate.Parse(p.Value, definition, "variables." + p.Key), StringComparer.Ordinal);
    }

    protected override IReadOnlyList<string> Operations { get; } = ["pipeline"];

    protected override async Task<ActionResult> RunAsync(string operation, ActionRun run, CancellationToken cancellationToken)
    {
        Notification n = run.Notification;
        run.Target = $"{project}@{gitRef}";
        var values = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["FLAGGER_IDEMPOTENCY_KEY"] = run.IdempotencyKey,
            ["FLAGGER_OUTCOME"] = ActionTemplate.OutcomeName(n.Outcome),
            ["FLAGGER_NAMESPACE"] = n.Namespace,
            ["FLAGGER_CANARY"] = n.Canary,
            ["FLAGGER_CHECKSUM"] = n.Checksum,
            ["FLAGGER_CLUSTER"] = n.Cluster,
            ["FLAGGER_EVENT_ID"] = n.Id,
        };
        foreach ((string name, ActionTemplate template) in variables)
        {
            values[name] = template.Render(n, run.IdempotencyKey);
        }
        var form = new List<KeyValuePair<string, string>> { new("token", token), new("ref", gitRef) };
        form.AddRange(values.Select(v => new KeyValuePair<string, string>($"variables[{v.Key}]", v.Value)));
        using var request = new HttpRequestMessage(HttpMethod.Post, Combine(apiUrl, $"projects/{Uri.EscapeDataString(project)}/trigger/pipeline"))
        {
            Content = new FormUrlEncodedContent(form),
        };
        using HttpResponseMessage response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        string? webUrl = null;
        try
        {
            using var document = await System.Text.Json.JsonDocument.ParseAsync(
                await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false), cancellationToken: cancellationToken).ConfigureAwait(false);
            if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty("web_url", out System.Text.Json.JsonElement url)
                && url.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                webUrl = url.GetString();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // The pipeline was created (2xx); a body we cannot read only costs the link.
        }
        return new ActionResult((int)response.StatusCode, webUrl);
    }
}

/// <summary>Creates <see cref="GitLabAction"/> sinks (<c>type: gitlab</c>).</summary>
internal sealed class GitLabActionFactory : ISinkFactory
{
    public string Kind => GitLabAction.KindName;

    public ISink Create(SinkDefinition definition) => new GitLabAction(definition);
}
