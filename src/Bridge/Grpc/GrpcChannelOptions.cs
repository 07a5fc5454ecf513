using System.Net.Http;

namespace Bridge.Grpc;

/// <summary>Settings of a <see cref="GrpcChannel"/>.</summary>
public sealed class GrpcChannelOptions
{
    /// <summary>Largest response message accepted, in bytes; larger ones fail the call with RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest request message sent, in bytes, or null (default) for no limit.</summary>
    public int? MaxSendMessageSize { get; set; }

    /// <summary>Idle time after which the client sends an HTTP/2 PING while calls are open. Default 60 s.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the client waits for a PING reply before dropping the connection. Default 30 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Adjusts the <see cref="SocketsHttpHandler"/> the channel creates, e.g. TLS settings
    /// (<c>SslOptions.RemoteCertificateValidationCallback</c>) for an https address. May be null.
    /// </summary>
    public Action<SocketsHttpHandler>? ConfigureHandler { get; set; }
}
