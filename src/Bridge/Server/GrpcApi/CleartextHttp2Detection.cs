using System.Buffers;
using System.IO.Pipelines;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// Lets one cleartext port serve both HTTP/2 with prior knowledge (grpcio, grpc-go, grpc-js and Grpc.Net.Client
/// over <c>http://</c>) and HTTP/1.1 (gRPC-Web from browsers, which never speak cleartext HTTP/2).
/// </summary>
/// <remarks>
/// Kestrel 10 serves a cleartext HTTP/1.1-and-HTTP/2 endpoint as HTTP/1.1 only: without TLS there is no ALPN to
/// choose by. This connection middleware reads (without consuming) the first bytes of each connection; when they
/// are the HTTP/2 client preface, it gives the connection the ALPN result "h2", which is what Kestrel's protocol
/// selection reads, and Kestrel runs HTTP/2 on it. Everything else goes on as HTTP/1.1. The TLS-shaped feature
/// carries no certificate and no handshake, so nothing treats the connection as encrypted; requests keep the
/// <c>http</c> scheme their client sends (see <c>KestrelServerOptions.AllowAlternateSchemes</c>).
/// </remarks>
internal static class CleartextHttp2Detection
{
    private static readonly byte[] Preface = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"u8.ToArray();
    private static readonly ReadOnlyMemory<byte> H2 = "h2"u8.ToArray();

    /// <summary>Adds the detection to <paramref name="listen"/>; a client silent for <paramref name="silence"/> is left to HTTP/1.1's timeouts.</summary>
    public static void Use(ListenOptions listen, TimeSpan silence) => listen.Use(next => async connection =>
    {
        if (await StartsWithPrefaceAsync(connection.Transport.Input, silence, connection.ConnectionClosed).ConfigureAwait(false))
        {
            var feature = new PriorKnowledgeFeature();
            connection.Features.Set<ITlsApplicationProtocolFeature>(feature);
            connection.Features.Set<ITlsConnectionFeature>(feature);
        }

        await next(connection).ConfigureAwait(false);
    });

    /// <summary>True when the connection starts with the HTTP/2 preface; reads as little as tells it apart and consumes nothing.</summary>
    internal static async Task<bool> StartsWithPrefaceAsync(PipeReader input, TimeSpan silence, CancellationToken closed)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(closed);
        timeout.CancelAfter(silence);
        while (true)
        {
            ReadResult result;
            try
            {
                result = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return false;
            }

            var buffer = result.Buffer;
            var length = (int)Math.Min(buffer.Length, Preface.Length);
            var matches = Matches(buffer.Slice(0, length));
            if (!matches || length == Preface.Length || result.IsCompleted || result.IsCanceled)
            {
                input.AdvanceTo(buffer.Start);
                return matches && length == Preface.Length;
            }

            // A prefix of the preface so far: keep every byte for the protocol, but wait for more.
            input.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static bool Matches(ReadOnlySequence<byte> start)
    {
        Span<byte> bytes = stackalloc byte[Preface.Length];
        start.CopyTo(bytes);
        return bytes[..(int)start.Length].SequenceEqual(Preface.AsSpan(0, (int)start.Length));
    }

    /// <summary>What Kestrel's protocol selection reads: a "TLS" connection whose negotiated protocol is h2.</summary>
    private sealed class PriorKnowledgeFeature : ITlsApplicationProtocolFeature, ITlsConnectionFeature
    {
        public ReadOnlyMemory<byte> ApplicationProtocol => H2;

        public X509Certificate2? ClientCertificate { get; set; }

        public Task<X509Certificate2?> GetClientCertificateAsync(CancellationToken cancellationToken) => Task.FromResult<X509Certificate2?>(null);
    }
}
