using Bridge.Client.Tests.Infrastructure;
using Bridge.Client.V1;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Client.Tests;

/// <summary>Ways to build the client beyond an address: Grpc.Net.ClientFactory registration and a call invoker with interceptors.</summary>
public sealed class EventBridgeClientRegistrationTests : IAsyncLifetime
{
    private BridgeTestServer _server = null!;

    public async Task InitializeAsync() => _server = await BridgeTestServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task AddEventBridgeClient_Resolved_PublishesWithTokenThroughFactoryInterceptor()
    {
        var interceptor = new CountingInterceptor();
        var services = new ServiceCollection();
        services.AddEventBridgeClient(o =>
        {
            o.Address = _server.Address;
            o.Token = "factory-token";
        }).AddInterceptor(() => interceptor);
        await using var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<EventBridgeClient>();
        PublishResponse response = await client.PublishAsync([TestEvents.Canary("via-factory")]);

        Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, Assert.Single(response.Results).OutcomeCase);
        Assert.Equal("Bearer factory-token", Assert.Single(_server.Bridge.AuthorizationHeaders));
        Assert.Equal(1, interceptor.Calls);
        Assert.Equal(_server.Address, client.Address);
    }

    [Fact]
    public async Task AddEventBridgeClient_WithoutAddress_ResolvingFailsNamingTheOption()
    {
        var services = new ServiceCollection();
        services.AddEventBridgeClient(o => o.Token = "t");
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<EventBridgeClient>());

        Assert.Contains("EventBridgeClientOptions.Address is required", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Constructor_InterceptedCallInvoker_SubscribeGoesThroughTheInterceptor()
    {
        Bridge.Client.Tests.Infrastructure.FakeEventBridge bridge = _server.Bridge;
        bridge.Append(0, "k", TestEvents.Canary("intercepted"));
        var interceptor = new CountingInterceptor();
        using var channel = GrpcChannel.ForAddress(_server.Address);
        using var client = new EventBridgeClient(channel.Intercept(interceptor), new EventBridgeClientOptions { Token = "own" });

        await using EventSubscription subscription = client.Subscribe(new OpenSubscription { Subscription = "s" });
        CloudEventDelivery? delivery = await subscription.ReadAsync().WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal("intercepted", delivery?.Event.Id);
        Assert.Equal(1, interceptor.Calls);
        Assert.Equal("Bearer own", Assert.Single(bridge.AuthorizationHeaders));
        Assert.Null(client.Address);
    }

    private sealed class CountingInterceptor : Interceptor
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(TRequest request, ClientInterceptorContext<TRequest, TResponse> context,
            AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
        {
            Interlocked.Increment(ref _calls);
            return continuation(request, context);
        }

        public override AsyncDuplexStreamingCall<TRequest, TResponse> AsyncDuplexStreamingCall<TRequest, TResponse>(ClientInterceptorContext<TRequest, TResponse> context,
            AsyncDuplexStreamingCallContinuation<TRequest, TResponse> continuation)
        {
            Interlocked.Increment(ref _calls);
            return continuation(context);
        }
    }
}
