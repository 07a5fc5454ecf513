using System.Net;
using Bridge.Grpc;
using Bridge.Server.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// Adds the gRPC endpoint to Kestrel: HTTP/2 only on <c>Grpc:BindAddress</c>:<c>Grpc:Port</c> (h2c, or TLS
/// with ALPN h2 when <c>Grpc:CertificatePath</c> is set), registered in <see cref="BridgeEndpoints"/> as
/// <see cref="EndpointName"/> so its bound address is known with port 0.
/// </summary>
/// <remarks>
/// Cleartext <c>Http1AndHttp2</c> would serve HTTP/1.1 only, so gRPC keeps a port of its own and the
/// ingress stays on its HTTP/1.1 port.
/// </remarks>
internal sealed class GrpcKestrelSetup(IOptions<GrpcServerOptions> grpc, IOptions<GrpcEndpointOptions> endpoint, BridgeEndpoints endpoints)
    : IConfigureOptions<KestrelServerOptions>
{
    /// <summary>The endpoint's name in <see cref="BridgeEndpoints"/>.</summary>
    public const string EndpointName = "Grpc";

    public void Configure(KestrelServerOptions kestrel)
    {
        var options = grpc.Value;
        // These HTTP/2 limits are server-wide; the ingress speaks HTTP/1.1 and is not affected.
        kestrel.Limits.Http2.MaxStreamsPerConnection = options.MaxStreamsPerConnection;
        kestrel.Limits.Http2.KeepAlivePingDelay = options.KeepAlivePingDelay;
        kestrel.Limits.Http2.KeepAlivePingTimeout = options.KeepAlivePingTimeout;
        var certificate = GrpcKestrelExtensions.LoadCertificate(options);
        kestrel.Listen(IPAddress.Parse(endpoint.Value.BindAddress), options.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            if (certificate is not null)
            {
                listen.UseHttps(certificate);
            }

            endpoints.Register(EndpointName, listen);
        });
    }
}
