using System.Net;
using Bridge.Server.Hosting;

namespace Bridge.Server.Tests.Hosting;

public sealed class BridgeEndpointsTests
{
    [Fact]
    public void Ingress_NotRegistered_ThrowsNamingTheEndpoint()
    {
        var error = Assert.Throws<InvalidOperationException>(() => new BridgeEndpoints().Ingress);

        Assert.Contains("No endpoint named 'Ingress'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetAddress_RegisteredButNotBound_Throws()
    {
        var endpoints = new BridgeEndpoints();
        var kestrel = new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions();
        kestrel.Listen(IPAddress.Loopback, 0, listen => endpoints.Register(BridgeEndpoints.IngressName, listen));

        var error = Assert.Throws<InvalidOperationException>(() => endpoints.Ingress);

        Assert.Contains("not bound yet", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetAddress_FixedPort_IsHttpUri()
    {
        var endpoints = new BridgeEndpoints();
        var kestrel = new Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions();
        kestrel.Listen(IPAddress.Loopback, 18080, listen => endpoints.Register("Grpc", listen));

        Assert.Equal(new Uri("http://127.0.0.1:18080/"), endpoints.GetAddress("Grpc"));
        Assert.Equal(["Grpc"], endpoints.Names);
    }
}
