using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Bridge.Server.GrpcApi;

namespace Bridge.Server.Tests.GrpcApi;

public sealed class CleartextHttp2DetectionTests
{
    private const string Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

    [Theory]
    [InlineData(Preface + "\0\0\0\x04\0\0\0\0\0", true)]
    [InlineData(Preface, true)]
    [InlineData("POST /bridge.v1.EventBridge/Publish HTTP/1.1\r\nHost: bridge\r\n\r\n", false)]
    [InlineData("PRI * HTTP/1.1\r\n", false)]
    [InlineData("GET / HTTP/1.1\r\n\r\n", false)]
    public async Task StartsWithPreface_WholeStart_TellsHttp2FromHttp11AndConsumesNothing(string start, bool expected)
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(start));

        var h2 = await CleartextHttp2Detection.StartsWithPrefaceAsync(pipe.Reader, TimeSpan.FromSeconds(10), CancellationToken.None);

        Assert.Equal(expected, h2);
        Assert.Equal(start, await ReadAllAvailableAsync(pipe, start.Length));
    }

    [Fact]
    public async Task StartsWithPreface_PrefaceInPieces_WaitsForTheWholePreface()
    {
        var pipe = new Pipe();
        var detection = CleartextHttp2Detection.StartsWithPrefaceAsync(pipe.Reader, TimeSpan.FromSeconds(10), CancellationToken.None);

        foreach (var piece in new[] { "PRI * HT", "TP/2.0\r\n\r\nS", "M\r\n\r\n" })
        {
            Assert.False(detection.IsCompleted, "decided before the whole preface arrived");
            await pipe.Writer.WriteAsync(Encoding.ASCII.GetBytes(piece));
        }

        Assert.True(await detection.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(Preface, await ReadAllAvailableAsync(pipe, Preface.Length));
    }

    [Fact]
    public async Task StartsWithPreface_ClientSilent_Http11AfterTheTimeout()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("PRI"u8.ToArray());

        var h2 = await CleartextHttp2Detection.StartsWithPrefaceAsync(pipe.Reader, TimeSpan.FromMilliseconds(100), CancellationToken.None)
            .WaitAsync(TimeSpan.FromSeconds(10));

        // Nothing was consumed: what the client sends next arrives after the bytes it sent before.
        await pipe.Writer.WriteAsync(" / HTTP/1.1"u8.ToArray());
        Assert.False(h2);
        Assert.Equal("PRI / HTTP/1.1", await ReadAllAvailableAsync(pipe, 14));
    }

    [Fact]
    public async Task StartsWithPreface_ConnectionEndsEarly_Http11()
    {
        var pipe = new Pipe();
        await pipe.Writer.WriteAsync("PRI * HTTP/2"u8.ToArray());
        await pipe.Writer.CompleteAsync();

        Assert.False(await CleartextHttp2Detection.StartsWithPrefaceAsync(pipe.Reader, TimeSpan.FromSeconds(10), CancellationToken.None));
    }

    private static async Task<string> ReadAllAvailableAsync(Pipe pipe, int length)
    {
        var result = await pipe.Reader.ReadAsync();
        var text = Encoding.ASCII.GetString(result.Buffer.Slice(0, Math.Min(length, result.Buffer.Length)).ToArray());
        pipe.Reader.AdvanceTo(result.Buffer.End);
        return text;
    }
}
