using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace Bridge.Client;

/// <summary>Settings of an <see cref="EventBridgeClient"/>.</summary>
public sealed class EventBridgeClientOptions
{
    /// <summary>Longest <see cref="AckDelay"/> accepted.</summary>
    public static readonly TimeSpan MaxAckDelay = TimeSpan.FromSeconds(1);

    /// <summary>
    /// The bridge's gRPC address, e.g. <c>http://bridge:8081</c>. Required by <c>services.AddEventBridgeClient</c>;
    /// the constructors that take an address use theirs instead. Default null.
    /// </summary>
    public Uri? Address { get; set; }

    /// <summary>
    /// Bearer token sent as <c>authorization: Bearer &lt;token&gt;</c> metadata on every call, unless the call's
    /// own headers carry an <c>authorization</c> entry. Default null: no credentials.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>
    /// How long acknowledgements wait to be sent together in one message. Default 5 ms; zero sends at once
    /// whatever accumulated while the previous ack was being written. At most <see cref="MaxAckDelay"/>.
    /// </summary>
    public TimeSpan AckDelay { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>
    /// Settings of the channel the client creates from an address (TLS through <see cref="GrpcChannelOptions.HttpHandler"/>,
    /// message size limits, credentials). May be null for the defaults. Ignored when the client is given a channel.
    /// </summary>
    public GrpcChannelOptions? ChannelOptions { get; set; }

    /// <summary>Where the client logs events it had to skip. May be null (no logging).</summary>
    public ILogger? Logger { get; set; }
}
