using Bridge.Client.V1;
using Bridge.CloudEvents;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Client;

/// <summary>
/// Typed client of service <c>bridge.v1.EventBridge</c>: publishes CloudEvents and opens subscriptions, on top of
/// the generated <see cref="EventBridge.EventBridgeClient"/> and Grpc.Net.Client. Thread-safe; create one per
/// server and reuse it, or register it with <c>services.AddEventBridgeClient(...)</c>.
/// </summary>
/// <example>
/// <code>
/// using var client = new EventBridgeClient(new Uri("http://bridge:8081"), new EventBridgeClientOptions { Token = token });
/// var open = new OpenSubscription { Subscription = "notifier", Start = StartPositions.Earliest() };
/// open.Filters.Add(Filters.Prefix("type", "app.flagger.canary."));
/// await using var subscription = client.Subscribe(open);
/// await foreach (CloudEventDelivery delivery in subscription)
/// {
///     Handle(delivery.Event);
///     await subscription.AckAsync(delivery.AckId);
/// }
/// </code>
/// </example>
public sealed class EventBridgeClient : IDisposable
{
    /// <summary>Longest subscription name the server accepts.</summary>
    public const int MaxSubscriptionNameLength = 200;

    private const string AuthorizationKey = "authorization";

    private readonly EventBridge.EventBridgeClient _stub;
    private readonly GrpcChannel? _ownedChannel;
    private readonly string? _token;
    private readonly TimeSpan _ackDelay;
    private readonly ILogger _logger;

    /// <summary>Creates a client with its own channel to <paramref name="address"/>.</summary>
    /// <param name="address">The server, e.g. <c>http://bridge:8081</c>: an absolute http or https URI. Must not be null.</param>
    /// <param name="token">Bearer token sent with every call. May be null for none.</param>
    /// <exception cref="ArgumentException">The address is not an absolute http(s) URI.</exception>
    public EventBridgeClient(string address, string? token = null)
        : this(ParseAddress(address), new EventBridgeClientOptions { Token = token })
    {
    }

    /// <summary>Creates a client with its own channel to <paramref name="address"/>.</summary>
    /// <param name="address">An absolute http or https URI. Must not be null.</param>
    /// <param name="options">Token, ack batching, channel settings. May be null for the defaults.</param>
    /// <exception cref="ArgumentException">The address is not an absolute http(s) URI, or an option is invalid.</exception>
    public EventBridgeClient(Uri address, EventBridgeClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        options ??= new EventBridgeClientOptions();
        Validate(options);
        GrpcChannel channel = GrpcChannel.ForAddress(CheckAddress(address), options.ChannelOptions ?? new GrpcChannelOptions());
        _ownedChannel = channel;
        Address = address;
        _stub = new EventBridge.EventBridgeClient(channel);
        (_token, _ackDelay, _logger) = (options.Token, options.AckDelay, options.Logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// Creates a client on the caller's own channel (its TLS settings, HTTP handler and limits), which the client
    /// does not dispose.
    /// </summary>
    /// <param name="channel">The channel. Must not be null.</param>
    /// <param name="options">Token and ack batching (<see cref="EventBridgeClientOptions.ChannelOptions"/> is ignored). May be null.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public EventBridgeClient(GrpcChannel channel, EventBridgeClientOptions? options = null)
        : this((channel ?? throw new ArgumentNullException(nameof(channel))).CreateCallInvoker(), options)
    {
    }

    /// <summary>
    /// Creates a client on a call invoker, such as <c>channel.Intercept(interceptor)</c> or the one
    /// Grpc.Net.ClientFactory builds; the client does not dispose anything it did not create.
    /// </summary>
    /// <param name="callInvoker">The call invoker. Must not be null.</param>
    /// <param name="options">Token and ack batching (<see cref="EventBridgeClientOptions.ChannelOptions"/> is ignored). May be null.</param>
    /// <exception cref="ArgumentException">An option is invalid.</exception>
    public EventBridgeClient(CallInvoker callInvoker, EventBridgeClientOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(callInvoker);
        options ??= new EventBridgeClientOptions();
        Validate(options);
        Address = options.Address;
        _stub = new EventBridge.EventBridgeClient(callInvoker);
        (_token, _ackDelay, _logger) = (options.Token, options.AckDelay, options.Logger ?? NullLogger.Instance);
    }

    /// <summary>
    /// The server address: the one given to the constructor, else <see cref="EventBridgeClientOptions.Address"/>; null when
    /// the client was created on a channel or call invoker without it (it is only used in log messages).
    /// </summary>
    public Uri? Address { get; }

    /// <summary>The generated client this one is built on, for calls the typed API does not cover. Never null.</summary>
    public EventBridge.EventBridgeClient Stub => _stub;

    /// <summary>Publishes events. Each event gets its own result, in request order; valid ones are written even when others are rejected.</summary>
    /// <param name="request">The events. Must not be null.</param>
    /// <param name="options">Headers, deadline and cancellation. May be null.</param>
    /// <returns>One <see cref="PublishResult"/> per event.</returns>
    /// <exception cref="RpcException">The call failed as a whole (unreachable, unauthenticated, ...).</exception>
    public Task<PublishResponse> PublishAsync(PublishRequest request, CallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        return _stub.PublishAsync(request, WithAuthorization(options)).ResponseAsync;
    }

    /// <summary>Publishes events given as <see cref="CloudEvent"/>s (converted with <see cref="ProtobufEventFormat.ToProto"/>).</summary>
    /// <param name="events">The events. Must not be null, nor contain null; each must be valid.</param>
    /// <param name="options">Headers, deadline and cancellation. May be null.</param>
    /// <returns>One <see cref="PublishResult"/> per event, in order.</returns>
    /// <exception cref="CloudEventFormatException">An event is not valid (nothing was sent).</exception>
    /// <exception cref="RpcException">The call failed as a whole.</exception>
    public Task<PublishResponse> PublishAsync(IEnumerable<CloudEvent> events, CallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(events);
        var request = new PublishRequest();
        int index = 0;
        foreach (CloudEvent? cloudEvent in events)
        {
            if (cloudEvent is null)
            {
                throw new ArgumentException($"Event {index} is null.", nameof(events));
            }
            request.Events.Add(ProtobufEventFormat.ToProto(cloudEvent));
            index++;
        }
        return PublishAsync(request, options);
    }

    /// <summary>
    /// Opens a subscription stream. The <c>open</c> message is sent at once; read deliveries from the returned
    /// <see cref="EventSubscription"/>, acknowledge them, and complete or dispose it when done.
    /// </summary>
    /// <param name="open">Name, filters, start position and max in flight. Must not be null; it is copied.</param>
    /// <param name="options">Headers, deadline and cancellation (which ends the stream). May be null.</param>
    /// <exception cref="ArgumentException">The subscription name is empty, too long or has characters other than <c>[A-Za-z0-9._-]</c>; MaxInFlight is negative; or a filter has no dialect set.</exception>
    public EventSubscription Subscribe(OpenSubscription open, CallOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(open);
        ValidateOpen(open);
        OpenSubscription copy = open.Clone();
        AsyncDuplexStreamingCall<SubscribeRequest, SubscribeResponse> call = _stub.Subscribe(WithAuthorization(options));
        return new EventSubscription(call, copy, _ackDelay, _logger);
    }

    /// <summary>Disposes the channel when the client created it.</summary>
    public void Dispose() => _ownedChannel?.Dispose();

    /// <summary>True when <paramref name="name"/> is a valid subscription name: 1-200 characters of <c>[A-Za-z0-9._-]</c>.</summary>
    /// <param name="name">The name. May be null (then false).</param>
    public static bool IsValidSubscriptionName(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxSubscriptionNameLength
        && name.All(c => c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-');

    /// <summary>Checks an address for a channel: absolute and http or https.</summary>
    internal static Uri CheckAddress(Uri address) =>
        address.IsAbsoluteUri && (address.Scheme == Uri.UriSchemeHttp || address.Scheme == Uri.UriSchemeHttps)
            ? address
            : throw new ArgumentException($"EventBridge address '{address}' must be an absolute http:// or https:// URI such as http://bridge:8081.", nameof(address));

    private static void Validate(EventBridgeClientOptions options)
    {
        if (options.AckDelay < TimeSpan.Zero || options.AckDelay > EventBridgeClientOptions.MaxAckDelay)
        {
            throw new ArgumentException(
                $"AckDelay must be between 0 and {EventBridgeClientOptions.MaxAckDelay.TotalMilliseconds} ms (got {options.AckDelay.TotalMilliseconds} ms).", nameof(options));
        }
        if (options.Token is { } token && (token.Length == 0 || token.Any(c => c <= ' ' || c >= 127)))
        {
            throw new ArgumentException("Token must be non-empty printable ASCII without spaces: it travels in an HTTP header.", nameof(options));
        }
    }

    private static void ValidateOpen(OpenSubscription open)
    {
        if (!IsValidSubscriptionName(open.Subscription))
        {
            throw new ArgumentException(
                $"Subscription name '{open.Subscription}' is invalid: use 1-{MaxSubscriptionNameLength} characters of A-Z, a-z, 0-9, '.', '_' and '-'.", nameof(open));
        }
        if (open.MaxInFlight < 0)
        {
            throw new ArgumentException($"MaxInFlight must be 0 (server default) or positive (got {open.MaxInFlight}).", nameof(open));
        }
        for (int i = 0; i < open.Filters.Count; i++)
        {
            if (open.Filters[i].FilterCase == Filter.FilterOneofCase.None)
            {
                throw new ArgumentException($"Filter {i} has no dialect set (exact, prefix, suffix, all, any or not).", nameof(open));
            }
        }
    }

    private CallOptions WithAuthorization(CallOptions? options)
    {
        CallOptions value = options ?? default;
        if (_token is null || (value.Headers is { } given && given.Get(AuthorizationKey) is not null))
        {
            return value;
        }
        var headers = new Metadata();
        if (value.Headers is not null)
        {
            foreach (Metadata.Entry entry in value.Headers)
            {
                headers.Add(entry);
            }
        }
        headers.Add(AuthorizationKey, "Bearer " + _token);
        return value.WithHeaders(headers);
    }

    private static Uri ParseAddress(string address)
    {
        ArgumentNullException.ThrowIfNull(address);
        return Uri.TryCreate(address, UriKind.Absolute, out Uri? uri)
            ? CheckAddress(uri)
            : throw new ArgumentException($"EventBridge address '{address}' is not an absolute URI such as http://bridge:8081.", nameof(address));
    }
}
