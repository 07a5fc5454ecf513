using Bridge.Client.V1;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.GrpcApi;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

public sealed class SubscriptionRequestTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    private static readonly SubscriptionOptions Options = new() { DefaultMaxInFlight = 100, MaxMaxInFlight = 10000 };

    [Fact]
    public void From_Minimal_DefaultsToLatestAndDefaultMaxInFlight()
    {
        var request = SubscriptionRequest.From(new OpenSubscription { Subscription = "audit.v1_main-2" }, Options);

        Assert.Equal("audit.v1_main-2", request.Name);
        Assert.Equal(StartKind.Latest, request.Start);
        Assert.Equal(100, request.MaxInFlight);
        Assert.Same(SubscriptionFilter.MatchAll, request.Filter);
    }

    [Fact]
    public void From_StartPositions_Parsed()
    {
        var time = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

        Assert.Equal(StartKind.Earliest, SubscriptionRequest.From(Open(new StartPosition { Earliest = true }), Options).Start);
        Assert.Equal(StartKind.Latest, SubscriptionRequest.From(Open(new StartPosition { Latest = true }), Options).Start);
        var timed = SubscriptionRequest.From(Open(new StartPosition { Timestamp = Timestamp.FromDateTimeOffset(time) }), Options);
        Assert.Equal(StartKind.Timestamp, timed.Start);
        Assert.Equal(time, timed.StartTime);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("slash/name")]
    [InlineData("ümlaut")]
    public void From_InvalidName_Rejected(string name)
    {
        var error = Assert.Throws<InvalidSubscriptionException>(() => SubscriptionRequest.From(new OpenSubscription { Subscription = name }, Options));

        Assert.StartsWith("subscription: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_NameOf200_AcceptedAnd201_Rejected()
    {
        Assert.Equal(200, SubscriptionRequest.From(new OpenSubscription { Subscription = new string('a', 200) }, Options).Name.Length);

        var error = Assert.Throws<InvalidSubscriptionException>(() => SubscriptionRequest.From(new OpenSubscription { Subscription = new string('a', 201) }, Options));

        Assert.Contains("201 characters", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(10001)]
    public void From_MaxInFlightOutOfRange_Rejected(int maxInFlight)
    {
        var error = Assert.Throws<InvalidSubscriptionException>(() =>
            SubscriptionRequest.From(new OpenSubscription { Subscription = "s", MaxInFlight = maxInFlight }, Options));

        Assert.StartsWith("max_in_flight: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_MaxInFlightAtCap_Kept() =>
        Assert.Equal(10000, SubscriptionRequest.From(new OpenSubscription { Subscription = "s", MaxInFlight = 10000 }, Options).MaxInFlight);

    [Fact]
    public void From_LatestFalse_Rejected()
    {
        var error = Assert.Throws<InvalidSubscriptionException>(() => SubscriptionRequest.From(Open(new StartPosition { Latest = false }), Options));

        Assert.StartsWith("start.latest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_TimestampBeforeEpoch_Rejected()
    {
        var error = Assert.Throws<InvalidSubscriptionException>(() =>
            SubscriptionRequest.From(Open(new StartPosition { Timestamp = new Timestamp { Seconds = -5 } }), Options));

        Assert.StartsWith("start.timestamp", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void From_InvalidFilter_Rejected()
    {
        var open = new OpenSubscription { Subscription = "s" };
        open.Filters.Add(new Filter());

        var error = Assert.Throws<InvalidSubscriptionException>(() => SubscriptionRequest.From(open, Options));

        Assert.StartsWith("filters[0]: ", error.Message, StringComparison.Ordinal);
    }

    private static OpenSubscription Open(StartPosition start) => new() { Subscription = "s", Start = start };

    [Fact]
    public async Task Subscribe_StartEarliestAndTimestamp_StartWhereAsked()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await host.PublishAllAsync(GrpcBridgeHost.Event("old-1"), GrpcBridgeHost.Event("old-2"));
        await Task.Delay(50);
        var boundary = DateTimeOffset.UtcNow;
        await Task.Delay(50);
        await host.PublishAllAsync(GrpcBridgeHost.Event("new-1"));

        await using var earliest = await host.SubscribeAsync("from-start", new StartPosition { Earliest = true });
        await using var timed = await host.SubscribeAsync("from-time", new StartPosition { Timestamp = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTimeOffset(boundary) });

        Assert.Equal(["old-1", "old-2", "new-1"], (await earliest.TakeAsync(3)).Select(d => d.Event.Id));
        Assert.Equal("new-1", (await timed.NextAsync()).Event.Id);
        Assert.Null(await timed.PollAsync(Quiet));
    }

    [Fact]
    public async Task Subscribe_StartLatest_SkipsEventsWrittenBeforeTheStream()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await host.PublishAllAsync(GrpcBridgeHost.Event("before"));

        await using var subscriber = await host.SubscribeAsync("from-now", new StartPosition { Latest = true });
        await host.WaitForAssignmentAsync("from-now");
        SubscribeResponse? delivery = null;
        for (var i = 0; delivery is null && i < 100; i++)
        {
            // The consumer looks up the end of each partition once it got it: publish until one arrives.
            await host.PublishAllAsync(GrpcBridgeHost.Event($"after-{i}"));
            delivery = await subscriber.PollAsync(TimeSpan.FromMilliseconds(200));
        }

        Assert.NotNull(delivery);
        Assert.StartsWith("after-", delivery.Event.Id, StringComparison.Ordinal);
    }
}
