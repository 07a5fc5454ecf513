using System.Net;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bridge.Grpc;

/// <summary>Kestrel endpoint setup for gRPC.</summary>
public static class GrpcKestrelExtensions
{
    /// <summary>
    /// Listens on <see cref="GrpcServerOptions.Port"/> with HTTP/2 only: cleartext h2c with prior knowledge, or
    /// HTTP/2 over TLS (ALPN h2) when <see cref="GrpcServerOptions.CertificatePath"/> is set. Also raises
    /// the HTTP/2 stream limit and sets keep-alive pings; these limits apply to the whole server.
    /// </summary>
    /// <param name="kestrel">The Kestrel options. Must not be null.</param>
    /// <param name="options">The gRPC options. Must not be null.</param>
    /// <param name="address">The address to bind; null binds every interface.</param>
    /// <remarks>
    /// Cleartext <c>Http1AndHttp2</c> would serve HTTP/1.1 only, so gRPC needs a port of its own; serve REST
    /// on another endpoint.
    /// </remarks>
    public static KestrelServerOptions ListenGrpc(this KestrelServerOptions kestrel, GrpcServerOptions options, IPAddress? address = null)
    {
        ArgumentNullException.ThrowIfNull(kestrel);
        ArgumentNullException.ThrowIfNull(options);
        kestrel.Limits.Http2.MaxStreamsPerConnection = options.MaxStreamsPerConnection;
        kestrel.Limits.Http2.KeepAlivePingDelay = options.KeepAlivePingDelay;
        kestrel.Limits.Http2.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
        X509Certificate2? certificate = LoadCertificate(options);
        void Configure(Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions listen)
        {
            listen.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }
        }
        if (address is null)
        {
            kestrel.ListenAnyIP(options.Port, Configure);
        }
        else
        {
            kestrel.Listen(address, options.Port, Configure);
        }
        return kestrel;
    }

    internal static X509Certificate2? LoadCertificate(GrpcServerOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.CertificatePath))
        {
            return null;
        }
        try
        {
            if (!string.IsNullOrWhiteSpace(options.CertificateKeyPath))
            {
                return string.IsNullOrEmpty(options.CertificatePassword)
                    ? X509Certificate2.CreateFromPemFile(options.CertificatePath, options.CertificateKeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(options.CertificatePath, options.CertificatePassword, options.CertificateKeyPath);
            }
            return X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath, options.CertificatePassword);
        }
        catch (System.Security.Cryptography.CryptographicException ex)
        {
            throw new InvalidOperationException(
                $"{GrpcServerOptions.SectionName}:{nameof(GrpcServerOptions.CertificatePath)} '{options.CertificatePath}' could not be loaded: {ex.Message}", ex);
        }
    }
}
