using System.Net;
using System.Net.Sockets;

namespace Bridge.Audit.Tests.Browser;

/// <summary>
/// The bridge (Bridge.Server.dll with its embedded Kafka) and the audit service (Bridge.Audit.dll, SQLite in a temporary
/// folder, one read-only token) as processes of their own, as they are deployed; shared by the tests of a class.
/// </summary>
public sealed class AuditStack : IAsyncLifetime
{
    /// <summary>The audit API's bearer token (long enough for the service's minimum).</summary>
    public const string Token = "timeline-page-test-token-0123456789";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _data = Directory.CreateTempSubdirectory("audit-timeline-").FullName;
    private int _auditPort;
    private int _grpcPort;
    private string _earlierAudits = string.Empty;

    public ScriptProcess Bridge { get; private set; } = null!;
    public ScriptProcess Audit { get; private set; } = null!;

    /// <summary>The bridge's HTTP ingress, where Flagger posts.</summary>
    public Uri Ingress { get; private set; } = null!;

    /// <summary>The audit service: the page at <c>/</c>, the API under <c>/api/v1</c>.</summary>
    public Uri AuditAddress { get; private set; } = null!;

    /// <summary>Both processes' output, for a failing test's log.</summary>
    public string Transcript => $"--- bridge ---\n{Bridge?.Transcript}\n--- audit ---\n{_earlierAudits}{Audit?.Transcript}";

    public async Task InitializeAsync()
    {
        var binaries = AppContext.BaseDirectory;
        var ingress = FreePort();
        var grpc = FreePort();
        Bridge = new ScriptProcess("dotnet",
        [
            Path.Combine(binaries, "Bridge.Server.dll"),
            "--contentRoot", binaries,
            $"--Ingress:Port={ingress}",
            "--Ingress:BindAddress=127.0.0.1",
            $"--Grpc:Port={grpc}",
            "--Grpc:BindAddress=127.0.0.1",
            "--Spool:Enabled=false",
            "--Hosting:ShutdownTimeout=00:00:05",
        ]);
        await Bridge.WaitForLineAsync(l => l.Contains("Ingress listening on", StringComparison.Ordinal), StartTimeout);
        Ingress = new Uri($"http://127.0.0.1:{ingress}");

        _auditPort = FreePort();
        _grpcPort = grpc;
        AuditAddress = new Uri($"http://127.0.0.1:{_auditPort}");
        await StartAuditAsync();
    }

    /// <summary>Kills the audit service at once (SIGKILL), as a crash or an evicted pod would.</summary>
    public async Task KillAuditAsync()
    {
        Audit.Kill();
        await Audit.WaitForExitAsync(TimeSpan.FromSeconds(10));
        _earlierAudits += Audit.Transcript + "\n--- audit, killed and started again ---\n";
        Audit.Dispose();
    }

    /// <summary>Starts the audit service (again) on the same address and database, and waits until it is ready.</summary>
    public async Task StartAuditAsync()
    {
        // Its own content root: the bridge's appsettings.json in the shared output folder is not the audit service's.
        Audit = new ScriptProcess("dotnet",
        [
            Path.Combine(AppContext.BaseDirectory, "Bridge.Audit.dll"),
            "--contentRoot", _data,
            $"--Urls=http://127.0.0.1:{_auditPort}",
            $"--Audit:Storage:SqlitePath={Path.Combine(_data, "audit.db")}",
            $"--Subscriber:Address=http://127.0.0.1:{_grpcPort}",
            "--Auth:Tokens:0:Name=timeline-page",
            $"--Auth:Tokens:0:Token={Token}",
            "--Audit:StreamHeartbeat=00:00:02",
        ]);
        await Audit.WaitForLineAsync(l => l.Contains("Audit listening on", StringComparison.Ordinal), StartTimeout);
        await WaitReadyAsync();
    }

    public Task DisposeAsync()
    {
        Audit?.Dispose();
        Bridge?.Dispose();
        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A process that is still closing the database; the temporary folder goes with the machine.
        }

        return Task.CompletedTask;
    }

    /// <summary>Posts a Flagger call to the bridge, as Flagger does: events to the event webhook, hooks to theirs.</summary>
    public async Task PostAsync(HttpClient http, FlaggerRequest request)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Hook == "event" ? "/v1/flagger/events" : $"/v1/flagger/hooks/{request.Hook}";
        using var content = new StringContent(request.Payload, System.Text.Encoding.UTF8, "application/json");
        using var response = await http.PostAsync(new Uri(Ingress, path), content);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path} answered {(int)response.StatusCode}: {body}");
    }

    // Ready means the subscriber is connected to the bridge, so what is posted next reaches the audit log.
    private async Task WaitReadyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + StartTimeout;
        var last = "no answer";
        while (DateTime.UtcNow < deadline)
        {
            try
            {
                using var response = await http.GetAsync(new Uri(AuditAddress, "/readyz"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            Assert.False(Audit.HasExited, "The audit service exited.\n" + Transcript);
            await Task.Delay(100);
        }

        Assert.Fail($"The audit service was not ready within {StartTimeout} ({last}).\n{Transcript}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
