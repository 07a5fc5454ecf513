namespace Bridge.Grpc;

/// <summary>
/// Settings of the gRPC server, bound from the <c>Grpc</c> configuration section, e.g.
/// <code>
/// "Grpc": { "Port": 8081, "MaxReceiveMessageSize": 4194304, "CertificatePath": "/tls/tls.crt", "CertificateKeyPath": "/tls/tls.key" }
/// </code>
/// </summary>
public sealed class GrpcServerOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Grpc";

    /// <summary>TCP port of the HTTP/2 gRPC endpoint. Default 8081; 0 picks a free port.</summary>
    public int Port { get; set; } = 8081;

    /// <summary>Largest request message accepted, in bytes; larger ones end the call with RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Largest response message sent, in bytes; a handler writing a larger one gets RESOURCE_EXHAUSTED.
    /// Default 4 MiB, which is also what most gRPC clients accept by default.
    /// </summary>
    public int MaxSendMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>
    /// Concurrent streams per HTTP/2 connection. Default 1000: clients such as grpcio put every call on one
    /// connection, and with Kestrel's default of 100 the 101st long-lived stream waits in a queue.
    /// </summary>
    public int MaxStreamsPerConnection { get; set; } = 1000;

    /// <summary>Idle time after which the server sends an HTTP/2 PING to check the connection. Default 60 s.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long the server waits for a PING reply before closing the connection. Default 20 s.</summary>
    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Path of the server certificate: a PKCS#12 (.pfx) file, or a PEM certificate when
    /// <see cref="CertificateKeyPath"/> is set. Null (default) serves cleartext HTTP/2 (h2c); set, it serves
    /// HTTP/2 over TLS (ALPN h2).
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key. Default null.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Path of the PEM private key that belongs to a PEM <see cref="CertificatePath"/>. Default null.</summary>
    public string? CertificateKeyPath { get; set; }
}
