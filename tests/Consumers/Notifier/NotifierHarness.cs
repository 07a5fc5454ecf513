using System.Collections.Concurrent;
using Bridge.CloudEvents;
using Bridge.Notifier;
using Bridge.Notifier.Configuration;
using Bridge.Notifier.Delivery;
using Bridge.Notifier.Observability;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Templates;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Notifier.Tests;

/// <summary>Publishes into a list (or fails when told to): the bridge side of the failure events in unit tests.</summary>
internal sealed class RecordingPublisher : IBridgePublisher
{
    public ConcurrentQueue<CloudEvent> Published { get; } = new();

    public bool Fail { get; set; }

    public Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        if (Fail)
        {
            throw new InvalidOperationException("The bridge did not accept the event (test).");
        }
        Published.Enqueue(cloudEvent);
        return Task.CompletedTask;
    }
}

/// <summary>
/// The notifier's services without the gRPC subscriber: the real configuration loader, HTTP client factory with the
/// resilience pipeline, sinks and delivery pipeline, reading a YAML file written by the test.
/// </summary>
internal sealed class NotifierHarness : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    private NotifierHarness(ServiceProvider services, string directory, string file, LogCollector logs)
    {
        _services = services;
        Logs = logs;
        Directory = directory;
        File = file;
    }

    public string Directory { get; }

    public string File { get; }

    public RecordingPublisher Publisher => (RecordingPublisher)_services.GetRequiredService<IBridgePublisher>();

    public DeliveryPipeline Pipeline => _services.GetRequiredService<DeliveryPipeline>();

    public ConfigurationStore Store => _services.GetRequiredService<ConfigurationStore>();

    public LogCollector Logs { get; }

    public static async Task<NotifierHarness> StartAsync(string yaml, Action<DeliveryOptions>? delivery = null)
    {
        string directory = Path.Combine(Path.GetTempPath(), "notifier-test-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        string file = Path.Combine(directory, "notifier.yaml");
        await System.IO.File.WriteAllTextAsync(file, yaml);
        var services = new ServiceCollection();
        var logs = new LogCollector();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Debug));
        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<NotifierOptions>().Configure(o =>
        {
            o.ConfigFile = file;
            o.ReloadInterval = TimeSpan.FromHours(1);
        });
        services.AddOptions<DeliveryOptions>().Configure(o =>
        {
            o.RetryDelay = TimeSpan.FromMilliseconds(20);
            o.MaxRetryDelay = TimeSpan.FromSeconds(5);
            o.AttemptTimeout = TimeSpan.FromSeconds(5);
            o.TotalTimeout = TimeSpan.FromSeconds(20);
            o.MaxRetries = 3;
            delivery?.Invoke(o);
        });
        services.AddSingleton<NotifierMetrics>();
        services.AddSingleton(sp => new TemplateEngine(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<NoiseControl>();
        services.AddSinkHttpClient();
        services.AddSinks();
        services.AddSingleton(sp => new NotifierConfigLoader(
            sp.GetServices<ISinkFactory>(), sp.GetRequiredService<TemplateEngine>(),
            _ => SinkResilience.CreateSinkClient(sp.GetRequiredService<IHttpMessageHandlerFactory>()),
            sp, TimeProvider.System, directory));
        services.AddSingleton<ConfigurationStore>();
        services.AddSingleton<DeliveryPipeline>();
        services.AddSingleton<IBridgePublisher, RecordingPublisher>();
        ServiceProvider provider = services.BuildServiceProvider();
        var harness = new NotifierHarness(provider, directory, file, logs);
        await provider.GetRequiredService<ConfigurationStore>().StartAsync(CancellationToken.None);
        return harness;
    }

    public Task HandleAsync(CloudEvent cloudEvent) => Pipeline.HandleAsync(cloudEvent, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Store.StopAsync(CancellationToken.None);
        await _services.DisposeAsync();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>Flagger-like events for the tests.</summary>
internal static class Events
{
    private static int _next;

    public static CloudEvent Flagger(string shortType = "weight.advanced", string ns = "prod", string canary = "podinfo", string phase = "Progressing",
        string severity = "info", string message = "Advance podinfo.prod canary weight 10", string checksum = "abc", string? id = null, string eventType = "Normal")
    {
        var cloudEvent = new CloudEvent
        {
            Id = id ?? "e" + Interlocked.Increment(ref _next),
            Source = "/flagger/test",
            Type = "app.flagger.canary." + shortType,
            Subject = $"{ns}/{canary}",
            Time = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero),
            DataContentType = "application/json",
        };
        cloudEvent.SetExtension("partitionkey", $"{ns}/{canary}");
        cloudEvent.SetExtension("namespace", ns);
        cloudEvent.SetExtension("canary", canary);
        cloudEvent.SetExtension("phase", phase);
        cloudEvent.SetExtension("severity", severity);
        cloudEvent.SetExtension("checksum", checksum);
        cloudEvent.SetExtension("eventtype", eventType);
        string data = System.Text.Json.JsonSerializer.Serialize(new
        {
            name = canary,
            @namespace = ns,
            phase,
            checksum,
            metadata = new Dictionary<string, string> { ["eventMessage"] = message, ["eventType"] = eventType, ["jiraProject"] = "OPS" },
        });
        cloudEvent.Data = CloudEventData.FromJson(data);
        return cloudEvent;
    }
}
