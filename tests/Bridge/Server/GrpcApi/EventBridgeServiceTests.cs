using Bridge.Client.V1;
using Bridge.CloudEvents;
using Bridge.Server.Subscriptions;
using Google.Rpc;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Status = Grpc.Core.Status;
using StatusCode = Grpc.Core.StatusCode;

namespace Bridge.Server.Tests.GrpcApi;

public sealed class EventBridgeServiceTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Subscribe_PublishedEvents_DeliveredWithPositionAttemptAndKey()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var accepted = await host.PublishAllAsync(GrpcBridgeHost.Event("e1", "prod", "api"), GrpcBridgeHost.Event("e2", "prod", "api"));

        await using var subscriber = await host.SubscribeAsync("round-trip");
        var deliveries = await subscriber.TakeAsync(2);

        Assert.Equal(["e1", "e2"], deliveries.Select(d => d.Event.Id));
        Assert.All(deliveries, d => Assert.Equal("prod/api", d.Key));
        Assert.All(deliveries, d => Assert.Equal(1, d.Attempt));
        Assert.Equal(accepted.Select(a => (a.Partition, a.Offset)), deliveries.Select(d => (d.Partition, d.Offset)));
        Assert.Equal(2, deliveries.Select(d => d.AckId).Distinct().Count());
        var delivered = ProtobufEventFormat.FromProto(deliveries[0].Event);
        Assert.Equal("payload e1", delivered.Data.Text);
        Assert.Equal("prod", delivered["namespace"]);
    }

    [Fact]
    public async Task Publish_EmptyRequest_InvalidArgument()
    {
        await using var host = await GrpcBridgeHost.StartAsync();

        var error = await Assert.ThrowsAsync<RpcException>(() => host.PublishAsync([]));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("no events", error.Status.Detail, StringComparison.Ordinal);
        var violation = Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("events", violation.Field);
    }

    [Fact]
    public async Task Publish_MessageOverReceiveLimit_ResourceExhausted()
    {
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Grpc:MaxReceiveMessageSize"] = "1024" });
        var large = GrpcBridgeHost.Event("large");
        large.TextData = new string('x', 2048);

        var error = await Assert.ThrowsAsync<RpcException>(() => host.PublishAsync([large]));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task Publish_MoreEventsThanAllowed_InvalidArgumentNamingTheLimit()
    {
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Subscriptions:MaxEventsPerPublish"] = "3" });

        var error = await Assert.ThrowsAsync<RpcException>(() => host.PublishAsync(Enumerable.Range(0, 4).Select(i => GrpcBridgeHost.Event($"e{i}"))));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("at most 3", error.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("Subscriptions:MaxEventsPerPublish", error.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_InvalidEventAmongValid_PerEventErrorOthersStoredInOrder()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var invalid = GrpcBridgeHost.Event("bad");
        invalid.Source = string.Empty;

        var response = await host.PublishAsync([GrpcBridgeHost.Event("a"), invalid, GrpcBridgeHost.Event("c")]);

        Assert.Equal(["a", "bad", "c"], response.Results.Select(r => r.Id));
        Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, response.Results[0].OutcomeCase);
        Assert.Equal((int)StatusCode.InvalidArgument, response.Results[1].Error.Code);
        Assert.StartsWith("events[1]: ", response.Results[1].Error.Message, StringComparison.Ordinal);
        Assert.Contains("source", response.Results[1].Error.Message, StringComparison.Ordinal);
        Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, response.Results[2].OutcomeCase);
        Assert.True(response.Results[2].Accepted.Offset > response.Results[0].Accepted.Offset, "Events of one canary keep their order.");
        Assert.Equal(response.Results[0].Accepted.Partition, response.Results[2].Accepted.Partition);
    }

    [Fact]
    public async Task Publish_KafkaDownSpoolDisabled_PerEventUnavailable()
    {
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Kafka:ProduceTimeout"] = "00:00:01", ["Spool:Enabled"] = "false" });
        host.Kafka.EmbeddedCluster!.SetBrokerDown(1);

        var response = await host.PublishAsync([GrpcBridgeHost.Event("lost")]);

        Assert.Equal((int)StatusCode.Unavailable, response.Results[0].Error.Code);
        Assert.Contains("Kafka did not acknowledge", response.Results[0].Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_EventOverKafkasRecordLimit_InvalidArgumentNamingTheLimitOthersAccepted()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var large = GrpcBridgeHost.Event("large");
        large.TextData = new string('x', 1_100_000);

        var response = await host.PublishAsync([GrpcBridgeHost.Event("small"), large]);

        Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, response.Results[0].OutcomeCase);
        Assert.Equal((int)StatusCode.InvalidArgument, response.Results[1].Error.Code);
        Assert.StartsWith("events[1]: ", response.Results[1].Error.Message, StringComparison.Ordinal);
        Assert.Contains("message.max.bytes", response.Results[1].Error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Retry later", response.Results[1].Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_KafkaDown_SpooledThenOnKafkaInOrder()
    {
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Spool:KafkaBudget"] = "00:00:00.300" });
        host.Kafka.EmbeddedCluster!.SetBrokerDown(1);

        var response = await host.PublishAsync([GrpcBridgeHost.Event("first"), GrpcBridgeHost.Event("second")]);
        host.Kafka.EmbeddedCluster!.SetBrokerUp(1);
        await using var subscriber = await host.SubscribeAsync("after-outage");
        var delivered = new[] { (await subscriber.NextAsync()).Event.Id, (await subscriber.NextAsync()).Event.Id };

        Assert.All(response.Results, r => Assert.True(r.Accepted.Spooled, $"{r.Id} was not spooled: {r}"));
        Assert.All(response.Results, r => Assert.Equal(-1, r.Accepted.Offset));
        Assert.Equal(["first", "second"], delivered);
    }

    [Fact]
    public async Task Subscribe_HttpIngressPost_DeliveredOverGrpc()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await using var subscriber = await host.SubscribeAsync("from-http");
        const string Payload = """{"name":"podinfo","namespace":"test","phase":"Progressing","checksum":"abc","metadata":{"eventMessage":"Advance podinfo.test canary weight 10","eventType":"Normal","timestamp":"1736500000123"}}""";

        using var response = await host.Server.PostJsonAsync("/v1/flagger/events", Payload);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        var delivery = await subscriber.NextAsync();

        Assert.Equal("test/podinfo", delivery.Key);
        Assert.StartsWith("app.flagger.canary.", delivery.Event.Type, StringComparison.Ordinal);
        Assert.Equal("test/podinfo", delivery.Event.Attributes["subject"].CeString);
    }

    [Fact]
    public async Task Subscribe_FirstRequestIsAck_InvalidArgument()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var ack = new Ack();
        ack.AckIds.Add(1);

        await using var subscriber = await TestSubscriber.OpenAsync(host.Client, new SubscribeRequest { Ack = ack });
        var status = await subscriber.EndAsync();

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.StartsWith("the first request must be open", status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("bad name", 0, "open.subscription: ")]
    [InlineData("ok", 10001, "open.max_in_flight: ")]
    public async Task Subscribe_InvalidOpen_InvalidArgumentNamingTheField(string name, int maxInFlight, string expected)
    {
        await using var host = await GrpcBridgeHost.StartAsync();

        await using var subscriber = await host.SubscribeAsync(name, maxInFlight: maxInFlight);
        var status = await subscriber.EndAsync();

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.StartsWith(expected, status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_InvalidFilter_InvalidArgumentWithPath()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var filters = new[]
        {
            new Filter { Exact = Match(("type", "x")) },
            new Filter { Any = new FilterList { Filters = { new Filter { Exact = Match(("Type", "x")) } } } },
        };

        await using var subscriber = await host.SubscribeAsync("filtered", filters: filters);
        var status = await subscriber.EndAsync();

        Assert.Equal(StatusCode.InvalidArgument, status.StatusCode);
        Assert.StartsWith("open.filters[1].any[0].exact: attribute name 'Type' is invalid", status.Detail, StringComparison.Ordinal);
        var details = subscriber.Error!.GetRpcStatus();
        Assert.NotNull(details);
        Assert.Equal((int)Code.InvalidArgument, details.Code);
        Assert.Equal(status.Detail, details.Message);
        var violation = Assert.Single(details.GetDetail<BadRequest>()!.FieldViolations);
        Assert.Equal("open.filters[1].any[0].exact", violation.Field);
        Assert.StartsWith("attribute name 'Type' is invalid", violation.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Watch_InvalidOpen_InvalidArgumentNamingTheField()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        using var watch = host.Client.Watch(new OpenSubscription { Subscription = "bad name" }, deadline: DateTime.UtcNow.AddSeconds(30));

        var error = await Assert.ThrowsAsync<RpcException>(() => watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("subscription: ", error.Status.Detail, StringComparison.Ordinal);
        Assert.Equal("subscription", Assert.Single(error.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
    }

    [Fact]
    public async Task Subscribe_ClientVanishesMidStream_StreamReleasedAndUnackedEventDeliveredAgain()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await host.PublishAllAsync(GrpcBridgeHost.Event("unacked"));
        var registry = host.Services.GetRequiredService<SubscriptionRegistry>();

        var first = await host.SubscribeAsync("vanishing");
        Assert.Equal("unacked", (await first.NextAsync()).Event.Id);
        await first.DisposeAsync();
        await Wait.UntilAsync(() => registry.Streams("vanishing").Count == 0, "the server released the cancelled stream");
        await using var second = await host.SubscribeAsync("vanishing");
        var again = await second.NextAsync();

        Assert.Equal("unacked", again.Event.Id);
        Assert.Equal(2, again.Attempt);
    }

    [Fact]
    public async Task Subscribe_DeadlinePasses_DeadlineExceededAndStreamReleased()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var registry = host.Services.GetRequiredService<SubscriptionRegistry>();
        var open = new OpenSubscription { Subscription = "deadline", Start = new StartPosition { Latest = true } };

        await using var subscriber = await TestSubscriber.OpenAsync(host.Client, new SubscribeRequest { Open = open }, deadline: DateTime.UtcNow.AddSeconds(1));
        var status = await subscriber.EndAsync();

        // The server sees the same deadline (grpc-timeout) and may reset the stream a moment before the client's own
        // timer fires; Grpc.Net.Client then reports the reset as CANCELLED. Either way the call ended by its deadline.
        Assert.Contains(status.StatusCode, new[] { StatusCode.DeadlineExceeded, StatusCode.Cancelled });
        await Wait.UntilAsync(() => registry.Streams("deadline").Count == 0, "the server released the stream");
    }

    [Fact]
    public async Task Subscribe_SecondOpenOrUnknownAckId_InvalidArgument()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        await host.PublishAllAsync(GrpcBridgeHost.Event("a"));
        await using var reopened = await host.SubscribeAsync("twice");
        await using var unknown = await host.SubscribeAsync("unknown-ack");

        await reopened.NextAsync();
        await reopened.Requests.WriteAsync(new SubscribeRequest { Open = new OpenSubscription { Subscription = "twice" } });
        var delivery = await unknown.NextAsync();
        await unknown.AckAsync(delivery.AckId, delivery.AckId);
        await unknown.AckAsync(delivery.AckId + 1000);
        var reopenStatus = await reopened.EndAsync();
        var unknownStatus = await unknown.EndAsync();

        Assert.Equal(StatusCode.InvalidArgument, reopenStatus.StatusCode);
        Assert.Contains("open may only be the first request", reopenStatus.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.InvalidArgument, unknownStatus.StatusCode);
        Assert.Contains($"{delivery.AckId + 1000} was never issued", unknownStatus.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_HalfClose_CommitsAcksAndEndsOk()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var accepted = await host.PublishAllAsync(GrpcBridgeHost.Event("a"), GrpcBridgeHost.Event("b"));

        await using var subscriber = await host.SubscribeAsync("closing");
        var deliveries = await subscriber.TakeAsync(2);
        await subscriber.AckAsync(deliveries);
        var status = await subscriber.CloseAsync();

        Assert.Equal(StatusCode.OK, status.StatusCode);
        Assert.Equal(accepted[1].Offset + 1, host.Committed("closing")[accepted[1].Partition]);
        Assert.Empty(host.Services.GetRequiredService<SubscriptionRegistry>().Streams("closing"));
    }

    [Fact]
    public async Task Subscribe_ServerShutsDown_Unavailable()
    {
        var host = await GrpcBridgeHost.StartAsync();
        TestSubscriber? subscriber = null;
        try
        {
            await host.PublishAllAsync(GrpcBridgeHost.Event("a"));
            subscriber = await host.SubscribeAsync("shutdown");
            await subscriber.NextAsync();

            var stopping = host.Server.App.StopAsync();
            var status = await subscriber.EndAsync();

            // Well within the host's 5 s shutdown timeout: the stream ended at once, not when the host gave up on it.
            await stopping.WaitAsync(TimeSpan.FromSeconds(4));
            Assert.Equal(StatusCode.Unavailable, status.StatusCode);
            Assert.Equal("Server is shutting down", status.Detail);
        }
        finally
        {
            if (subscriber is not null)
            {
                await subscriber.DisposeAsync();
            }

            await host.DisposeAsync();
        }
    }

    private static AttributeMatch Match(params (string Name, string Value)[] entries)
    {
        var match = new AttributeMatch();
        foreach (var (name, value) in entries)
        {
            match.Attributes[name] = value;
        }

        return match;
    }
}
