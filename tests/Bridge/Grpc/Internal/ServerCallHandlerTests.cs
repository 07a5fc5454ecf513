using System.Net;
using System.Text;
using Bridge.Grpc.Tests.Infrastructure;

namespace Bridge.Grpc.Tests.Internal;

/// <summary>The server's wire behaviour, checked with hand-made requests over real HTTP/2.</summary>
public sealed class ServerCallHandlerTests : IAsyncLifetime
{
    private readonly RawGrpcClient _raw = new();
    private GrpcTestHost _host = null!;

    public async Task InitializeAsync() => _host = await GrpcTestHost.StartAsync(o => o.MaxReceiveMessageSize = 64 * 1024, withHttp1Endpoint: true);

    public async Task DisposeAsync()
    {
        _raw.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task HandleCallAsync_UnaryOk_SendsMessageThenTrailers()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", Frame("hi"),
            headers: [new("x-echo", "v")]);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.ContentType);
        Assert.Equal(Frame("hi"), response.Body);
        Assert.Equal("0", response.Trailers["grpc-status"]);
        Assert.Equal("v", response.Trailers["x-echo"]);
        Assert.False(response.Headers.ContainsKey("grpc-status"));
    }

    [Fact]
    public async Task HandleCallAsync_ErrorBeforeAnyMessage_SendsTrailersOnlyWithEncodedMessage()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Fail", Frame("10|" + TestService.UnicodeDetail));

        Assert.True(response.IsTrailersOnly);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/grpc", response.ContentType);
        Assert.Equal("10", response.Headers["grpc-status"]);
        Assert.Equal("%E2%80%94 %C3%BCn%C3%AFc%C3%B6d%C3%A9%0A100%25", response.Headers["grpc-message"]);
        Assert.Equal("test", response.Headers["x-reason"]);
    }

    [Fact]
    public async Task HandleCallAsync_ErrorAfterMessages_SendsStatusInTrailers()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/FailAfter", Frame("2"));

        Assert.Equal([.. Frame("0"), .. Frame("1")], response.Body);
        Assert.Equal("10", response.Trailers["grpc-status"]);
        Assert.False(response.Headers.ContainsKey("grpc-status"));
    }

    [Fact]
    public async Task HandleCallAsync_UnknownMethod_SendsTrailersOnlyUnimplemented()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Nope", Frame("x"));

        Assert.True(response.IsTrailersOnly);
        Assert.Equal("12", response.Headers["grpc-status"]);
    }

    [Fact]
    public async Task HandleCallAsync_UnknownPathWithoutGrpcContentType_FallsThroughPipeline()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/somewhere", [], contentType: "text/plain");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Null(response.GrpcStatus);
    }

    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/grpcx")]
    [InlineData(null)]
    public async Task HandleCallAsync_WrongContentType_Returns415WithInternal(string? contentType)
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", Frame("x"), contentType: contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("13", response.Headers["grpc-status"]);
    }

    [Theory]
    [InlineData("application/grpc+proto")]
    [InlineData("application/grpc; charset=utf-8")]
    public async Task HandleCallAsync_GrpcContentTypeVariants_Accepted(string contentType)
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", Frame("x"), contentType: contentType);

        Assert.Equal("0", response.GrpcStatus);
    }

    [Fact]
    public async Task HandleCallAsync_NotPost_Returns405()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", Frame("x"), method: HttpMethod.Put);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("13", response.Headers["grpc-status"]);
    }

    [Fact]
    public async Task HandleCallAsync_Http11ToHttp2OnlyPort_KestrelAnswers400()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", Frame("x"), version: HttpVersion.Version11);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task HandleCallAsync_Http11OnSharedPipeline_Returns426()
    {
        RawResponse response = await _raw.SendAsync(_host.Http1Address!, "/test.Test/Echo", Frame("x"), version: HttpVersion.Version11);

        Assert.Equal(HttpStatusCode.UpgradeRequired, response.StatusCode);
        Assert.Equal("13", response.Headers["grpc-status"]);
    }

    [Fact]
    public async Task HandleCallAsync_GzipCompressedRequest_IsDecompressed()
    {
        string text = new('g', 50_000);
        byte[] body = RawGrpcClient.Frame(MessageFramingTests.Gzip(text), compressed: true);

        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", body, headers: [new("grpc-encoding", "gzip")]);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal(Frame(text), response.Body);
    }

    [Fact]
    public async Task HandleCallAsync_UnknownEncoding_UnimplementedWithAcceptEncoding()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", Frame("x"), headers: [new("grpc-encoding", "br")]);

        Assert.True(response.IsTrailersOnly);
        Assert.Equal("12", response.Headers["grpc-status"]);
        Assert.Equal("identity,gzip", response.Headers["grpc-accept-encoding"]);
    }

    [Fact]
    public async Task HandleCallAsync_CompressedFlagWithIdentity_Internal()
    {
        byte[] body = RawGrpcClient.Frame(MessageFramingTests.Gzip("x"), compressed: true);

        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", body);

        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task HandleCallAsync_TrailingBytes_Internal()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", [.. Frame("x"), 1, 2]);

        Assert.True(response.IsTrailersOnly);
        Assert.Equal("13", response.GrpcStatus);
        Assert.Equal("Additional data after the message received.", response.GrpcMessage);
    }

    [Fact]
    public async Task HandleCallAsync_EmptyBody_Internal()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", []);

        Assert.Equal("13", response.GrpcStatus);
    }

    [Fact]
    public async Task HandleCallAsync_MessageOverReceiveLimit_ResourceExhausted()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", Frame(new string('a', 64 * 1024 + 1)));

        Assert.Equal("8", response.GrpcStatus);
    }

    [Fact]
    public async Task HandleCallAsync_InvalidTimeout_Internal()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", Frame("x"), headers: [new("grpc-timeout", "5x")]);

        Assert.Equal("13", response.GrpcStatus);
        Assert.Contains("grpc-timeout", response.GrpcMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task HandleCallAsync_TimeoutWithoutClientTimer_ServerSendsDeadlineExceeded()
    {
        var started = DateTime.UtcNow;

        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/WaitForCancel", Frame("x"), headers: [new("grpc-timeout", "200m")]);

        Assert.Equal("4", response.GrpcStatus);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromMilliseconds(190), TimeSpan.FromSeconds(5));
        Assert.NotNull(_host.Service.LastDeadline);
    }

    [Fact]
    public async Task HandleCallAsync_UnpaddedBinaryMetadata_Decoded()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Echo", Frame("x"), headers: [new("x-data-bin", "AAEC/w")]);

        Assert.Equal("0", response.GrpcStatus);
        Assert.Equal("AAEC/w==", response.Trailers["x-data-bin"]);
    }

    [Fact]
    public async Task HandleCallAsync_HandlerThrows_UnknownWithoutDetailAndLogged()
    {
        RawResponse response = await _raw.SendAsync(_host.Address, "/test.Test/Throw", Frame("x"));

        Assert.Equal("2", response.GrpcStatus);
        Assert.Equal("Exception was thrown by handler.", response.GrpcMessage);
        Assert.DoesNotContain("secret", response.GrpcMessage, StringComparison.Ordinal);
        var logged = Assert.Single(_host.Logs.Errors);
        Assert.Equal(204, logged.EventId.Id);
        Assert.IsType<InvalidOperationException>(logged.Exception);
    }

    [Fact]
    public async Task HandleCallAsync_ResponseOverSendLimit_ResourceExhausted()
    {
        await using GrpcTestHost host = await GrpcTestHost.StartAsync(o => o.MaxSendMessageSize = 1000);

        RawResponse response = await _raw.SendAsync(host.Address, "/test.Test/Big", Frame("1001"));

        Assert.Equal("8", response.GrpcStatus);
        Assert.True(response.IsTrailersOnly);
    }

    private static byte[] Frame(string text) => RawGrpcClient.Frame(Encoding.UTF8.GetBytes(text));
}
