using Bridge.Client.Tests.Infrastructure;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using PbEvent = Bridge.CloudEvents.Protobuf.CloudEvent;

namespace Bridge.Client.Tests;

/// <summary>Subscribe streams against an in-memory EventBridge over real HTTP/2 on 127.0.0.1.</summary>
public sealed class EventSubscriptionTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private BridgeTestServer _server = null!;
    private FakeEventBridge Bridge => _server.Bridge;

    public async Task InitializeAsync() => _server = await BridgeTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Subscribe_OpenMessage_ReachesServerWithFiltersStartAndWindow()
    {
        using var client = new EventBridgeClient(_server.Address);
        var open = new OpenSubscription { Subscription = "notifier", Start = StartPositions.Earliest(), MaxInFlight = 7 };
        open.Filters.Add(Filters.Prefix("type", "app.flagger."));

        await using EventSubscription subscription = client.Subscribe(open);
        await subscription.ResponseHeadersAsync.WaitAsync(Timeout);

        OpenSubscription received = Assert.Single(Bridge.Opens);
        Assert.Equal(open, received);
        Assert.Equal("notifier", subscription.Name);
    }

    [Fact]
    public async Task ReadAsync_Delivery_CarriesEventAndEveryField()
    {
        CloudEvent published = TestEvents.Canary("e-1", ns: "prod", name: "web");
        Bridge.Append(2, "prod/web", published);
        Bridge.Append(2, "prod/web", TestEvents.Canary("e-2", ns: "prod", name: "web"));
        using var client = new EventBridgeClient(_server.Address);

        await using EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s" });
        CloudEventDelivery? first = await subscription.ReadAsync().WaitAsync(Timeout);
        CloudEventDelivery? second = await subscription.ReadAsync().WaitAsync(Timeout);

        Assert.NotNull(first);
        Assert.NotNull(second);
        Assert.Equal(1UL, first.AckId);
        Assert.Equal(2, first.Partition);
        Assert.Equal(0, first.Offset);
        Assert.Equal(1, first.Attempt);
        Assert.Equal("prod/web", first.Key);
        Assert.Equal("e-1", first.Event.Id);
        Assert.Equal(published.Type, first.Event.Type);
        Assert.Equal(published.Data, first.Event.Data);
        Assert.Equal("prod", first.Event["namespace"]);
        Assert.Equal((2UL, 1L), (second.AckId, second.Offset));
    }

    [Fact]
    public async Task AckAsync_ManyAcksWithinDelay_CoalescedIntoFewMessages()
    {
        for (int i = 0; i < 20; i++)
        {
            Bridge.Append(0, "test/podinfo", TestEvents.Canary($"e-{i}"));
        }
        using var client = new EventBridgeClient(_server.Address, new EventBridgeClientOptions { AckDelay = TimeSpan.FromMilliseconds(200) });
        await using EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s", MaxInFlight = 100 });

        var acks = new List<Task>();
        for (int i = 0; i < 20; i++)
        {
            CloudEventDelivery delivery = (await subscription.ReadAsync().WaitAsync(Timeout))!;
            acks.Add(subscription.AckAsync(delivery.AckId));
        }
        await Task.WhenAll(acks).WaitAsync(Timeout);
        await Wait.UntilAsync(() => Bridge.AckedCount("s") == 20, "the server has all 20 acks");

        Assert.Equal(Enumerable.Range(1, 20).Select(i => (ulong)i), Bridge.Acks.SelectMany(a => a.AckIds).Order());
        Assert.InRange(Bridge.Acks.Count, 1, 3);
        Assert.Equal(Bridge.Acks.Count, subscription.AckMessagesSent);
    }

    [Fact]
    public async Task AckAsync_HalfTheWindowWaiting_SentWithoutWaitingForDelay()
    {
        for (int i = 0; i < 4; i++)
        {
            Bridge.Append(0, "k", TestEvents.Canary($"e-{i}"));
        }
        // A delay far longer than the test's timeout: only the window rule can send these acks.
        using var client = new EventBridgeClient(_server.Address, new EventBridgeClientOptions { AckDelay = TimeSpan.FromSeconds(1) });
        await using EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s", MaxInFlight = 4 });

        CloudEventDelivery a = (await subscription.ReadAsync().WaitAsync(Timeout))!;
        CloudEventDelivery b = (await subscription.ReadAsync().WaitAsync(Timeout))!;
        Task sent = subscription.AckAsync(a.AckId, b.AckId);

        await sent.WaitAsync(TimeSpan.FromMilliseconds(900));
        await Wait.UntilAsync(() => Bridge.AckedCount("s") == 2, "both acks arrived", TimeSpan.FromMilliseconds(900));
    }

    [Fact]
    public async Task CompleteAsync_PendingAcks_FlushedBeforeHalfCloseAndStreamEndsOk()
    {
        Bridge.Append(0, "k", TestEvents.Canary("e-0"));
        Bridge.Append(0, "k", TestEvents.Canary("e-1"));
        using var client = new EventBridgeClient(_server.Address, new EventBridgeClientOptions { AckDelay = TimeSpan.FromSeconds(1) });
        await using EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s" });
        CloudEventDelivery first = (await subscription.ReadAsync().WaitAsync(Timeout))!;
        _ = subscription.AckAsync(first.AckId);

        await subscription.CompleteAsync().WaitAsync(Timeout);
        var rest = new List<CloudEventDelivery>();
        while (await subscription.ReadAsync().WaitAsync(Timeout) is { } d)
        {
            rest.Add(d);
        }

        Assert.True(Bridge.IsAcked("s", 0, 0));
        Assert.False(Bridge.IsAcked("s", 0, 1));
        Assert.Equal(StatusCode.OK, subscription.GetStatus().StatusCode);
        await Wait.UntilAsync(() => Bridge.StreamEnds.Contains("half-close"), "the server saw the half-close");
        await Assert.ThrowsAsync<InvalidOperationException>(() => subscription.AckAsync(99));
    }

    [Fact]
    public async Task Subscribe_AfterReconnect_OnlyUnackedRedeliveredWithHigherAttempt()
    {
        for (int i = 0; i < 3; i++)
        {
            Bridge.Append(1, "k", TestEvents.Canary($"e-{i}"));
        }
        using var client = new EventBridgeClient(_server.Address);
        await using (EventSubscription first = client.Subscribe(new OpenSubscription { Subscription = "s" }))
        {
            CloudEventDelivery d0 = (await first.ReadAsync().WaitAsync(Timeout))!;
            await first.ReadAsync().WaitAsync(Timeout);
            await first.AckAsync(d0.AckId).WaitAsync(Timeout);
            await first.CompleteAsync().WaitAsync(Timeout);
            while (await first.ReadAsync().WaitAsync(Timeout) is not null)
            {
            }
        }

        await using EventSubscription second = client.Subscribe(new OpenSubscription { Subscription = "s" });
        CloudEventDelivery again = (await second.ReadAsync().WaitAsync(Timeout))!;

        Assert.Equal("e-1", again.Event.Id);
        Assert.Equal(2, again.Attempt);
    }

    [Fact]
    public async Task ReadAsync_InvalidEventFromServer_SkippedLoggedAndAcked()
    {
        Bridge.Append(0, "k", new PbEvent { Id = "broken", Source = "/s", SpecVersion = "0.3", Type = "t" });
        Bridge.Append(0, "k", TestEvents.Canary("good"));
        var logs = new LogCollector();
        using var loggerFactory = LoggerFactory.Create(b => b.AddProvider(logs));
        using var client = new EventBridgeClient(_server.Address, new EventBridgeClientOptions
        {
            AckDelay = TimeSpan.Zero,
            Logger = loggerFactory.CreateLogger("test"),
        });

        await using EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s" });
        CloudEventDelivery? delivery = await subscription.ReadAsync().WaitAsync(Timeout);

        Assert.Equal("good", delivery?.Event.Id);
        Assert.Equal(1, subscription.InvalidEventsSkipped);
        await Wait.UntilAsync(() => Bridge.IsAcked("s", 0, 0), "the invalid event was acked");
        LogCollector.LogEntry entry = Assert.Single(logs.Entries, e => e.EventId.Id == 300);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("specversion", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAsync_WrongToken_ThrowsUnauthenticated()
    {
        Bridge.RequiredToken = "right";
        using var client = new EventBridgeClient(_server.Address, new EventBridgeClientOptions { Token = "wrong" });

        await using EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s" });

        var ex = await Assert.ThrowsAsync<RpcException>(() => subscription.ReadAsync().WaitAsync(Timeout));
        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
        await Assert.ThrowsAsync<RpcException>(() => subscription.ResponseHeadersAsync);
    }

    [Fact]
    public async Task GetAsyncEnumerator_AwaitForeach_YieldsDeliveriesInOrder()
    {
        for (int i = 0; i < 5; i++)
        {
            Bridge.Append(0, "k", TestEvents.Canary($"e-{i}"));
        }
        using var client = new EventBridgeClient(_server.Address);
        await using EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s" });

        var ids = new List<string>();
        await foreach (CloudEventDelivery delivery in subscription)
        {
            ids.Add(delivery.Event.Id!);
            if (ids.Count == 5)
            {
                break;
            }
        }

        Assert.Equal(["e-0", "e-1", "e-2", "e-3", "e-4"], ids);
    }

    [Fact]
    public async Task DisposeAsync_OpenStream_ServerSeesCancel()
    {
        using var client = new EventBridgeClient(_server.Address);
        EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s" });
        await subscription.ResponseHeadersAsync.WaitAsync(Timeout);
        Assert.Equal(1, Bridge.ActiveStreams);

        await subscription.DisposeAsync();

        await Wait.UntilAsync(() => Bridge.ActiveStreams == 0, "the server stream ended");
        Assert.Contains("canceled", Bridge.StreamEnds);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => subscription.AckAsync(1));
    }

    [Fact]
    public async Task ReadAsync_ServerStops_ThrowsRpcException()
    {
        using var client = new EventBridgeClient(_server.Address);
        await using EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s" });
        await subscription.ResponseHeadersAsync.WaitAsync(Timeout);
        Task<CloudEventDelivery?> read = subscription.ReadAsync();

        await _server.StopAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() => read.WaitAsync(Timeout));
        // Usually UNAVAILABLE "Server is shutting down"; when the connection is torn down first the transport
        // reports the HTTP/2 reset instead. Either way the stream failed and a subscriber reconnects.
        Assert.True(ex.StatusCode is StatusCode.Unavailable or StatusCode.Internal, ex.Status.ToString());
    }
}
