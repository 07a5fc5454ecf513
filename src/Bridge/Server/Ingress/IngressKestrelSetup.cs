using System.Net;
using Bridge.Server.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Ingress;

/// <summary>
/// Adds the ingress endpoint to Kestrel: HTTP/1.1 on <c>Ingress:BindAddress</c>:<c>Ingress:Port</c>, with
/// problem details for the requests Kestrel itself rejects (<see cref="KestrelRejections"/>).
/// </summary>
internal sealed class IngressKestrelSetup(IOptions<IngressOptions> options, BridgeEndpoints endpoints) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions kestrel)
    {
        var ingress = options.Value;
        kestrel.Listen(IPAddress.Parse(ingress.BindAddress), ingress.Port, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.UseProblemDetailsForRejections(kestrel.Limits);
            endpoints.Register(BridgeEndpoints.IngressName, listen);
        });
    }
}
