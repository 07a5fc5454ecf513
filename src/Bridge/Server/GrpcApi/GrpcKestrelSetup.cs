using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bridge.Server.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// Adds the gRPC endpoint to Kestrel on <c>Grpc:BindAddress</c>:<c>Grpc:Port</c>, serving HTTP/2 (native gRPC) and
/// HTTP/1.1 (gRPC-Web from browsers) on the one port: over TLS by ALPN when <c>Grpc:CertificatePath</c> is set, in
/// cleartext by recognising the HTTP/2 connection preface (<see cref="CleartextHttp2Detection"/>). Registered in
/// <see cref="BridgeEndpoints"/> as <see cref="EndpointName"/> so its bound address is known with port 0.
/// </summary>
internal sealed class GrpcKestrelSetup(IOptions<GrpcEndpointOptions> options, BridgeEndpoints endpoints)
    : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>The endpoint's name in <see cref="BridgeEndpoints"/>.</summary>
    public const string EndpointName = "Grpc";

    public void Configure(KestrelServerOptions kestrel)
    {
        var grpc = options.Value;
        // These HTTP/2 limits are server-wide; the ingress speaks HTTP/1.1 and is not affected.
        kestrel.Limits.Http2.MaxStreamsPerConnection = grpc.MaxStreamsPerConnection;
        kestrel.Limits.Http2.KeepAlivePingDelay = grpc.KeepAlivePingDelay;
        kestrel.Limits.Http2.KeepAlivePingTimeout = grpc.KeepAlivePingTimeout;
        var certificate = LoadCertificate(grpc);
        if (certificate is null)
        {
            // Cleartext HTTP/2 clients send :scheme http while the detected connection looks like TLS to Kestrel.
            kestrel.AllowAlternateSchemes = true;
        }

        kestrel.Listen(IPAddress.Parse(grpc.BindAddress), grpc.Port, listen =>
        {
            if (certificate is not null)
            {
                listen.Protocols = HttpProtocols.Http1AndHttp2;
                listen.UseHttps(certificate);
            }
            else
            {
                // Protocols stays at Kestrel's default (HTTP/1.1 and HTTP/2): set explicitly, Kestrel would warn that
                // cleartext connections use HTTP/1.1 only, which the detection makes untrue.
                CleartextHttp2Detection.Use(listen, kestrel.Limits.KeepAliveTimeout);
            }

            endpoints.Register(EndpointName, listen);
        });
    }

    internal static X509Certificate2? LoadCertificate(GrpcEndpointOptions options)
    {
        if (!options.IsTls)
        {
            return null;
        }

        try
        {
            if (!string.IsNullOrWhiteSpace(options.CertificateKeyPath))
            {
                return string.IsNullOrEmpty(options.CertificatePassword)
                    ? X509Certificate2.CreateFromPemFile(options.CertificatePath!, options.CertificateKeyPath)
                    : X509Certificate2.CreateFromEncryptedPemFile(options.CertificatePath!, options.CertificatePassword, options.CertificateKeyPath);
            }

            return X509CertificateLoader.LoadPkcs12FromFile(options.CertificatePath!, options.CertificatePassword);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException(
                $"{GrpcEndpointOptions.SectionName}:CertificatePath '{options.CertificatePath}' could not be loaded: {e.Message}", e);
        }
    }
}
