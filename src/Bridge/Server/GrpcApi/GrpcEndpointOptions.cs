using System.Net;
using Microsoft.Extensions.Options;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// The gRPC endpoint (section <c>Grpc</c>): where it binds, TLS, message and connection limits, and the optional
/// parts of the API (reflection, gRPC-Web, response compression).
/// </summary>
/// <example>
/// <code>"Grpc": { "Port": 8081, "BindAddress": "0.0.0.0", "CertificatePath": "/tls/tls.crt", "CertificateKeyPath": "/tls/tls.key", "EnableReflection": false }</code>
/// </example>
internal sealed class GrpcEndpointOptions
{
    public const string SectionName = "Grpc";

    /// <summary>The response compression that uses none.</summary>
    public const string Identity = "identity";

    /// <summary>The response compression gRPC clients accept by default.</summary>
    public const string Gzip = "gzip";

    /// <summary>TCP port of the gRPC endpoint. Default 8081; 0 picks a free port.</summary>
    public int Port { get; set; } = 8081;

    /// <summary>IP address the gRPC port binds to. Default <c>0.0.0.0</c> (every IPv4 interface).</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>Largest request message accepted, in bytes; larger ones end the call with RESOURCE_EXHAUSTED. Default 4 MiB.</summary>
    public int MaxReceiveMessageSize { get; set; } = 4 * 1024 * 1024;

    /// <summary>Largest response message sent, in bytes (most gRPC clients accept 4 MiB by default). Default 4 MiB.</summary>
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
    /// Path of the server certificate: a PKCS#12 (.pfx) file, or a PEM certificate when <see cref="CertificateKeyPath"/>
    /// is set. Null (default) serves cleartext; set, the port serves TLS only (ALPN h2 and http/1.1).
    /// </summary>
    public string? CertificatePath { get; set; }

    /// <summary>Password of the PKCS#12 file or of an encrypted PEM key. Default null.</summary>
    public string? CertificatePassword { get; set; }

    /// <summary>Path of the PEM private key that belongs to a PEM <see cref="CertificatePath"/>. Default null.</summary>
    public string? CertificateKeyPath { get; set; }

    /// <summary>
    /// Serves <c>grpc.reflection.v1</c> and <c>v1alpha</c>, so grpcurl, grpcui, Postman and Kreya list and call the API
    /// without the protos. Default true.
    /// </summary>
    public bool EnableReflection { get; set; } = true;

    /// <summary>Accepts gRPC-Web (<c>application/grpc-web</c>, <c>-text</c>) besides gRPC on the port. Default true.</summary>
    public bool EnableGrpcWeb { get; set; } = true;

    /// <summary>
    /// Origins whose browser pages may call the port (CORS for gRPC-Web), e.g. <c>https://ops.example.com</c>;
    /// <c>*</c> allows any. Default empty: no CORS headers, so only pages of the bridge's own origin can call.
    /// </summary>
    public List<string> CorsOrigins { get; set; } = [];

    /// <summary>
    /// <c>gzip</c> (default) compresses response messages for clients that accept gzip (their <c>grpc-accept-encoding</c>,
    /// which most gRPC libraries send by default); <c>identity</c> never compresses.
    /// </summary>
    public string ResponseCompression { get; set; } = Gzip;

    /// <summary>True when a certificate is configured, so the port serves TLS.</summary>
    public bool IsTls => !string.IsNullOrWhiteSpace(CertificatePath);
}

/// <summary>Checks <see cref="GrpcEndpointOptions"/> at start, naming the configuration key of every problem.</summary>
internal sealed class GrpcEndpointOptionsValidator : IValidateOptions<GrpcEndpointOptions>
{
    private const string Prefix = GrpcEndpointOptions.SectionName + ":";

    public ValidateOptionsResult Validate(string? name, GrpcEndpointOptions options)
    {
        var failures = new List<string>();
        if (options.Port is < 0 or > 65535)
        {
            failures.Add($"{Prefix}Port must be between 0 and 65535 (got {options.Port}).");
        }

        if (!IPAddress.TryParse(options.BindAddress, out _))
        {
            failures.Add($"{Prefix}BindAddress is '{options.BindAddress}'; use an IP address such as 0.0.0.0, :: or 127.0.0.1.");
        }

        if (options.MaxReceiveMessageSize <= 0)
        {
            failures.Add($"{Prefix}MaxReceiveMessageSize must be a positive number of bytes (got {options.MaxReceiveMessageSize}).");
        }

        if (options.MaxSendMessageSize <= 0)
        {
            failures.Add($"{Prefix}MaxSendMessageSize must be a positive number of bytes (got {options.MaxSendMessageSize}).");
        }

        if (options.MaxStreamsPerConnection <= 0)
        {
            failures.Add($"{Prefix}MaxStreamsPerConnection must be at least 1 (got {options.MaxStreamsPerConnection}).");
        }

        if (options.KeepAlivePingDelay <= TimeSpan.Zero && options.KeepAlivePingDelay != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{Prefix}KeepAlivePingDelay must be positive or infinite (got {options.KeepAlivePingDelay}).");
        }

        if (options.KeepAlivePingTimeout <= TimeSpan.Zero && options.KeepAlivePingTimeout != Timeout.InfiniteTimeSpan)
        {
            failures.Add($"{Prefix}KeepAlivePingTimeout must be positive or infinite (got {options.KeepAlivePingTimeout}).");
        }

        if (!options.IsTls)
        {
            if (!string.IsNullOrWhiteSpace(options.CertificateKeyPath))
            {
                failures.Add($"{Prefix}CertificateKeyPath is set but {Prefix}CertificatePath is not.");
            }
        }
        else
        {
            if (!File.Exists(options.CertificatePath))
            {
                failures.Add($"{Prefix}CertificatePath '{options.CertificatePath}' does not exist.");
            }

            if (!string.IsNullOrWhiteSpace(options.CertificateKeyPath) && !File.Exists(options.CertificateKeyPath))
            {
                failures.Add($"{Prefix}CertificateKeyPath '{options.CertificateKeyPath}' does not exist.");
            }
        }

        for (var i = 0; i < options.CorsOrigins.Count; i++)
        {
            var origin = options.CorsOrigins[i];
            if (origin != "*" && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && origin.TrimEnd('/') == uri.GetLeftPart(UriPartial.Authority)))
            {
                failures.Add($"{Prefix}CorsOrigins:{i} is '{origin}'; use an origin such as https://ops.example.com (scheme, host and port, no path) or *.");
            }
        }

        if (options.ResponseCompression is not (GrpcEndpointOptions.Gzip or GrpcEndpointOptions.Identity))
        {
            failures.Add($"{Prefix}ResponseCompression is '{options.ResponseCompression}'; use gzip or identity.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
