using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Bridge.Audit.Api;
using Bridge.Audit.Rollouts;
using Bridge.Audit.Tests.Api;
using Bridge.Audit.Tests.Infrastructure;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace Bridge.Audit.Tests.EndToEnd;

/// <summary>
/// The bridge (Bridge.Server.dll with its embedded Kafka) and the audit service (Bridge.Audit.dll), each a process of its
/// own: Flagger's requests go in at the bridge, the audit record comes out of the audit service's API.
/// </summary>
public sealed class AuditProcessTests(ITestOutputHelper output) : IDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("audit-e2e-").FullName;
    private readonly List<ScriptProcess> _processes = [];

    [Fact]
    public async Task WholeLifecycles_PostedToTheBridge_RolloutDoraAndVerifiedChainThenTamperingCaught()
    {
        var (ingress, grpc) = await StartBridgeAsync();
        var (audit, _) = await StartAuditAsync(grpc);
        using var bridge = new HttpClient { BaseAddress = ingress, Timeout = TimeSpan.FromSeconds(30) };
        using var api = new HttpClient { BaseAddress = audit, Timeout = TimeSpan.FromSeconds(30) };
        var start = DateTimeOffset.UtcNow.AddMinutes(-30);

        await PostAsync(bridge, FlaggerLifecycle.RolledBack(), "podinfo", "test", "rev1", start);
        await PostAsync(bridge, FlaggerLifecycle.Promoted(), "podinfo", "test", "rev2", start.AddMinutes(10));
        var promotedId = RolloutProjector.RolloutId("test", "podinfo", "rev2");
        await Wait.UntilAsync(() => Status(api, promotedId) == RolloutStatus.Promoted, "the audit service shows the rollout promoted", StartTimeout);

        var rollout = await ApiTests.JsonAsync(await api.GetAsync($"/api/v1/rollouts/{promotedId}"));
        var dora = await ApiTests.JsonAsync(await api.GetAsync("/api/v1/dora?namespace=test&canary=podinfo"));
        var verify = await ApiTests.JsonAsync(await api.GetAsync("/api/v1/verify"));
        var canaries = await ApiTests.JsonAsync(await api.GetAsync("/api/v1/canaries"));

        Assert.Equal([10, 20, 30], rollout.GetProperty("steps").EnumerateArray()
            .Where(s => s.TryGetProperty("weight", out _)).Select(s => s.GetProperty("weight").GetInt32()));
        Assert.Equal(15, rollout.GetProperty("durationSeconds").GetDouble());
        Assert.Equal(1, rollout.GetProperty("failedChecks").GetInt32());
        var gate = rollout.GetProperty("gates").EnumerateArray().Single(g => g.GetProperty("hook").GetString() == "confirm-promotion");
        Assert.Equal("alice", gate.GetProperty("approvedBy").GetString());
        var total = dora.GetProperty("total");
        Assert.Equal((1, 1), (total.GetProperty("deployments").GetInt32(), total.GetProperty("failedDeployments").GetInt32()));
        Assert.Equal(0.5, total.GetProperty("changeFailureRate").GetDouble());
        Assert.Equal(15, total.GetProperty("leadTime").GetProperty("meanSeconds").GetDouble());
        Assert.Equal(600 + 15 - 4, total.GetProperty("timeToRestore").GetProperty("meanSeconds").GetDouble());
        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.ToString());
        Assert.Equal(23, verify.GetProperty("checked").GetInt64());
        Assert.Equal("Succeeded", canaries.GetProperty("items")[0].GetProperty("phase").GetString());

        // An UPDATE behind the service's back (a changed message in row 9) is caught and named.
        await using (var db = new SqliteConnection($"Data Source={Path.Combine(_directory, "audit.db")};Pooling=False"))
        {
            await db.OpenAsync();
            await using var update = db.CreateCommand();
            update.CommandText = "UPDATE audit_events SET event = CAST(REPLACE(CAST(event AS TEXT), 'weight', 'WEIGHT') AS BLOB) WHERE seq = 13";
            Assert.Equal(1, await update.ExecuteNonQueryAsync());
        }

        var tampered = await ApiTests.JsonAsync(await api.GetAsync("/api/v1/verify"));
        Assert.False(tampered.GetProperty("valid").GetBoolean());
        Assert.Equal(13, tampered.GetProperty("problem").GetProperty("seq").GetInt64());
        Assert.Equal("altered", tampered.GetProperty("problem").GetProperty("kind").GetString());
    }

    [Fact]
    public async Task AuditKilledMidStream_Restarted_NothingLostNothingDuplicated()
    {
        const int Events = 240;
        var (ingress, grpc) = await StartBridgeAsync();
        var (audit, process) = await StartAuditAsync(grpc);
        using var bridge = new HttpClient { BaseAddress = ingress, Timeout = TimeSpan.FromSeconds(30) };
        using var api = new HttpClient { BaseAddress = audit, Timeout = TimeSpan.FromSeconds(30) };
        var ids = new ConcurrentBag<string>();
        var start = DateTimeOffset.UtcNow.AddHours(-1);

        // Four canaries (so several partitions and handlers at once), posted while the audit service stores them.
        var posting = Task.Run(async () =>
        {
            for (var i = 0; i < Events; i++)
            {
                var name = "app" + (i % 4);
                var call = new FlaggerCall("event", "weight.advanced", "Progressing", $"Advance {name}.load canary weight {i % 100}", "info");
                var payload = FlaggerLifecycle.Payload(call, name, "load", "rev1", start.AddMilliseconds(i));
                using var response = await bridge.PostAsync("/v1/flagger/events", new StringContent(payload, Encoding.UTF8, "application/json"));
                var body = await response.Content.ReadAsStringAsync();
                Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"The bridge answered {(int)response.StatusCode}: {body}");
                using var doc = JsonDocument.Parse(body);
                ids.Add(doc.RootElement.GetProperty("ids")[0].GetString()!);
            }
        });

        await Wait.UntilAsync(() => Stored(api) >= 40 || posting.IsCompleted, "the audit service stored 40 events", StartTimeout);
        process.Kill();
        var storedAtKill = StoredFromDatabase();
        Assert.True(storedAtKill < Events, $"The kill came after all {Events} events were stored; it must come mid-stream.");
        (audit, process) = await StartAuditAsync(grpc);
        using var restarted = new HttpClient { BaseAddress = audit, Timeout = TimeSpan.FromSeconds(30) };
        await posting;
        await Wait.UntilAsync(() => Stored(restarted) >= Events, $"all {Events} events are stored", StartTimeout);

        var verify = await ApiTests.JsonAsync(await restarted.GetAsync("/api/v1/verify"));
        var export = await restarted.GetStringAsync("/api/v1/export?format=jsonl");
        var exported = export.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()!).ToList();
        output.WriteLine($"Stored {storedAtKill} of {Events} events before the kill.");

        Assert.True(verify.GetProperty("valid").GetBoolean(), verify.ToString());
        Assert.Equal(Events, verify.GetProperty("checked").GetInt64());
        Assert.Equal(Events, exported.Count);
        Assert.Equal(ids.Order(StringComparer.Ordinal), exported.Order(StringComparer.Ordinal));
        var rollouts = await ApiTests.JsonAsync(await restarted.GetAsync("/api/v1/rollouts?namespace=load"));
        Assert.Equal(Events, rollouts.GetProperty("items").EnumerateArray().Sum(r => r.GetProperty("eventCount").GetInt32()));
    }

    private static string? Status(HttpClient api, string rolloutId)
    {
        using var response = api.GetAsync($"/api/v1/rollouts/{rolloutId}").GetAwaiter().GetResult();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        using var doc = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
        return doc.RootElement.GetProperty("status").GetString();
    }

    private static long Stored(HttpClient api)
    {
        try
        {
            using var response = api.GetAsync("/api/v1/verify").GetAwaiter().GetResult();
            using var doc = JsonDocument.Parse(response.Content.ReadAsStringAsync().GetAwaiter().GetResult());
            return doc.RootElement.GetProperty("headSeq").GetInt64();
        }
        catch (HttpRequestException)
        {
            return 0;
        }
    }

    private long StoredFromDatabase()
    {
        using var db = new SqliteConnection($"Data Source={Path.Combine(_directory, "audit.db")};Pooling=False");
        db.Open();
        using var count = db.CreateCommand();
        count.CommandText = "SELECT COUNT(*) FROM audit_events";
        return Convert.ToInt64(count.ExecuteScalar(), CultureInfo.InvariantCulture);
    }

    private static async Task PostAsync(HttpClient bridge, IReadOnlyList<FlaggerCall> calls, string name, string ns, string checksum, DateTimeOffset start)
    {
        for (var i = 0; i < calls.Count; i++)
        {
            var call = calls[i];
            var path = call.Hook == "event" ? "/v1/flagger/events" : $"/v1/flagger/hooks/{call.Hook}";
            var payload = FlaggerLifecycle.Payload(call, name, ns, checksum, start.AddSeconds(i));
            using var response = await bridge.PostAsync(path, new StringContent(payload, Encoding.UTF8, "application/json"));
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}: {body}");
        }
    }

    private async Task<(Uri Ingress, Uri Grpc)> StartBridgeAsync()
    {
        var binaries = AppContext.BaseDirectory;
        var ingress = PostgresServer.FreePort();
        var grpc = PostgresServer.FreePort();
        var process = Track(new ScriptProcess("dotnet",
        [
            Path.Combine(binaries, "Bridge.Server.dll"),
            "--contentRoot", binaries,
            $"--Ingress:Port={ingress}",
            "--Ingress:BindAddress=127.0.0.1",
            $"--Grpc:Port={grpc}",
            "--Grpc:BindAddress=127.0.0.1",
            "--Spool:Enabled=false",
            "--Hosting:ShutdownTimeout=00:00:05",
        ]));
        await process.WaitForLineAsync(l => l.Contains("Ingress listening on", StringComparison.Ordinal), StartTimeout);
        return (new Uri($"http://127.0.0.1:{ingress}"), new Uri($"http://127.0.0.1:{grpc}"));
    }

    private async Task<(Uri Address, ScriptProcess Process)> StartAuditAsync(Uri grpc)
    {
        var binaries = AppContext.BaseDirectory;
        var port = PostgresServer.FreePort();
        var process = Track(new ScriptProcess("dotnet",
        [
            Path.Combine(binaries, "Bridge.Audit.dll"),
            $"--Urls=http://127.0.0.1:{port}",
            $"--Subscriber:Address={grpc}",
            $"--Audit:Storage:SqlitePath={Path.Combine(_directory, "audit.db")}",
        ]));
        await process.WaitForLineAsync(l => l.Contains("Audit listening on", StringComparison.Ordinal), StartTimeout);
        return (new Uri($"http://127.0.0.1:{port}"), process);
    }

    private ScriptProcess Track(ScriptProcess process)
    {
        _processes.Add(process);
        return process;
    }

    public void Dispose()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited)
            {
                output.WriteLine(process.Transcript);
            }

            process.Dispose();
        }

        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
