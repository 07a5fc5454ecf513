using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Bridge.Client.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Client.Tests.Internal;

/// <summary>The hosted subscriber in a real host against an in-memory EventBridge over real HTTP/2.</summary>
public sealed class SubscriberServiceTests : IAsyncLifetime
{
    private const string Subscription = "test-sub";
    private BridgeTestServer _server = null!;
    private readonly RecordingHandler _handler = new();
    private readonly LogCollector _logs = new();
    private IHost? _host;

    private FakeEventBridge Bridge => _server.Bridge;

    public async Task InitializeAsync() => _server = await BridgeTestServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (_host is not null)
        {
            await _host.StopAsync();
            _host.Dispose();
        }
        await _server.DisposeAsync();
    }

    private async Task<IHost> StartHostAsync(Action<SubscriberOptions>? configure = null)
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Logging.AddProvider(_logs);
        builder.Logging.SetMinimumLevel(LogLevel.Debug);
        builder.Services.AddSingleton(_handler);
        builder.Services.AddBridgeSubscriber<RecordingHandler>(o =>
        {
            o.Address = _server.Address.ToString();
            o.Subscription = Subscription;
            o.InitialBackoff = TimeSpan.FromMilliseconds(20);
            o.MaxBackoff = TimeSpan.FromMilliseconds(200);
            o.AckDelay = TimeSpan.FromMilliseconds(1);
            o.DrainTimeout = TimeSpan.FromSeconds(5);
            configure?.Invoke(o);
        });
        builder.Services.AddHealthChecks().AddBridgeSubscribers();
        _host = builder.Build();
        await _host.StartAsync();
        return _host;
    }

    private SubscriberHealth Health => _host!.Services.GetRequiredService<SubscriberHealth>();

    [Fact]
    public async Task Handler_EventsOnSeveralPartitions_InOrderPerPartitionAndAllAcked()
    {
        long handledMetric = 0;
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == "Bridge.Client" && instrument.Name == "bridge.client.deliveries.handled")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((_, value, _, _) => Interlocked.Add(ref handledMetric, value));
        listener.Start();
        _handler.Behavior = (_, _) => Task.Delay(Random.Shared.Next(0, 3));
        for (int offset = 0; offset < 15; offset++)
        {
            for (int partition = 0; partition < 3; partition++)
            {
                Bridge.Append(partition, $"ns/c{partition}", TestEvents.Canary($"{partition}-{offset}", name: $"c{partition}"));
            }
        }

        await StartHostAsync();

        await Wait.UntilAsync(() => Bridge.AckedCount(Subscription) == 45, "all 45 events are acked");
        for (int partition = 0; partition < 3; partition++)
        {
            Assert.Equal(Enumerable.Range(0, 15).Select(i => (long)i), _handler.Seen.Where(s => s.Partition == partition).Select(s => s.Offset));
        }
        Assert.Equal(45, _handler.Seen.Count);
        Assert.True(Health.IsConnected);
        Assert.NotNull(Health.LastConnectedAt);
        Assert.NotNull(Health.LastHandledAt);
        await Wait.UntilAsync(() => Interlocked.Read(ref handledMetric) == 45, "the handled counter reached 45");
    }

    [Fact]
    public async Task Handler_StillRunning_NotAckedUntilItSucceeds()
    {
        var release = new TaskCompletionSource();
        _handler.Behavior = (d, _) => d.Event.Id == "slow" ? release.Task : Task.CompletedTask;
        Bridge.Append(0, "k", TestEvents.Canary("slow"));
        Bridge.Append(1, "k2", TestEvents.Canary("fast"));

        await StartHostAsync();
        await Wait.UntilAsync(() => Bridge.IsAcked(Subscription, 1, 0), "the other partition's event is acked");

        Assert.False(Bridge.IsAcked(Subscription, 0, 0));
        release.SetResult();
        await Wait.UntilAsync(() => Bridge.IsAcked(Subscription, 0, 0), "the slow event is acked after its handler returned");
    }

    [Fact]
    public async Task Handler_Fails_ReconnectsAndEventIsRedeliveredThenAcked()
    {
        _handler.Behavior = (d, _) => d.Event.Id == "flaky" && d.Attempt == 1 ? throw new InvalidOperationException("downstream down") : Task.CompletedTask;
        Bridge.Append(0, "k", TestEvents.Canary("flaky"));
        Bridge.Append(0, "k", TestEvents.Canary("after"));

        await StartHostAsync();

        await Wait.UntilAsync(() => Bridge.AckedCount(Subscription) == 2, "both events are acked");
        Assert.Equal([1, 2], _handler.Seen.Where(s => s.Id == "flaky").Select(s => s.Attempt));
        // Order kept: the event after the failed one was not handled before the failed one succeeded.
        var order = _handler.Seen.Select(s => (s.Id, s.Attempt)).ToList();
        Assert.True(order.IndexOf(("flaky", 2)) < order.FindIndex(s => s.Id == "after"));
        Assert.True(Health.Reconnects >= 1);
        Assert.True(Bridge.Opens.Count >= 2);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 320 && e.Level == LogLevel.Warning && e.Exception is InvalidOperationException);
    }

    [Fact]
    public async Task Handler_AlwaysFails_SkippedAsPoisonAfterMaxAttempts()
    {
        _handler.Behavior = (d, _) => d.Event.Id == "poison" ? throw new FormatException("cannot handle") : Task.CompletedTask;
        Bridge.Append(0, "k", TestEvents.Canary("poison"));
        Bridge.Append(0, "k", TestEvents.Canary("next"));

        await StartHostAsync(o => o.MaxAttempts = 3);

        await Wait.UntilAsync(() => Bridge.AckedCount(Subscription) == 2, "the poison event is skipped and the next one handled");
        Assert.Equal([1, 2, 3], _handler.Seen.Where(s => s.Id == "poison").Select(s => s.Attempt));
        Assert.Contains(_handler.Seen, s => s.Id == "next");
        LogCollector.LogEntry poison = Assert.Single(_logs.Entries, e => e.EventId.Id == 321);
        Assert.Equal(LogLevel.Error, poison.Level);
        Assert.Contains("attempt 3 of 3", poison.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Server_GoesAwayAndComesBack_SubscriberReconnects()
    {
        Bridge.Append(0, "k", TestEvents.Canary("before"));
        await StartHostAsync();
        await Wait.UntilAsync(() => Bridge.IsAcked(Subscription, 0, 0), "the first event is acked");

        await _server.StopAsync();
        await Wait.UntilAsync(() => !Health.IsConnected, "the subscriber notices the server is gone");
        Assert.NotNull(Health.LastError);
        HealthReport down = await _host!.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Unhealthy, down.Status);
        Bridge.Append(0, "k", TestEvents.Canary("after"));
        await _server.StartAgainAsync();

        await Wait.UntilAsync(() => Bridge.IsAcked(Subscription, 0, 1), "the event published while away is handled after the reconnect");
        Assert.True(Health.IsConnected);
        Assert.True(Health.Reconnects >= 1);
        HealthReport up = await _host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        Assert.Equal(HealthStatus.Healthy, up.Status);
    }

    [Fact]
    public async Task Server_DownForManyRetries_OneWarningPerOutageThenDebug()
    {
        Bridge.Append(0, "k", TestEvents.Canary("before"));
        await StartHostAsync();
        await Wait.UntilAsync(() => Bridge.IsAcked(Subscription, 0, 0), "the first event is acked");

        await _server.StopAsync();
        await Wait.UntilAsync(() => Health.Reconnects >= 6, "the subscriber retried several times");
        await _server.StartAgainAsync();
        await Wait.UntilAsync(() => Health.IsConnected, "the subscriber reconnects");

        // The connected stream's end and the first refused connect are news; every further identical refusal is not.
        int warnings = _logs.Entries.Count(e => e.EventId.Id == 313 && e.Level == LogLevel.Warning);
        int repeats = _logs.Entries.Count(e => e.EventId.Id == 316 && e.Level == LogLevel.Debug);
        Assert.InRange(warnings, 1, 2);
        Assert.True(repeats >= 3, $"expected the repeated refusals at Debug, got {repeats}");
        Assert.True(_logs.Entries.Count(e => e.EventId.Id == 315) <= 2, "reconnect notices of a repeated failure are Debug (317)");
    }

    [Fact]
    public async Task StopAsync_HandlerInFlight_WaitedForAckedAndStreamHalfClosed()
    {
        var started = new TaskCompletionSource();
        var release = new TaskCompletionSource();
        _handler.Behavior = async (_, _) =>
        {
            started.TrySetResult();
            await release.Task;
        };
        Bridge.Append(0, "k", TestEvents.Canary("in-flight"));
        IHost host = await StartHostAsync();
        await started.Task.WaitAsync(Wait.DefaultTimeout);

        Task stop = host.StopAsync();
        Assert.False(stop.IsCompleted);
        release.SetResult();
        await stop.WaitAsync(Wait.DefaultTimeout);

        Assert.True(Bridge.IsAcked(Subscription, 0, 0));
        Assert.Contains("half-close", Bridge.StreamEnds);
        Assert.False(Health.IsConnected);
        Assert.Contains(_logs.Entries, e => e.EventId.Id == 332);
    }

    [Fact]
    public async Task Subscribe_TokenFile_SentAsBearer()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "from-file-token\n");
            Bridge.RequiredToken = "from-file-token";
            Bridge.Append(0, "k", TestEvents.Canary("a"));

            await StartHostAsync(o => o.TokenFile = path);

            await Wait.UntilAsync(() => Bridge.IsAcked(Subscription, 0, 0), "the event is handled with the token");
            Assert.All(Bridge.AuthorizationHeaders, h => Assert.Equal("Bearer from-file-token", h));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task StartAsync_InvalidOptions_FailsNamingTheKeys()
    {
        var builder = new HostApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddSingleton(_handler);
        builder.Services.AddBridgeSubscriber<RecordingHandler>(o => o.MaxInFlight = 0);
        using IHost host = builder.Build();

        var ex = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("Subscriber:Address is required", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Subscriber:Subscription is required", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Subscriber:MaxInFlight must be between 1 and 10000", StringComparison.Ordinal));
    }

    public sealed class RecordingHandler : ICloudEventHandler
    {
        public ConcurrentQueue<(string Id, int Partition, long Offset, int Attempt)> Seen { get; } = new();

        public Func<CloudEventDelivery, CancellationToken, Task> Behavior { get; set; } = (_, _) => Task.CompletedTask;

        public async Task HandleAsync(CloudEventDelivery delivery, CancellationToken cancellationToken)
        {
            Seen.Enqueue((delivery.Event.Id!, delivery.Partition, delivery.Offset, delivery.Attempt));
            await Behavior(delivery, cancellationToken);
        }
    }
}
