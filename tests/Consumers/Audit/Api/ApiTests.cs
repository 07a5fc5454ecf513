using System.Net;
using System.Text;
using System.Text.Json;
using Bridge.Audit.Rollouts;
using Bridge.Audit.Tests.Infrastructure;

namespace Bridge.Audit.Tests.Api;

/// <summary>The HTTP API of a real audit host on loopback.</summary>
public sealed class ApiTests
{
    private static readonly DateTimeOffset Start = new(2025, 1, 10, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Auth_MissingWrongAndNamespaceLimitedTokens_ProblemsNamingWhy()
    {
        await using var host = await AuditHost.StartAsync();
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack("web", "prod"), "web", "prod", "p1", Start));
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "t1", Start.AddMinutes(1)));

        using var anonymous = host.Client(token: null);
        using var wrong = host.Client("wrong-token-0123456789");
        using var team = host.Client(AuditHost.TeamToken);
        var missing = await anonymous.GetAsync("/api/v1/events");
        var refused = await wrong.GetAsync("/api/v1/events");
        var otherNamespace = await team.GetAsync("/api/v1/events?namespace=test");
        var teamVerify = await team.GetAsync("/api/v1/verify");
        var teamEvents = await JsonAsync(await team.GetAsync("/api/v1/events?limit=1000"));
        var teamCanaries = await JsonAsync(await team.GetAsync("/api/v1/canaries"));
        var teamRollouts = await JsonAsync(await team.GetAsync("/api/v1/rollouts"));
        var hiddenRollout = await team.GetAsync($"/api/v1/rollouts/{RolloutProjector.RolloutId("test", "podinfo", "t1")}");
        using var byQuery = host.Client(token: null);
        var queryToken = await byQuery.GetAsync($"/api/v1/canaries?token={AuditHost.AdminToken}");

        Assert.Contains("token is required", (await ProblemAsync(missing, 401)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Bearer", missing.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal("The token is not valid.", (await ProblemAsync(refused, 401)).GetProperty("detail").GetString());
        Assert.Equal("Token 'team' may not read namespace 'test'.", (await ProblemAsync(otherNamespace, 403)).GetProperty("detail").GetString());
        Assert.Contains("needs a token without a namespace limit", (await ProblemAsync(teamVerify, 403)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(6, teamEvents.GetProperty("items").GetArrayLength());
        Assert.All(teamEvents.GetProperty("items").EnumerateArray(), e => Assert.Equal("prod", e.GetProperty("namespace").GetString()));
        Assert.Equal("web", teamCanaries.GetProperty("items").EnumerateArray().Single().GetProperty("name").GetString());
        Assert.Equal("prod", teamRollouts.GetProperty("items").EnumerateArray().Single().GetProperty("namespace").GetString());
        await ProblemAsync(hiddenRollout, 404);
        Assert.Equal(HttpStatusCode.OK, queryToken.StatusCode);
    }

    [Fact]
    public async Task Events_CursorPagingBothWays_EveryEventOnceAndBadParametersNamed()
    {
        await using var host = await AuditHost.StartAsync();
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "t1", Start));
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack(), "podinfo", "test", "t2", Start.AddHours(1)));
        using var client = host.Client();

        var ascending = await AllPagesAsync(client, "/api/v1/events?limit=4");
        var descending = await AllPagesAsync(client, "/api/v1/events?limit=5&order=desc");
        var warnings = await JsonAsync(await client.GetAsync("/api/v1/events?severity=warn&type=app.flagger.canary.&from=2025-01-10T09:00:05Z&to=2025-01-10T10:00:03Z"));
        var firstPage = await JsonAsync(await client.GetAsync("/api/v1/events?limit=2"));
        var crossed = await client.GetAsync($"/api/v1/events?order=desc&cursor={firstPage.GetProperty("nextCursor").GetString()}");
        var garbage = await client.GetAsync("/api/v1/events?cursor=%%%");
        var badSeverity = await client.GetAsync("/api/v1/events?severity=loud");
        var badTime = await client.GetAsync("/api/v1/events?from=yesterday");
        var badLimit = await client.GetAsync("/api/v1/events?limit=0");
        var badStatus = await client.GetAsync("/api/v1/rollouts?status=done");

        Assert.Equal(Enumerable.Range(1, 23).Select(i => (long)i), ascending);
        Assert.Equal(Enumerable.Range(1, 23).Reverse().Select(i => (long)i), descending);
        Assert.Equal([8L, 11, 20],
            warnings.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
        Assert.Equal("app.flagger.canary.halted", warnings.GetProperty("items")[0].GetProperty("event").GetProperty("type").GetString());
        Assert.Contains("'cursor'", (await ProblemAsync(crossed, 400)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("'cursor'", (await ProblemAsync(garbage, 400)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Query parameter 'severity' must be info, warn or error (the least severe to include), got 'loud'.",
            (await ProblemAsync(badSeverity, 400)).GetProperty("detail").GetString());
        Assert.Contains("'from' must be an RFC 3339 time", (await ProblemAsync(badTime, 400)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("Query parameter 'limit' must be an integer from 1 to 1000, got '0'.", (await ProblemAsync(badLimit, 400)).GetProperty("detail").GetString());
        Assert.Contains("'status' must be one of", (await ProblemAsync(badStatus, 400)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RolloutsCanariesDoraVerify_AfterTwoLifecycles()
    {
        await using var host = await AuditHost.StartAsync();
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack(), "podinfo", "test", "t1", Start));
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "t2", Start.AddHours(2)));
        using var client = host.Client();
        var promotedId = RolloutProjector.RolloutId("test", "podinfo", "t2");

        var rollouts = await JsonAsync(await client.GetAsync("/api/v1/rollouts?namespace=test&canary=podinfo"));
        var failedOnly = await JsonAsync(await client.GetAsync("/api/v1/rollouts?status=rolledback"));
        var page = await JsonAsync(await client.GetAsync("/api/v1/rollouts?limit=1"));
        var second = await JsonAsync(await client.GetAsync($"/api/v1/rollouts?limit=1&cursor={page.GetProperty("nextCursor").GetString()}"));
        var rollout = await JsonAsync(await client.GetAsync($"/api/v1/rollouts/{promotedId}"));
        var unknown = await client.GetAsync("/api/v1/rollouts/nope");
        var canaries = await JsonAsync(await client.GetAsync("/api/v1/canaries"));
        var dora = await JsonAsync(await client.GetAsync("/api/v1/dora?namespace=test&from=2025-01-10T00:00:00Z&to=2025-01-11T00:00:00Z"));
        var verify = await JsonAsync(await client.GetAsync("/api/v1/verify"));

        Assert.Equal(["promoted", "rolledback"], rollouts.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("status").GetString()));
        Assert.Equal("rolledback", failedOnly.GetProperty("items").EnumerateArray().Single().GetProperty("status").GetString());
        Assert.Equal(promotedId, page.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(RolloutProjector.RolloutId("test", "podinfo", "t1"), second.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(15, rollout.GetProperty("durationSeconds").GetDouble());
        Assert.Equal("promoted", rollout.GetProperty("end").GetProperty("outcome").GetString());
        Assert.Equal([10, 20, 30], rollout.GetProperty("steps").EnumerateArray()
            .Where(s => s.TryGetProperty("weight", out _)).Select(s => s.GetProperty("weight").GetInt32()));
        var gate = rollout.GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("hook").GetString() == "confirm-promotion");
        Assert.Equal("alice", gate.GetProperty("approvedBy").GetString());
        Assert.Equal(Start.AddHours(2).AddSeconds(12), gate.GetProperty("approvedAt").GetDateTimeOffset());
        await ProblemAsync(unknown, 404);
        var canary = canaries.GetProperty("items").EnumerateArray().Single();
        Assert.Equal(("Succeeded", promotedId), (canary.GetProperty("phase").GetString(), canary.GetProperty("currentRolloutId").GetString()));
        var total = dora.GetProperty("total");
        Assert.Equal(1, total.GetProperty("deployments").GetInt32());
        Assert.Equal(0.5, total.GetProperty("changeFailureRate").GetDouble());
        Assert.Equal(7200 + 15 - 4, total.GetProperty("timeToRestore").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(15, total.GetProperty("leadTime").GetProperty("meanSeconds").GetDouble());
        Assert.Equal("podinfo", dora.GetProperty("canaries")[0].GetProperty("canary").GetString());
        Assert.True(verify.GetProperty("valid").GetBoolean());
        Assert.Equal(23, verify.GetProperty("checked").GetInt64());
    }

    [Fact]
    public async Task Export_CsvAndJsonLines_StreamedHostileTextQuoted()
    {
        await using var host = await AuditHost.StartAsync();
        const string Hostile = "=HYPERLINK(\"http://evil\",\"click\"),\r\nsecond line";
        var events = Enumerable.Range(0, 1200)
            .Select(i => FlaggerLifecycle.Custom($"id-{i}", "com.example.deploy", "prod", i == 7 ? Hostile : $"event {i}", Start.AddSeconds(i)))
            .ToList();
        await host.DeliverAsync(events);
        using var client = host.Client();

        var csv = await client.GetAsync("/api/v1/export?format=csv&namespace=prod", HttpCompletionOption.ResponseHeadersRead);
        var chunked = csv.Headers.TransferEncodingChunked;
        var csvText = await csv.Content.ReadAsStringAsync();
        var jsonl = await client.GetAsync("/api/v1/export?format=jsonl&type=com.example.", HttpCompletionOption.ResponseHeadersRead);
        var lines = (await jsonl.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var badFormat = await client.GetAsync("/api/v1/export?format=xml");

        Assert.Equal("text/csv", csv.Content.Headers.ContentType!.MediaType);
        Assert.True(chunked);
        var rows = ParseCsv(csvText);
        Assert.Equal(1201, rows.Count);
        Assert.Equal(["seq", "time", "recorded_at", "source", "id", "type", "namespace", "canary", "severity", "phase", "checksum", "rollout_id", "message", "hash"], rows[0]);
        Assert.All(rows, r => Assert.Equal(14, r.Count));
        Assert.Equal("'" + Hostile, rows[8][12]);
        Assert.Equal("id-7", rows[8][4]);
        Assert.Equal("application/x-ndjson", jsonl.Content.Headers.ContentType!.MediaType);
        Assert.Equal(1200, lines.Length);
        using (var doc = JsonDocument.Parse(lines[7]))
        {
            Assert.Equal(Hostile, doc.RootElement.GetProperty("message").GetString());
            Assert.Equal("id-7", doc.RootElement.GetProperty("event").GetProperty("id").GetString());
        }

        Assert.Contains("'format' must be one of jsonl, csv", (await ProblemAsync(badFormat, 400)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stream_StoredAndRolloutEventsAfterCommit_HeartbeatsAndNamespaceScope()
    {
        await using var host = await AuditHost.StartAsync();
        using var client = host.Client(AuditHost.TeamToken);
        using var response = await client.GetAsync("/api/v1/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var lines = new List<string>();
        var reading = Task.Run(async () =>
        {
            while (await reader.ReadLineAsync() is { } line)
            {
                lock (lines)
                {
                    lines.Add(line);
                }
            }
        });

        // The team token sees prod only: the test namespace's events must not show up.
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.Promoted().Take(1).ToList(), "podinfo", "test", "t1", Start));
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack("web", "prod").Take(2).ToList(), "web", "prod", "p1", Start));
        await Wait.UntilAsync(() => Snapshot(lines).Count(l => l == "event: rollout") >= 2 && Snapshot(lines).Contains(": heartbeat"), "two rollout updates and a heartbeat");

        var seen = Snapshot(lines);
        var stored = seen.Select((l, i) => (l, i)).Where(x => x.l == "event: stored").Select(x => JsonDocument.Parse(seen[x.i + 1]["data: ".Length..]).RootElement).ToList();
        Assert.Equal([2L, 3], stored.Select(s => s.GetProperty("seq").GetInt64()));
        Assert.All(stored, s => Assert.Equal("prod", s.GetProperty("namespace").GetString()));
        var rollout = JsonDocument.Parse(seen[seen.LastIndexOf("event: rollout") + 1]["data: ".Length..]).RootElement;
        Assert.Equal((10, 2), (rollout.GetProperty("weight").GetInt32(), rollout.GetProperty("eventCount").GetInt32()));
        Assert.Equal("weight.advanced", rollout.GetProperty("lastStep").GetProperty("type").GetString());
        Assert.DoesNotContain(seen, l => l.Contains("podinfo", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Probes_Metrics_AndThePage()
    {
        await using var host = await AuditHost.StartAsync(tokens: false);
        var recent = DateTimeOffset.UtcNow.AddHours(-3);
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack(), "podinfo", "test", "t1", recent));
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.Promoted(), "podinfo", "test", "t2", recent.AddHours(1)));
        await host.DeliverAsync(FlaggerLifecycle.Events(FlaggerLifecycle.RolledBack().Take(1).ToList(), "podinfo", "test", "t1", recent));
        using var client = host.Client(token: null);

        var live = await client.GetAsync("/healthz");
        var ready = await client.GetAsync("/readyz");
        var page = await client.GetAsync("/");
        var openApi = await client.GetAsync("/api/v1/verify");
        var metrics = string.Empty;
        await Wait.UntilAsync(() =>
        {
            metrics = client.GetStringAsync("/metrics").GetAwaiter().GetResult();
            return metrics.Contains("bridge_audit_dora_time_to_restore", StringComparison.Ordinal);
        }, "the DORA figures are at /metrics");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Contains("bridge-subscribers: Bridge.Audit.AuditWriter: not connected", (await ProblemAsync(ready, 503)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("text/html", page.Content.Headers.ContentType!.MediaType);
        Assert.Equal(HttpStatusCode.OK, openApi.StatusCode);
        Assert.Matches(@"(?m)^bridge_audit_events_stored_total(\{\})? 23$", metrics);
        Assert.Matches(@"(?m)^bridge_audit_events_duplicates_total(\{\})? 1$", metrics);
        Assert.Matches(@"(?m)^bridge_audit_append_duration_seconds_count(\{\})? 23$", metrics);
        const string Labels = "{canary=\"podinfo\",namespace=\"test\"}";
        Assert.Contains($"bridge_audit_dora_deployments{Labels} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"bridge_audit_dora_failed_deployments{Labels} 1\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"bridge_audit_dora_deployment_frequency_per_day{Labels} 0.033333\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"bridge_audit_dora_change_failure_rate{Labels} 0.5\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"bridge_audit_dora_time_to_restore_seconds{Labels} 3611\n", metrics, StringComparison.Ordinal);
        Assert.Contains($"bridge_audit_dora_lead_time_seconds{Labels} 15\n", metrics, StringComparison.Ordinal);
    }

    private static List<string> Snapshot(List<string> lines)
    {
        lock (lines)
        {
            return [.. lines];
        }
    }

    private static async Task<List<long>> AllPagesAsync(HttpClient client, string path)
    {
        var seqs = new List<long>();
        string? cursor = null;
        do
        {
            var page = await JsonAsync(await client.GetAsync(cursor is null ? path : $"{path}&cursor={cursor}"));
            seqs.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64()));
            cursor = page.GetProperty("nextCursor").ValueKind == JsonValueKind.String ? page.GetProperty("nextCursor").GetString() : null;
        }
        while (cursor is not null && seqs.Count < 1000);
        return seqs;
    }

    internal static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Expected 200, got {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    internal static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"Expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>An RFC 4180 reader, to check the writer against.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var rows = new List<List<string>>();
        var row = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                rows.Add(row);
                row = [];
                i++;
            }
            else
            {
                field.Append(c);
            }
        }

        return rows;
    }
}
