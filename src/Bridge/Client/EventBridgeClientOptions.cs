using Bridge.Grpc;
using Microsoft.Extensions.Logging;

namespace Bridge.Client;

/// <summary>Settings of an <see cref="EventBridgeClient"/>.</summary>
public sealed class EventBridgeClientOptions
{
    /// <summary>Longest <see cref="AckDelay"/> accepted.</summary>
    public static readonly TimeSpan MaxAckDelay = TimeSpan.FromSeconds(1);

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

    /// <summary>Settings of the channel the client creates from an address. May be null for the defaults.</summary>
    public GrpcChannelOptions? ChannelOptions { get; set; }

    /// <summary>Where the client logs events it had to skip. May be null (no logging).</summary>
    public ILogger? Logger { get; set; }
}
