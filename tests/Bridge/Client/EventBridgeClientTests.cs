using Bridge.Client.Tests.Infrastructure;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bridge.Client.Tests;

/// <summary>The typed client against an in-memory EventBridge over real HTTP/2 on 127.0.0.1.</summary>
public sealed class EventBridgeClientTests : IAsyncLifetime
{
    private BridgeTestServer _server = null!;

    public async Task InitializeAsync() => _server = await BridgeTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task PublishAsync_CloudEvents_SentAsProtobufAndResultsInOrder()
    {
        using var client = new EventBridgeClient(_server.Address);
        CloudEvent first = TestEvents.Canary("e-1");
        CloudEvent second = TestEvents.Canary("e-2", ns: "prod", name: "web");

        PublishResponse response = await client.PublishAsync([first, second]);

        PublishRequest received = Assert.Single(_server.Bridge.PublishRequests);
        Assert.Equal(2, received.Events.Count);
        CloudEvent roundTripped = ProtobufEventFormat.FromProto(received.Events[1]);
        Assert.Equal("e-2", roundTripped.Id);
        Assert.Equal("prod/web", roundTripped.Subject);
        Assert.Equal("prod", roundTripped["namespace"]);
        Assert.Equal(second.Data, roundTripped.Data);
        Assert.Equal(["e-1", "e-2"], response.Results.Select(r => r.Id));
        Assert.All(response.Results, r => Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, r.OutcomeCase));
    }

    [Fact]
    public async Task PublishAsync_RequestWithRejectedEvent_ReturnsPerEventError()
    {
        using var client = new EventBridgeClient(_server.Address);
        var request = new PublishRequest();
        request.Events.Add(ProtobufEventFormat.ToProto(TestEvents.Canary("ok")));
        request.Events.Add(new Bridge.CloudEvents.Protobuf.CloudEvent { Id = "bad", SpecVersion = "1.0", Type = "t" });

        PublishResponse response = await client.PublishAsync(request);

        Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, response.Results[0].OutcomeCase);
        Assert.Equal((int)StatusCode.InvalidArgument, response.Results[1].Error.Code);
        Assert.Contains("source", response.Results[1].Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAsync_InvalidCloudEvent_ThrowsBeforeSending()
    {
        using var client = new EventBridgeClient(_server.Address);
        var invalid = new CloudEvent { Id = "x", Type = "t" };

        await Assert.ThrowsAsync<CloudEventFormatException>(() => client.PublishAsync([invalid]));

        Assert.Empty(_server.Bridge.PublishRequests);
    }

    [Fact]
    public async Task PublishAsync_NullEventInList_ThrowsNamingIndex()
    {
        using var client = new EventBridgeClient(_server.Address);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => client.PublishAsync([TestEvents.Canary("a"), null!]));

        Assert.Contains("Event 1 is null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PublishAsync_Token_SentAsBearerAuthorization()
    {
        _server.Bridge.RequiredToken = "s3cret-token-value";
        using var client = new EventBridgeClient(_server.Address.ToString(), "s3cret-token-value");

        await client.PublishAsync([TestEvents.Canary("a")]);

        Assert.Equal("Bearer s3cret-token-value", Assert.Single(_server.Bridge.AuthorizationHeaders));
    }

    [Fact]
    public async Task PublishAsync_CallHeadersCarryAuthorization_ClientTokenNotAdded()
    {
        _server.Bridge.RequiredToken = "per-call";
        using var client = new EventBridgeClient(_server.Address.ToString(), "client-wide");
        var headers = new Metadata { { "authorization", "Bearer per-call" } };

        await client.PublishAsync([TestEvents.Canary("a")], new CallOptions(headers: headers));

        Assert.Equal("Bearer per-call", Assert.Single(_server.Bridge.AuthorizationHeaders));
    }

    [Fact]
    public async Task PublishAsync_WrongToken_ThrowsUnauthenticated()
    {
        _server.Bridge.RequiredToken = "right";
        using var client = new EventBridgeClient(_server.Address.ToString(), "wrong");

        var ex = await Assert.ThrowsAsync<RpcException>(() => client.PublishAsync([TestEvents.Canary("a")]));

        Assert.Equal(StatusCode.Unauthenticated, ex.StatusCode);
    }

    [Fact]
    public async Task PublishAsync_ExistingChannel_UsedAndNotDisposed()
    {
        using var channel = GrpcChannel.ForAddress(_server.Address);
        using (var client = new EventBridgeClient(channel))
        {
            await client.PublishAsync([TestEvents.Canary("a")]);
        }

        // The channel still works after the client is gone.
        using var again = new EventBridgeClient(channel);
        PublishResponse response = await again.PublishAsync([TestEvents.Canary("b")]);
        Assert.Single(response.Results);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("ümlaut")]
    [InlineData("a/b")]
    public async Task Subscribe_InvalidName_ThrowsNamingTheRule(string name)
    {
        using var client = new EventBridgeClient(_server.Address);

        var ex = Assert.Throws<ArgumentException>(() => client.Subscribe(new OpenSubscription { Subscription = name }));

        Assert.Contains("A-Z, a-z, 0-9", ex.Message, StringComparison.Ordinal);
        await Task.Yield();
        Assert.Empty(_server.Bridge.Opens);
    }

    [Fact]
    public void Subscribe_NameTooLong_Throws()
    {
        using var client = new EventBridgeClient(_server.Address);

        Assert.Throws<ArgumentException>(() => client.Subscribe(new OpenSubscription { Subscription = new string('a', 201) }));
    }

    [Fact]
    public void Subscribe_NegativeMaxInFlight_Throws()
    {
        using var client = new EventBridgeClient(_server.Address);

        var ex = Assert.Throws<ArgumentException>(() => client.Subscribe(new OpenSubscription { Subscription = "s", MaxInFlight = -1 }));

        Assert.Contains("MaxInFlight", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Subscribe_FilterWithoutDialect_Throws()
    {
        using var client = new EventBridgeClient(_server.Address);
        var open = new OpenSubscription { Subscription = "s" };
        open.Filters.Add(new Filter());

        var ex = Assert.Throws<ArgumentException>(() => client.Subscribe(open));

        Assert.Contains("Filter 0", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ftp://bridge:8081")]
    [InlineData("bridge:8081/x")]
    public void Constructor_NotHttpAddress_Throws(string address) =>
        Assert.Throws<ArgumentException>(() => new EventBridgeClient(address));

    [Fact]
    public void Constructor_RelativeAddress_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EventBridgeClient("/relative"));

        Assert.Contains("absolute", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(1001)]
    public void Constructor_AckDelayOutOfRange_Throws(int milliseconds)
    {
        var ex = Assert.Throws<ArgumentException>(() =>
            new EventBridgeClient(_server.Address, new EventBridgeClientOptions { AckDelay = TimeSpan.FromMilliseconds(milliseconds) }));

        Assert.Contains("AckDelay", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_TokenWithSpace_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new EventBridgeClient(_server.Address, new EventBridgeClientOptions { Token = "a b" }));

        Assert.Contains("Token", ex.Message, StringComparison.Ordinal);
    }
}
