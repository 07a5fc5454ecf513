using System.Collections.Concurrent;
using System.Text.Json;
using Bridge.CloudEvents;
using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Notifier.Tests.Actions;

/// <summary>A clock the test sets.</summary>
internal sealed class TestClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>The bridge publisher seam: records what the notifier publishes back to the bridge.</summary>
internal sealed class RecordingPublisher : IBridgePublisher
{
    private readonly ConcurrentQueue<CloudEvent> events = new();

    public IReadOnlyList<CloudEvent> Events => events.ToArray();

    public Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        cloudEvent.Validate();
        events.Enqueue(cloudEvent);
        return Task.CompletedTask;
    }

    public JsonElement DataOf(CloudEvent cloudEvent) => cloudEvent.Data.ToJsonElement();
}

/// <summary>Builds sink definitions, services and Flagger notifications for the action and Alertmanager tests.</summary>
internal sealed class ActionTestKit : IDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 12, 1, 15, 0, 0, TimeSpan.Zero);

    private ServiceProvider? services;

    public ActionTestKit()
    {
        DataDirectory = Path.Combine(Path.GetTempPath(), "notifier-actions-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(DataDirectory);
    }

    public string DataDirectory { get; }

    public TestClock Clock { get; } = new(Start);

    public RecordingPublisher Publisher { get; } = new();

    public HttpClient Http { get; set; } = new();

    /// <summary>
    /// A sink definition over this kit's services (one process: shared ledgers and alert stores until
    /// <see cref="Stop"/>), data directory, clock and publisher.
    /// </summary>
    public SinkDefinition Definition(string name, string kind, IDictionary<string, string?> config, bool withDataDirectory = true)
    {
        services ??= new ServiceCollection()
            .AddLogging()
            .AddSingleton<IBridgePublisher>(Publisher)
            .AddRolloutActions()
            .AddAlertmanagerSink()
            .BuildServiceProvider();
        IConfiguration section = new ConfigurationBuilder().AddInMemoryCollection(config).Build();
        return new SinkDefinition(name, kind, section, Http, services, Clock, withDataDirectory ? DataDirectory : null);
    }

    /// <summary>Creates a sink through the factory registered for its kind, as the notifier does.</summary>
    public ISink Create(string name, string kind, IDictionary<string, string?> config, bool withDataDirectory = true)
    {
        SinkDefinition definition = Definition(name, kind, config, withDataDirectory);
        ISinkFactory factory = definition.Services.GetServices<ISinkFactory>().Single(f => f.Kind == kind);
        return factory.Create(definition);
    }

    /// <summary>A Flagger event as the bridge delivers it.</summary>
    public static Notification Flagger(
        string shortType,
        string phase = "Succeeded",
        string severity = "info",
        string checksum = "85d557f47b",
        string canary = "podinfo",
        string ns = "test",
        string cluster = "prod-eu",
        IDictionary<string, string>? metadata = null,
        string? id = null,
        string message = "Promotion completed! Scaling down podinfo.test")
    {
        var meta = new Dictionary<string, string>(metadata ?? new Dictionary<string, string>()) { ["eventMessage"] = message };
        var payload = new { name = canary, @namespace = ns, phase, checksum, metadata = meta };
        var cloudEvent = new CloudEvent
        {
            Id = id ?? $"{ns}-{canary}-{shortType}-{checksum}",
            Source = "/flagger/prod-eu",
            Type = Notification.FlaggerTypePrefix + shortType,
            Subject = $"{ns}/{canary}",
            Time = Start,
            DataContentType = "application/json",
            Data = CloudEventData.FromJson(JsonSerializer.Serialize(payload)),
        };
        cloudEvent.SetExtension("namespace", ns);
        cloudEvent.SetExtension("canary", canary);
        cloudEvent.SetExtension("phase", phase);
        cloudEvent.SetExtension("severity", severity);
        cloudEvent.SetExtension("checksum", checksum);
        if (cluster.Length > 0)
        {
            cloudEvent.SetExtension("cluster", cluster);
        }
        return Notification.From(cloudEvent);
    }

    public static SinkMessage Message(Notification notification, string? text = null, string route = "rollouts") => new()
    {
        Notification = notification,
        Route = route,
        Text = text,
        IdempotencyKey = $"{notification.Source}|{notification.Id}|{route}",
    };

    /// <summary>The ledger files of the kit's data directory, for tests that look inside.</summary>
    public string LedgerPath(string sinkName) => Path.Combine(DataDirectory, "actions", sinkName + ".ledger");

    /// <summary>
    /// Ends the services, as a process exit would: ledgers close and release their files, in-memory state is gone.
    /// The next sink created starts a new "process".
    /// </summary>
    public void Stop()
    {
        services?.Dispose();
        services = null;
    }

    public void Dispose()
    {
        Stop();
        Http.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A temporary directory left behind is harmless.
        }
    }
}
