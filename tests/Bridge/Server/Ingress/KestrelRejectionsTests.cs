using System.Text;
using Bridge.Server.Ingress;
using Bridge.Server.Tests.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bridge.Server.Tests.Ingress;

/// <summary>
/// Requests Kestrel itself rejects before any route runs (request line or headers too large, malformed,
/// too slow) are answered with problem details like every other answer, checked on the raw socket.
/// </summary>
public sealed class KestrelRejectionsTests(IngressHostFixture fixture) : IClassFixture<IngressHostFixture>
{
    private BridgeTestServer Server => fixture.Server;

    [Fact]
    public async Task RequestLineTooLong_414ProblemNamingTheLimit()
    {
        var response = await RawHttp.SendAsync(Server.Address, $"GET /healthz?pad={new string('a', 10_000)} HTTP/1.1\r\nHost: bridge\r\n\r\n");

        var problem = response.Problem(414);
        Assert.Equal("URI Too Long", problem.GetProperty("title").GetString());
        Assert.Contains("8192 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("close", response.Header("Connection"));
    }

    [Fact]
    public async Task HeadersTooLarge_431ProblemNamingTheLimit()
    {
        var response = await RawHttp.SendAsync(Server.Address, $"GET /healthz HTTP/1.1\r\nHost: bridge\r\nX-Pad: {new string('b', 40_000)}\r\n\r\n");

        var problem = response.Problem(431);
        Assert.Equal("Request Header Fields Too Large", problem.GetProperty("title").GetString());
        Assert.Contains("32768 bytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task TooManyHeaders_431Problem()
    {
        var headers = string.Concat(Enumerable.Range(0, 150).Select(i => $"X-H{i}: v\r\n"));

        var response = await RawHttp.SendAsync(Server.Address, $"GET /healthz HTTP/1.1\r\nHost: bridge\r\n{headers}\r\n");

        Assert.Contains("100 headers", response.Problem(431).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MalformedRequestLine_400Problem()
    {
        var response = await RawHttp.SendAsync(Server.Address, "GET /healthz HTTP/1.1 extra\r\nHost: bridge\r\n\r\n");

        var problem = response.Problem(400);
        Assert.Equal("Bad Request", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task RejectionAfterAnsweredRequest_SameConnection_Problem()
    {
        // The second response follows the first in the connection's output buffer.
        var head = "GET /healthz HTTP/1.1\r\nHost: bridge\r\n\r\n" + $"GET /healthz?pad={new string('c', 10_000)} HTTP/1.1\r\nHost: bridge\r\n\r\n";

        var responses = await RawHttp.SendManyAsync(Server.Address, head, count: 2);

        Assert.Equal(200, responses[0].Status);
        Assert.Equal("ok", responses[0].Body);
        responses[1].Problem(414);
    }

    [Fact]
    public async Task ValidRequest_Unchanged()
    {
        var response = await RawHttp.SendAsync(Server.Address, "GET /nowhere HTTP/1.1\r\nHost: bridge\r\nConnection: close\r\n\r\n");

        Assert.Contains("No route for GET /nowhere", response.Problem(404).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task HeadersNotSentInTime_408Problem()
    {
        await using var server = await BridgeTestServer.StartAsync(
            new Dictionary<string, string?> { ["Kafka:EmbeddedBrokers"] = "1" },
            builder => builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(1)));

        var response = await RawHttp.SendAsync(server.Address, "GET /healthz HTTP/1.1\r\nHost: bridge\r\n", timeout: TimeSpan.FromSeconds(15));

        var problem = response.Problem(408);
        Assert.Equal("Request Timeout", problem.GetProperty("title").GetString());
        Assert.Contains("00:00:01", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BodyTooSlow_408ProblemTitledRequestTimeout()
    {
        await using var server = await BridgeTestServer.StartAsync(
            new Dictionary<string, string?> { ["Kafka:EmbeddedBrokers"] = "1" },
            builder => builder.WebHost.ConfigureKestrel(kestrel =>
                kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 240, gracePeriod: TimeSpan.FromSeconds(2))));
        var head = "POST /v1/flagger/events HTTP/1.1\r\nHost: bridge\r\nContent-Type: application/json\r\nContent-Length: 500\r\n\r\n";

        var response = await RawHttp.SendAsync(server.Address, head, Encoding.ASCII.GetBytes("{\"name\":"), TimeSpan.FromSeconds(15));

        var problem = response.Problem(408);
        Assert.Equal("Request Timeout", problem.GetProperty("title").GetString());
        Assert.Equal("https://www.rfc-editor.org/rfc/rfc9110#section-15.5.9", problem.GetProperty("type").GetString());
    }

    [Fact]
    public void Rewrite_KestrelRejectionHead_ProblemResponseKeepingItsHeaders()
    {
        var head = "HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Length: 0\r\nConnection: close\r\nDate: Mon, 01 Dec 2026 10:00:00 GMT\r\n\r\n"u8;

        var rewritten = KestrelRejections.Rewrite(head, new KestrelServerLimits());

        Assert.NotNull(rewritten);
        Assert.True(RawResponse.TryParse(rewritten, out var response, out var length));
        Assert.Equal(rewritten.Length, length);
        Assert.Equal("close", response.Header("Connection"));
        Assert.Equal("Mon, 01 Dec 2026 10:00:00 GMT", response.Header("Date"));
        Assert.Equal("no-store", response.Header("Cache-Control"));
        Assert.StartsWith("HTTP/1.1 431 Request Header Fields Too Large\r\n", Encoding.ASCII.GetString(rewritten), StringComparison.Ordinal);
        response.Problem(431);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n")]
    [InlineData("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nContent-Type: application/problem+json\r\n\r\n")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 10\r\n\r\n")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nTransfer-Encoding: chunked\r\n\r\n")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n")]
    [InlineData("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n{}")]
    [InlineData("{\"detail\":\"HTTP/1.1 400\"}")]
    [InlineData("")]
    public void Rewrite_AnythingElse_Null(string written) =>
        Assert.Null(KestrelRejections.Rewrite(Encoding.ASCII.GetBytes(written), new KestrelServerLimits()));

    [Theory]
    [InlineData(400, "could not be parsed")]
    [InlineData(408, "00:00:30")]
    [InlineData(414, "8192 bytes")]
    [InlineData(431, "32768 bytes in total, or more than 100 headers")]
    [InlineData(505, "HTTP/1.1")]
    [InlineData(499, "(Client Closed Request)")]
    public void DetailOf_Status_SaysWhatToDoNamingTheLimitInForce(int status, string expected) =>
        Assert.Contains(expected, KestrelRejections.DetailOf(status, new KestrelServerLimits()), StringComparison.Ordinal);
}
