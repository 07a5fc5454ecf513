using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Actions;

/// <summary>
/// Dispatches a GitHub Actions run when a rollout ends: <c>repository_dispatch</c> (an event type and a
/// <c>client_payload</c> describing the rollout) or, with <c>workflow</c> set, <c>workflow_dispatch</c> of one workflow
/// on a <c>ref</c> with <c>inputs</c>.
/// </summary>
/// <remarks>
/// Keys: <c>repository</c> (<c>owner/name</c>), <c>token</c> (secret), <c>apiUrl</c> (default
/// <c>https://api.github.com</c>; GitHub Enterprise: <c>https://HOST/api/v3</c>), <c>eventType</c> (template, default
/// <c>flagger-{outcome}</c>), <c>workflow</c> (file name or id), <c>ref</c>, <c>inputs</c> (map of templates). GitHub has
/// no idempotency header: the key travels as <c>client_payload.idempotency_key</c> for workflows to check.
/// </remarks>
internal sealed partial class GitHubAction : RolloutActionSink
{
    public const string KindName = "github";
    private const string ApiVersion = "2022-11-28";

    private readonly Uri apiUrl;
    private readonly string repository;
    private readonly AuthenticationHeaderValue authorization;
    private readonly ActionTemplate eventType;
    private readonly string? workflow;
    private readonly string? gitRef;
    private readonly IReadOnlyDictionary<string, ActionTemplate> inputs;

    public GitHubAction(SinkDefinition definition)
        : base(definition)
    {
        apiUrl = definition.GetUrl("apiUrl") ?? new Uri("https://api.github.com");
        repository = definition.GetRequiredString("repository");
        if (!RepositoryPattern().IsMatch(repository))
        {
            throw definition.Error("repository", $"'{repository}' is not owner/name");
        }
        authorization = new AuthenticationHeaderValue("Bearer", definition.GetRequiredSecret("token"));
        eventType = ActionTemplate.Parse(definition.GetString("eventType") ?? "flagger-{outcome}", definition, "eventType");
        workflow = definition.GetString("workflow");
        gitRef = definition.GetString("ref");
        inputs = definition.GetMap("inputs").ToDictionary(p => p.Key, p => ActionTemplate.Parse(p.Value, definition, "inputs." + p.Key), StringComparer.Ordinal);
        if (workflow is null)
        {
            if (gitRef is not null)
            {
                throw definition.Error("ref", "is for workflow_dispatch; set workflow too, or remove ref (repository_dispatch runs on the default branch)");
            }
            if (inputs.Count > 0)
            {
                throw definition.Error("inputs", "are for workflow_dispatch; set workflow too (repository_dispatch sends client_payload)");
            }
        }
        else if (gitRef is null)
        {
            throw definition.Error("ref", "is required with workflow (the branch or tag to run the workflow on)");
        }
        else if (definition.GetString("eventType") is not null)
        {
            throw definition.Error("eventType", "is for repository_dispatch; remove it or remove workflow");
        }
        Operations = [workflow is null ? "repository_dispatch" : "workflow_dispatch"];
    }

    protected override IReadOnlyList<string> Operations { get; }

    protected override async Task<ActionResult> RunAsync(string operation, ActionRun run, CancellationToken cancellationToken)
    {
        Notification n = run.Notification;
        run.Target = workflow is null ? repository : $"{repository}/{workflow}@{gitRef}";
        Uri uri;
        object body;
        if (workflow is null)
        {
            uri = Combine(apiUrl, $"repos/{repository}/dispatches");
            body = new RepositoryDispatch(eventType.Render(n, run.IdempotencyKey), ClientPayload.From(run));
        }
        else
        {
            uri = Combine(apiUrl, $"repos/{repository}/actions/workflows/{Uri.EscapeDataString(workflow)}/dispatches");
            body = new WorkflowDispatch(gitRef!, inputs.ToDictionary(p => p.Key, p => p.Value.Render(n, run.IdempotencyKey), StringComparer.Ordinal));
        }
        using HttpRequestMessage request = JsonRequest(HttpMethod.Post, uri, body, authorization);
        request.Headers.Accept.Clear();
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/vnd.github+json"));
        request.Headers.Add("X-GitHub-Api-Version", ApiVersion);
        // GitHub refuses requests without a User-Agent.
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("flagger-bridge-notifier", "1.0"));
        using HttpResponseMessage response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return new ActionResult((int)response.StatusCode, Combine(WebUrl(apiUrl), $"{repository}/actions").AbsoluteUri);
    }

    // The web pages live on github.com for the public API, and on the host itself for GitHub Enterprise Server.
    private static Uri WebUrl(Uri api) =>
        api.Host == "api.github.com" ? new Uri("https://github.com/") : new Uri(api.GetLeftPart(UriPartial.Authority) + "/");

    [GeneratedRegex(@"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", RegexOptions.CultureInvariant)]
    private static partial Regex RepositoryPattern();

    private sealed record RepositoryDispatch(
        [property: JsonPropertyName("event_type")] string EventType,
        [property: JsonPropertyName("client_payload")] ClientPayload ClientPayload);

    private sealed record WorkflowDispatch(
        [property: JsonPropertyName("ref")] string Ref,
        [property: JsonPropertyName("inputs")] IReadOnlyDictionary<string, string> Inputs);

    /// <summary>What a workflow learns of the rollout; GitHub allows at most 10 top-level properties.</summary>
    private sealed record ClientPayload(
        [property: JsonPropertyName("idempotency_key")] string IdempotencyKey,
        [property: JsonPropertyName("outcome")] string Outcome,
        [property: JsonPropertyName("namespace")] string Namespace,
        [property: JsonPropertyName("canary")] string Canary,
        [property: JsonPropertyName("checksum")] string Checksum,
        [property: JsonPropertyName("cluster")] string Cluster,
        [property: JsonPropertyName("phase")] string Phase,
        [property: JsonPropertyName("message")] string Message,
        [property: JsonPropertyName("event")] EventReference Event,
        [property: JsonPropertyName("metadata")] IReadOnlyDictionary<string, string> Metadata)
    {
        public static ClientPayload From(ActionRun run)
        {
            Notification n = run.Notification;
            return new ClientPayload(
                run.IdempotencyKey,
                ActionTemplate.OutcomeName(n.Outcome),
                n.Namespace,
                n.Canary,
                n.Checksum,
                n.Cluster,
                n.Phase,
                run.Message.TextOrDefault,
                new EventReference(n.Id, n.Source, n.Type),
                new SortedDictionary<string, string>(n.Metadata.ToDictionary(), StringComparer.Ordinal));
        }
    }

    private sealed record EventReference(
        [property: JsonPropertyName("id")] string Id,
        [property: JsonPropertyName("source")] string Source,
        [property: JsonPropertyName("type")] string Type);
}

/// <summary>Creates <see cref="GitHubAction"/> sinks (<c>type: github</c>).</summary>
internal sealed class GitHubActionFactory : ISinkFactory
{
    public string Kind => GitHubAction.KindName;

    public ISink Create(SinkDefinition definition) => new GitHubAction(definition);
}
