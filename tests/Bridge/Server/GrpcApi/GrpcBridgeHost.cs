using System.Threading.Channels;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Bridge.Server.GrpcApi;
using Bridge.Server.Hosting;
using Bridge.Server.Kafka;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.Hosting;
using Confluent.Kafka;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using PbEvent = Bridge.CloudEvents.Protobuf.CloudEvent;
using Metadata = Grpc.Core.Metadata;
using Status = Grpc.Core.Status;

namespace Bridge.Server.Tests.GrpcApi;

/// <summary>
/// The real bridge host with gRPC (ingress and gRPC on 127.0.0.1, ports chosen by the system, its own embedded
/// Kafka cluster with a small topic and fast consumer-group settings) and a gRPC channel to it. One per test, so
/// every test sees only its own events.
/// </summary>
internal sealed class GrpcBridgeHost : IAsyncDisposable
{
    public const int Partitions = 4;

    private GrpcBridgeHost(BridgeTestServer server)
    {
        Server = server;
        GrpcAddress = server.Services.GetRequiredService<BridgeEndpoints>().GetAddress(GrpcKestrelSetup.EndpointName);
        Channel = GrpcChannel.ForAddress(GrpcAddress);
        Client = new EventBridge.EventBridgeClient(Channel);
    }

    public BridgeTestServer Server { get; }

    public Uri GrpcAddress { get; }

    public GrpcChannel Channel { get; }

    public EventBridge.EventBridgeClient Client { get; }

    public IServiceProvider Services => Server.Services;

    public KafkaConnection Kafka => Services.GetRequiredService<KafkaConnection>();

    public string Topic => Kafka.Topic;

    public static async Task<GrpcBridgeHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null, Action<WebApplicationBuilder>? configure = null)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Grpc:Port"] = "0",
            ["Grpc:BindAddress"] = "127.0.0.1",
            ["Kafka:EmbeddedBrokers"] = "1",
            ["Kafka:Partitions"] = Partitions.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Kafka:ProduceTimeout"] = "00:00:05",
            ["Subscriptions:CommitInterval"] = "00:00:00.050",
            ["Subscriptions:SessionTimeout"] = "00:00:03",
            ["Subscriptions:HeartbeatInterval"] = "00:00:00.200",
            ["Subscriptions:HealthCheckInterval"] = "00:00:01",
            ["Logging:LogLevel:Bridge.Server.Subscriptions"] = "Information",
            ["Logging:LogLevel:Bridge.Server.GrpcApi"] = "Information",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            values[key] = value;
        }

        var server = await BridgeTestServer.StartAsync(values, configure);
        return new GrpcBridgeHost(server);
    }

    /// <summary>A valid event of canary <paramref name="canary"/> in namespace <paramref name="ns"/>.</summary>
    public static PbEvent Event(string id, string ns = "test", string canary = "podinfo", string type = "app.flagger.canary.weight.advanced", string source = "/flagger/test")
    {
        var cloudEvent = new CloudEvent
        {
            Id = id,
            Source = source,
            Type = type,
            Subject = $"{ns}/{canary}",
            Data = CloudEventData.FromText("payload " + id),
        };
        cloudEvent["partitionkey"] = $"{ns}/{canary}";
        cloudEvent["namespace"] = ns;
        cloudEvent["canary"] = canary;
        return ProtobufEventFormat.ToProto(cloudEvent);
    }

    public async Task<PublishResponse> PublishAsync(IEnumerable<PbEvent> events, Metadata? headers = null)
    {
        var request = new PublishRequest();
        request.Events.Add(events);
        return await Client.PublishAsync(request, new CallOptions(headers, DateTime.UtcNow.AddSeconds(30)));
    }

    /// <summary>Publishes and checks every event was accepted.</summary>
    public async Task<IReadOnlyList<PublishAccepted>> PublishAllAsync(params PbEvent[] events)
    {
        var response = await PublishAsync(events);
        Assert.Equal(events.Length, response.Results.Count);
        foreach (var result in response.Results)
        {
            Assert.True(result.OutcomeCase == PublishResult.OutcomeOneofCase.Accepted, $"Event {result.Id}: {result.Error?.Message}");
        }

        return response.Results.Select(r => r.Accepted).ToArray();
    }

    public Task<TestSubscriber> SubscribeAsync(string subscription, StartPosition? start = null, int maxInFlight = 0,
        IEnumerable<Filter>? filters = null, Metadata? headers = null)
    {
        var open = new OpenSubscription { Subscription = subscription, Start = start ?? new StartPosition { Earliest = true }, MaxInFlight = maxInFlight };
        if (filters is not null)
        {
            open.Filters.Add(filters);
        }

        return TestSubscriber.OpenAsync(Client, new SubscribeRequest { Open = open }, headers);
    }

    /// <summary>Waits until <paramref name="streams"/> streams of the subscription hold every partition between them.</summary>
    public async Task<IReadOnlyList<IReadOnlyList<int>>> WaitForAssignmentAsync(string subscription, int streams = 1, TimeSpan? timeout = null)
    {
        var registry = Services.GetRequiredService<SubscriptionRegistry>();
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (true)
        {
            IReadOnlyList<IReadOnlyList<int>> held = registry.Streams(subscription).Select(s => s.Partitions).ToArray();
            // Every stream holds some partitions when there are enough: right after a second stream joins, the first
            // still holds all of them until the rebalance starts, which is not the settled assignment.
            if (held.Count == streams && held.Sum(p => p.Count) == Partitions && held.SelectMany(p => p).Distinct().Count() == Partitions
                && (streams > Partitions || held.All(p => p.Count > 0)))
            {
                return held;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Subscription '{subscription}': partitions held {string.Join(" | ", held.Select(p => string.Join(",", p)))}, wanted {Partitions} over {streams} streams.");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>The subscription's committed offsets, read by a plain Confluent consumer of its group.</summary>
    public Dictionary<int, long> Committed(string subscription)
    {
        using var consumer = new ConsumerBuilder<byte[], byte[]>(new ConsumerConfig
        {
            BootstrapServers = Kafka.BootstrapServers,
            GroupId = subscription,
            EnableAutoCommit = false,
        }).Build();
        var partitions = Enumerable.Range(0, Partitions).Select(p => new TopicPartition(Topic, p));
        return consumer.Committed(partitions, TimeSpan.FromSeconds(10)).ToDictionary(o => o.Partition.Value, o => o.Offset.Value);
    }

    /// <summary>Waits until the committed offset of <paramref name="partition"/> is <paramref name="offset"/>.</summary>
    public async Task WaitForCommitAsync(string subscription, int partition, long offset, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var committed = await Task.Run(() => Committed(subscription));
            if (committed[partition] == offset)
            {
                return;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Subscription '{subscription}': partition {partition} committed {committed[partition]}, expected {offset}.");
            }

            await Task.Delay(50);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Channel.Dispose();
        await Server.DisposeAsync();
    }
}

/// <summary>
/// A Subscribe call with a background reader, so waiting for a delivery with a timeout never cancels the call.
/// </summary>
internal sealed class TestSubscriber : IAsyncDisposable
{
    private readonly AsyncDuplexStreamingCall<SubscribeRequest, SubscribeResponse> _call;
    private readonly Channel<SubscribeResponse> _received = System.Threading.Channels.Channel.CreateUnbounded<SubscribeResponse>();
    private readonly Task _pump;

    private TestSubscriber(AsyncDuplexStreamingCall<SubscribeRequest, SubscribeResponse> call)
    {
        _call = call;
        _pump = Task.Run(async () =>
        {
            try
            {
                while (await call.ResponseStream.MoveNext(CancellationToken.None))
                {
                    _received.Writer.TryWrite(call.ResponseStream.Current);
                }

                _received.Writer.TryComplete();
            }
            catch (Exception e)
            {
                _received.Writer.TryComplete(e);
            }
        });
    }

    public static async Task<TestSubscriber> OpenAsync(EventBridge.EventBridgeClient client, SubscribeRequest first, Metadata? headers = null, DateTime? deadline = null)
    {
        var call = client.Subscribe(new CallOptions(headers, deadline));
        try
        {
            await call.RequestStream.WriteAsync(first);
        }
        catch (RpcException)
        {
            // The server may end the call (a bad token, say) before the first message is written; the status is
            // then read from the response stream like any other end.
        }

        return new TestSubscriber(call);
    }

    public IClientStreamWriter<SubscribeRequest> Requests => _call.RequestStream;

    /// <summary>The exception the call ended with, once <see cref="EndAsync"/> saw one.</summary>
    public RpcException? Error { get; private set; }

    /// <summary>The next delivery; fails the test when none arrives within <paramref name="timeout"/>.</summary>
    public async Task<SubscribeResponse> NextAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            return await _received.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            throw new TimeoutException($"No delivery within {timeout ?? TimeSpan.FromSeconds(30)}.");
        }
    }

    public async Task<List<SubscribeResponse>> TakeAsync(int count, TimeSpan? timeout = null)
    {
        var result = new List<SubscribeResponse>(count);
        while (result.Count < count)
        {
            result.Add(await NextAsync(timeout));
        }

        return result;
    }

    /// <summary>True when a delivery arrives within <paramref name="quiet"/> (used to prove that none comes).</summary>
    public async Task<SubscribeResponse?> PollAsync(TimeSpan quiet)
    {
        using var cts = new CancellationTokenSource(quiet);
        try
        {
            return await _received.Reader.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            return null;
        }
    }

    public Task AckAsync(params ulong[] ackIds)
    {
        var ack = new Ack();
        ack.AckIds.Add(ackIds);
        return _call.RequestStream.WriteAsync(new SubscribeRequest { Ack = ack });
    }

    public Task AckAsync(IEnumerable<SubscribeResponse> deliveries) => AckAsync(deliveries.Select(d => d.AckId).ToArray());

    /// <summary>Half-closes and waits for the call's end; returns its status (deliveries still in flight are dropped).</summary>
    public async Task<Status> CloseAsync()
    {
        await _call.RequestStream.CompleteAsync();
        return await EndAsync();
    }

    /// <summary>Waits for the call's end (reading every remaining delivery) and returns its status.</summary>
    public async Task<Status> EndAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(30));
        try
        {
            await foreach (var _ in _received.Reader.ReadAllAsync(cts.Token))
            {
            }
        }
        catch (RpcException e)
        {
            Error = e;
            return e.Status;
        }

        await _pump;
        return _call.GetStatus();
    }

    public async ValueTask DisposeAsync()
    {
        _call.Dispose();
        try
        {
            await _pump;
        }
        catch (Exception)
        {
            // The call was cancelled; its outcome was not asked for.
        }
    }
}
