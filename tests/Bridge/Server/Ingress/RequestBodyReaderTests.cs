using System.IO.Pipelines;
using Bridge.Server.Ingress;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;

namespace Bridge.Server.Tests.Ingress;

public sealed class RequestBodyReaderTests
{
    [Fact]
    public async Task ReadAsync_BodyWithinLimit_ReturnsAllBytes()
    {
        var bytes = Enumerable.Range(0, 10_000).Select(i => (byte)i).ToArray();

        using var body = await RequestBodyReader.ReadAsync(Request(bytes, declareLength: false), 10_000, CancellationToken.None);

        Assert.True(body.IsWithinLimit);
        Assert.Equal(bytes, body.Span.ToArray());
    }

    [Fact]
    public async Task ReadAsync_DeclaredLengthOverLimit_RejectsWithoutReading()
    {
        var request = Request(new byte[10], declareLength: false);
        request.ContentLength = 1_000_000;

        using var body = await RequestBodyReader.ReadAsync(request, 100, CancellationToken.None);

        Assert.False(body.IsWithinLimit);
        Assert.Equal(0, request.Body.Position);
    }

    [Fact]
    public async Task ReadAsync_UndeclaredBodyOverLimit_Rejects()
    {
        using var body = await RequestBodyReader.ReadAsync(Request(new byte[101], declareLength: false), 100, CancellationToken.None);

        Assert.False(body.IsWithinLimit);
        Assert.Equal(-1, body.Length);
        Assert.True(body.Span.IsEmpty);
    }

    [Fact]
    public async Task ReadAsync_EmptyBody_IsEmpty()
    {
        using var body = await RequestBodyReader.ReadAsync(Request([], declareLength: true), 100, CancellationToken.None);

        Assert.True(body.IsWithinLimit);
        Assert.Equal(0, body.Length);
    }

    [Fact]
    public async Task ReadAsync_Canceled_Throws()
    {
        using var cancellation = new CancellationTokenSource();
        var pipe = new Pipe();
        var context = new DefaultHttpContext();
        context.Features.Set<IRequestBodyPipeFeature>(new BodyPipe(pipe.Reader));
        var reading = RequestBodyReader.ReadAsync(context.Request, 100, cancellation.Token).AsTask();

        await cancellation.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reading);
    }

    private static HttpRequest Request(byte[] bytes, bool declareLength)
    {
        var context = new DefaultHttpContext();
        context.Request.Body = new MemoryStream(bytes);
        if (declareLength)
        {
            context.Request.ContentLength = bytes.Length;
        }

        return context.Request;
    }

    private sealed class BodyPipe(PipeReader reader) : IRequestBodyPipeFeature
    {
        public PipeReader Reader { get; } = reader;
    }
}
