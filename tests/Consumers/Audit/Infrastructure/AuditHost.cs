using Bridge.Audit.Storage;
using Bridge.Client;
using Bridge.CloudEvents;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Audit.Tests.Infrastructure;

/// <summary>
/// The audit service in this process on a loopback port (real HTTP), with a SQLite file in a temporary directory and a
/// bridge address nobody answers; tests write events through the real handler.
/// </summary>
internal sealed class AuditHost : IAsyncDisposable
{
    public const string AdminToken = "admin-token-0123456789";
    public const string TeamToken = "team-token-0123456789";

    private readonly WebApplication _app;
    private readonly string _directory;
    private ulong _ackIds;

    private AuditHost(WebApplication app, string directory, Uri address)
    {
        _app = app;
        _directory = directory;
        Address = address;
    }

    public Uri Address { get; }

    public AuditStore Store => _app.Services.GetRequiredService<AuditStore>();

    /// <summary>Starts a host; with <paramref name="tokens"/> an admin token (every namespace) and a team token (namespace prod).</summary>
    public static async Task<AuditHost> StartAsync(bool tokens = true, params string[] extra)
    {
        var directory = Directory.CreateTempSubdirectory("audit-host-").FullName;
        List<string> args =
        [
            "--Urls=http://127.0.0.1:0",
            "--Subscriber:Address=http://127.0.0.1:1",
            $"--Audit:Storage:SqlitePath={Path.Combine(directory, "audit.db")}",
            "--Audit:StreamHeartbeat=00:00:00.300",
            "--Logging:LogLevel:Default=Warning",
        ];
        if (tokens)
        {
            args.AddRange(
            [
                "--Auth:Tokens:0:Name=admin", $"--Auth:Tokens:0:Token={AdminToken}",
                "--Auth:Tokens:1:Name=team", $"--Auth:Tokens:1:Token={TeamToken}", "--Auth:Tokens:1:Namespaces:0=prod",
            ]);
        }

        args.AddRange(extra);
        var app = AuditApp.Build([.. args]);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new AuditHost(app, directory, new Uri(address));
    }

    public HttpClient Client(string? token = AdminToken)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Hands the events to the subscriber's handler, as deliveries would.</summary>
    public async Task DeliverAsync(IEnumerable<CloudEvent> events)
    {
        foreach (var e in events)
        {
            await using var scope = _app.Services.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<AuditWriter>();
            await handler.HandleAsync(new CloudEventDelivery(++_ackIds, e, 0, (long)_ackIds, 1, e.Subject), CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}
