using System.Net;
using Bridge.Server.Tests.Hosting;

namespace Bridge.Server.Tests.Ingress;

public sealed class IngressEndpointsTests(IngressHostFixture fixture) : IClassFixture<IngressHostFixture>
{
    private BridgeTestServer Server => fixture.Server;

    [Theory]
    [InlineData("GET", "/v1/flagger/events", "POST")]
    [InlineData("PUT", "/v1/flagger/hooks/confirm-rollout", "POST")]
    [InlineData("DELETE", "/v1/events", "POST")]
    [InlineData("POST", "/healthz", "GET")]
    [InlineData("POST", "/readyz", "GET")]
    [InlineData("DELETE", "/metrics", "GET")]
    public async Task MapBridgeIngress_WrongMethod_405WithAllow(string method, string path, string allowed)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);

        var response = await fixture.AssertNothingPublishedAsync(() => Server.Client.SendAsync(request));

        var problem = await BridgeTestServer.ReadProblemAsync(response, 405);
        Assert.Equal([allowed], response.Content.Headers.Allow);
        Assert.Contains($"accepts only {allowed}", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/v1/flagger")]
    [InlineData("/v1/flagger/hooks/a/b")]
    [InlineData("/favicon.ico")]
    public async Task MapBridgeIngress_UnknownPath_404ProblemListingRoutes(string path)
    {
        var problem = await BridgeTestServer.ReadProblemAsync(await Server.Client.GetAsync(path), 404);

        Assert.Contains("POST /v1/flagger/events", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MapBridgeIngress_AnyResponse_HasNoServerHeader()
    {
        var response = await Server.Client.GetAsync("/healthz");

        Assert.Empty(response.Headers.Server);
    }
}
