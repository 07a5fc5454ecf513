using System.Buffers;
using System.IO.Compression;
using System.IO.Pipelines;
using System.Text;
using Bridge.Grpc.Internal;
using Bridge.Grpc.Tests.Infrastructure;

namespace Bridge.Grpc.Tests.Internal;

public class MessageFramingTests
{
    private static readonly MessageReadOptions Options = new(1024, null);

    [Fact]
    public async Task ReadStreamMessageAsync_FramesSplitAcrossWrites_ReassemblesEveryMessage()
    {
        // Arrange: three frames cut into 3-byte pieces, so headers and payloads are split everywhere.
        byte[] bytes = [.. Frame("alpha"), .. Frame(""), .. Frame("gamma-delta")];
        var pipe = new Pipe();
        Task writer = Task.Run(async () =>
        {
            for (int i = 0; i < bytes.Length; i += 3)
            {
                await pipe.Writer.WriteAsync(bytes.AsMemory(i, Math.Min(3, bytes.Length - i)));
            }
            await pipe.Writer.CompleteAsync();
        });

        // Act
        var messages = new List<string>();
        while (true)
        {
            var (has, message) = await MessageFraming.ReadStreamMessageAsync(pipe.Reader, Options, TestService.StringMarshaller, default);
            if (!has)
            {
                break;
            }
            messages.Add(message);
        }
        await writer;

        // Assert
        Assert.Equal(["alpha", "", "gamma-delta"], messages);
    }

    [Fact]
    public async Task ReadStreamMessageAsync_EndInsideFrame_ThrowsInternalIncomplete()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Frame("hello").AsMemory(0, 7));
        await pipe.Writer.CompleteAsync();

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadStreamMessageAsync(pipe.Reader, Options, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Equal("Incomplete message.", ex.Status.Detail);
    }

    [Fact]
    public async Task ReadStreamMessageAsync_OversizedHeader_ThrowsResourceExhaustedBeforePayloadArrives()
    {
        var pipe = new Pipe();
        byte[] header = new byte[5];
        MessageFraming.WriteHeader(header, 1025);
        await pipe.Writer.WriteAsync(header);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadStreamMessageAsync(pipe.Reader, Options, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_OneFrame_ReturnsMessage()
    {
        PipeReader reader = Body(Frame("only"));

        string message = await MessageFraming.ReadSingleMessageAsync(reader, Options, TestService.StringMarshaller, default);

        Assert.Equal("only", message);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_TrailingBytes_ThrowsInternal()
    {
        PipeReader reader = Body([.. Frame("one"), 0, 0]);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadSingleMessageAsync(reader, Options, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Equal(MessageFraming.AdditionalDataStatus, ex.Status);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_TwoFrames_ThrowsInternal()
    {
        PipeReader reader = Body([.. Frame("one"), .. Frame("two")]);

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadSingleMessageAsync(reader, Options, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(MessageFraming.AdditionalDataStatus, ex.Status);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_EmptyBody_ThrowsInternalNoMessage()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadSingleMessageAsync(Body([]), Options, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(MessageFraming.NoMessageStatus, ex.Status);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_PartialHeader_ThrowsInternalIncomplete()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadSingleMessageAsync(Body([0, 0, 0]), Options, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(MessageFraming.IncompleteMessageStatus, ex.Status);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_OversizedMessage_ThrowsResourceExhausted()
    {
        PipeReader reader = Body(Frame(new string('a', 1025)));

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadSingleMessageAsync(reader, Options, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_GzipCompressedFlag_Decompresses()
    {
        PipeReader reader = Body(RawGrpcClient.Frame(Gzip("compressed hello"), compressed: true));

        string message = await MessageFraming.ReadSingleMessageAsync(reader, Options with { Encoding = "gzip" }, TestService.StringMarshaller, default);

        Assert.Equal("compressed hello", message);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_CompressedFlagWithoutEncoding_ThrowsInternal()
    {
        PipeReader reader = Body(RawGrpcClient.Frame(Gzip("x"), compressed: true));

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadSingleMessageAsync(reader, Options, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Contains("compressed", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_GzipBombOverLimit_ThrowsResourceExhausted()
    {
        PipeReader reader = Body(RawGrpcClient.Frame(Gzip(new string('z', 100_000)), compressed: true));

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadSingleMessageAsync(reader, Options with { Encoding = "gzip" }, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_InvalidGzip_ThrowsInternal()
    {
        PipeReader reader = Body(RawGrpcClient.Frame([1, 2, 3, 4], compressed: true));

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadSingleMessageAsync(reader, Options with { Encoding = "gzip" }, TestService.StringMarshaller, default).AsTask());

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public void TryReadFrame_UnknownFlag_ThrowsInternal()
    {
        var buffer = new ReadOnlySequence<byte>(new byte[] { 2, 0, 0, 0, 0 });

        var ex = Assert.Throws<RpcException>(() => MessageFraming.TryReadFrame(ref buffer, 10, out _, out _));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
    }

    [Fact]
    public void TryReadFrame_IncompleteFrame_ReturnsFalseAndLeavesBuffer()
    {
        var buffer = new ReadOnlySequence<byte>(Frame("abc").AsMemory(0, 6));

        bool read = MessageFraming.TryReadFrame(ref buffer, 10, out _, out _);

        Assert.False(read);
        Assert.Equal(6, buffer.Length);
    }

    [Fact]
    public void WriteMessage_Message_WritesFlagLengthAndPayload()
    {
        var pipe = new Pipe();

        MessageFraming.WriteMessage(pipe.Writer, "hi", TestService.StringMarshaller, new ArrayBufferWriter<byte>(), null);
        pipe.Writer.Complete();
        pipe.Reader.TryRead(out ReadResult result);

        Assert.Equal(new byte[] { 0, 0, 0, 0, 2, (byte)'h', (byte)'i' }, result.Buffer.ToArray());
    }

    [Fact]
    public void FrameMessage_OverSendLimit_ThrowsResourceExhausted()
    {
        var ex = Assert.Throws<RpcException>(() => MessageFraming.FrameMessage("abcdef", TestService.StringMarshaller, new ArrayBufferWriter<byte>(), 5));

        Assert.Equal(MessageFraming.SendingMessageExceedsLimitStatus, ex.Status);
    }

    [Fact]
    public async Task ReadSingleMessageAsync_DeserializerThrows_ThrowsInternal()
    {
        var failing = Marshallers.Create<string>(s => [], _ => throw new FormatException("bad"));

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            MessageFraming.ReadSingleMessageAsync(Body(Frame("x")), Options, failing, default).AsTask());

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.IsType<FormatException>(ex.InnerException);
    }

    private static byte[] Frame(string message) => RawGrpcClient.Frame(Encoding.UTF8.GetBytes(message));

    private static PipeReader Body(byte[] bytes) => PipeReader.Create(new ReadOnlySequence<byte>(bytes));

    internal static byte[] Gzip(string text)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Optimal))
        {
            gzip.Write(Encoding.UTF8.GetBytes(text));
        }
        return output.ToArray();
    }
}
