using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Actions;

/// <summary>
/// Jira automation when a rollout ends (Jira Cloud REST API v3): mark a version released, comment on an issue,
/// transition an issue. The project, version and issue come from the canary webhook's <c>metadata</c>.
/// </summary>
/// <remarks>
/// Keys: <c>url</c> (the site, e.g. <c>https://acme.atlassian.net</c>), <c>email</c> + <c>token</c> (API token, Basic)
/// or <c>token</c> alone (Bearer, a personal access token); <c>operations</c> (any of <c>releaseVersion</c>,
/// <c>comment</c>, <c>transition</c>, run in that order); <c>projectKey</c> (metadata key, default <c>jiraProject</c>),
/// <c>versionKey</c> (metadata key, default <c>jiraVersion</c>), <c>versionName</c> (template used when the metadata
/// has no version, default <c>{canary}-{checksum}</c>), <c>issueKey</c> (metadata key, default <c>jiraIssue</c>),
/// <c>transition</c> (transition or target status name; required with <c>transition</c>). Jira has no idempotency
/// header: a comment carries the key and is not posted again when the issue already has one with it; releasing a
/// released version and a transition that is no longer offered because the issue is already in the target status are
/// successes.
/// </remarks>
internal sealed class JiraAction : RolloutActionSink
{
    public const string KindName = "jira";

    private static readonly string[] KnownOperations = ["releaseVersion", "comment", "transition"];

    private readonly Uri url;
    private readonly AuthenticationHeaderValue authorization;
    private readonly string projectKey;
    private readonly string versionKey;
    private readonly ActionTemplate versionName;
    private readonly string issueKey;
    private readonly string? transition;

    public JiraAction(SinkDefinition definition)
        : base(definition)
    {
        url = definition.GetRequiredUrl("url");
        string token = definition.GetRequiredSecret("token");
        string? email = definition.GetString("email");
        authorization = email is null
            ? new AuthenticationHeaderValue("Bearer", token)
            : new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{email}:{token}")));
        var operations = new List<string>();
        foreach (string name in definition.GetList("operations"))
        {
            string known = KnownOperations.FirstOrDefault(k => string.Equals(k, name.Trim(), StringComparison.OrdinalIgnoreCase))
                ?? throw definition.Error("operations", $"'{name}' is not an operation; use releaseVersion, comment or transition");
            if (!operations.Contains(known))
            {
                operations.Add(known);
            }
        }
        if (operations.Count == 0)
        {
            throw definition.Error("operations", "is required: one or more of releaseVersion, comment, transition");
        }
        Operations = KnownOperations.Where(operations.Contains).ToArray();
        projectKey = definition.GetString("projectKey") ?? "jiraProject";
        versionKey = definition.GetString("versionKey") ?? "jiraVersion";
        versionName = ActionTemplate.Parse(definition.GetString("versionName") ?? "{canary}-{checksum}", definition, "versionName");
        issueKey = definition.GetString("issueKey") ?? "jiraIssue";
        transition = definition.GetString("transition");
        if (operations.Contains("transition") && transition is null)
        {
            throw definition.Error("transition", "is required with the transition operation (the transition or target status name, e.g. Done)");
        }
    }

    protected override IReadOnlyList<string> Operations { get; }

    protected override Task<ActionResult> RunAsync(string operation, ActionRun run, CancellationToken cancellationToken) => operation switch
    {
        "releaseVersion" => ReleaseVersionAsync(run, cancellationToken),
        "comment" => CommentAsync(run, cancellationToken),
        _ => TransitionAsync(run, cancellationToken),
    };

    private async Task<ActionResult> ReleaseVersionAsync(ActionRun run, CancellationToken cancellationToken)
    {
        Notification n = run.Notification;
        string project = ActionTemplate.RequiredMetadata(n, projectKey);
        string version = n.Metadata.TryGetValue(versionKey, out string? named) && named.Length > 0
            ? named
            : versionName.Render(n, run.IdempotencyKey);
        run.Target = $"{project}/{version}";
        JsonElement versions = await GetJsonAsync($"rest/api/3/project/{Uri.EscapeDataString(project)}/versions", cancellationToken).ConfigureAwait(false);
        JsonElement? found = versions.ValueKind == JsonValueKind.Array
            ? versions.EnumerateArray().Cast<JsonElement?>().FirstOrDefault(v => String(v!.Value, "name") == version)
            : null;
        if (found is not { } match || String(match, "id") is not { } id)
        {
            throw new SinkException($"Sink '{Name}': Jira project {project} has no version named '{version}'", System.Net.HttpStatusCode.NotFound);
        }
        string self = String(match, "self") ?? Combine(url, $"rest/api/3/version/{id}").AbsoluteUri;
        if (match.TryGetProperty("released", out JsonElement released) && released.ValueKind == JsonValueKind.True)
        {
            return new ActionResult(200, self, "already released");
        }
        var body = new VersionUpdate(true, run.Notification.Time.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        using HttpRequestMessage request = JsonRequest(HttpMethod.Put, Combine(url, $"rest/api/3/version/{Uri.EscapeDataString(id)}"), body, authorization);
        using HttpResponseMessage response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return new ActionResult((int)response.StatusCode, self, "released");
    }

    private async Task<ActionResult> CommentAsync(ActionRun run, CancellationToken cancellationToken)
    {
        string issue = ActionTemplate.RequiredMetadata(run.Notification, issueKey);
        run.Target = issue;
        string path = $"rest/api/3/issue/{Uri.EscapeDataString(issue)}/comment";
        // The ledger cannot know whether a call cut short by a crash reached Jira; the key in the comment can.
        JsonElement existing = await GetJsonAsync(path + "?orderBy=-created&maxResults=100", cancellationToken).ConfigureAwait(false);
        if (existing.TryGetProperty("comments", out JsonElement comments) && comments.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement comment in comments.EnumerateArray())
            {
                if (comment.TryGetProperty("body", out JsonElement body) && body.GetRawText().Contains(run.IdempotencyKey, StringComparison.Ordinal))
                {
                    return new ActionResult(200, String(comment, "self"), "comment already present");
                }
            }
        }
        using HttpRequestMessage request = JsonRequest(HttpMethod.Post, Combine(url, path), new CommentBody(Document.Of(CommentText(run), run.IdempotencyKey)), authorization);
        using HttpResponseMessage response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        JsonElement created = await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
        return new ActionResult((int)response.StatusCode, String(created, "self"), "commented");
    }

    private async Task<ActionResult> TransitionAsync(ActionRun run, CancellationToken cancellationToken)
    {
        string issue = ActionTemplate.RequiredMetadata(run.Notification, issueKey);
        run.Target = issue;
        string path = $"rest/api/3/issue/{Uri.EscapeDataString(issue)}/transitions";
        JsonElement answer = await GetJsonAsync(path, cancellationToken).ConfigureAwait(false);
        var offered = answer.TryGetProperty("transitions", out JsonElement list) && list.ValueKind == JsonValueKind.Array
            ? list.EnumerateArray().ToList()
            : [];
        JsonElement? chosen = offered.Cast<JsonElement?>().FirstOrDefault(t =>
            string.Equals(String(t!.Value, "name"), transition, StringComparison.OrdinalIgnoreCase)
            || (t!.Value.TryGetProperty("to", out JsonElement to) && string.Equals(String(to, "name"), transition, StringComparison.OrdinalIgnoreCase)));
        if (chosen is not { } match || String(match, "id") is not { } id)
        {
            JsonElement fields = await GetJsonAsync($"rest/api/3/issue/{Uri.EscapeDataString(issue)}?fields=status", cancellationToken).ConfigureAwait(false);
            string? status = fields.TryGetProperty("fields", out JsonElement f) && f.TryGetProperty("status", out JsonElement s) ? String(s, "name") : null;
            if (string.Equals(status, transition, StringComparison.OrdinalIgnoreCase))
            {
                return new ActionResult(200, Combine(url, $"browse/{Uri.EscapeDataString(issue)}").AbsoluteUri, $"already {status}");
            }
            string names = string.Join(", ", offered.Select(t => String(t, "name")).Where(t => t is not null));
            throw new SinkException($"Sink '{Name}': issue {issue} offers no transition '{transition}' (status {status ?? "unknown"}; offered: {(names.Length > 0 ? names : "none")})", System.Net.HttpStatusCode.Conflict);
        }
        using HttpRequestMessage request = JsonRequest(HttpMethod.Post, Combine(url, path), new TransitionBody(new TransitionId(id)), authorization);
        using HttpResponseMessage response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return new ActionResult((int)response.StatusCode, Combine(url, $"browse/{Uri.EscapeDataString(issue)}").AbsoluteUri, $"transitioned ({String(match, "name")})");
    }

    private string CommentText(ActionRun run)
    {
        if (run.Message.Text is { } text)
        {
            return text;
        }
        Notification n = run.Notification;
        string verb = n.Outcome switch
        {
            RolloutOutcome.Promoted => "was promoted",
            RolloutOutcome.Failed => "failed",
            _ => "was rolled back",
        };
        string where = n.Cluster.Length > 0 ? $" in cluster {n.Cluster}" : string.Empty;
        return $"Canary {n.Title}{where} {verb} (revision {(n.Checksum.Length > 0 ? n.Checksum : "unknown")}): {n.Message}";
    }

    private async Task<JsonElement> GetJsonAsync(string relative, CancellationToken cancellationToken)
    {
        using HttpRequestMessage request = JsonRequest(HttpMethod.Get, Combine(url, relative), null, authorization);
        using HttpResponseMessage response = await SendAsync(request, cancellationToken).ConfigureAwait(false);
        return await ReadJsonAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        byte[] bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        if (bytes.Length == 0)
        {
            return default;
        }
        try
        {
            using var document = JsonDocument.Parse(bytes);
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw new SinkException($"Sink '{Name}': Jira answered {(int)response.StatusCode} with a body that is not JSON", response.StatusCode, innerException: e);
        }
    }

    private static string? String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out JsonElement value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Number => value.GetRawText(),
                _ => null,
            }
            : null;

    private sealed record VersionUpdate(
        [property: JsonPropertyName("released")] bool Released,
        [property: JsonPropertyName("releaseDate")] string ReleaseDate);

    private sealed record TransitionBody([property: JsonPropertyName("transition")] TransitionId Transition);

    private sealed record TransitionId([property: JsonPropertyName("id")] string Id);

    private sealed record CommentBody([property: JsonPropertyName("body")] Document Body);

    /// <summary>An Atlassian Document Format document: the text, then the idempotency key in a small code mark.</summary>
    private sealed record Document(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("version")] int Version,
        [property: JsonPropertyName("content")] IReadOnlyList<Node> Content)
    {
        public static Document Of(string text, string idempotencyKey) => new("doc", 1,
        [
            new Node("paragraph", null, [new Node("text", text, null)]),
            new Node("paragraph", null, [new Node("text", "flagger-bridge idempotency key: ", null), new Node("text", idempotencyKey, null, [new Mark("code")])]),
        ]);
    }

    private sealed record Node(
        [property: JsonPropertyName("type")] string Type,
        [property: JsonPropertyName("text")] string? Text,
        [property: JsonPropertyName("content")] IReadOnlyList<Node>? Content,
        [property: JsonPropertyName("marks")] IReadOnlyList<Mark>? Marks = null);

    private sealed record Mark([property: JsonPropertyName("type")] string Type);
}

/// <summary>Creates <see cref="JiraAction"/> sinks (<c>type: jira</c>).</summary>
internal sealed class JiraActionFactory : ISinkFactory
{
    public string Kind => JiraAction.KindName;

    public ISink Create(SinkDefinition definition) => new JiraAction(definition);
}
