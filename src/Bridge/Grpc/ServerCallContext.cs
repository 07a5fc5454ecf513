using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bridge.Grpc.Internal;
using Microsoft.AspNetCore.Http;

namespace Bridge.Grpc;

/// <summary>What a server handler knows about its call.</summary>
public sealed class ServerCallContext
{
    private readonly object _headersLock = new();

    internal ServerCallContext(HttpContext httpContext, string method, Metadata requestHeaders, DateTime? deadline,
        CancellationToken cancellationToken)
    {
        HttpContext = httpContext;
        Method = method;
        RequestHeaders = requestHeaders;
        Deadline = deadline;
        CancellationToken = cancellationToken;
    }

    /// <summary>The full method name, e.g. <c>/grpc.health.v1.Health/Check</c>.</summary>
    public string Method { get; }

    /// <summary>Custom request metadata (protocol headers such as grpc-timeout are not included).</summary>
    public Metadata RequestHeaders { get; }

    /// <summary>The client's deadline in UTC, or null when the client set none.</summary>
    public DateTime? Deadline { get; }

    /// <summary>
    /// Fires when the client goes away (cancel, reset, disconnect), the deadline passes, or the server
    /// starts shutting down. Pass it to everything the handler awaits.
    /// </summary>
    public CancellationToken CancellationToken { get; }

    /// <summary>Trailing metadata sent with the status. Add to it any time before the handler returns.</summary>
    public Metadata ResponseTrailers { get; } = new();

    /// <summary>The client's address, e.g. <c>ipv4:127.0.0.1:51234</c> or <c>ipv6:[::1]:51234</c>.</summary>
    public string Peer => FormatPeer(HttpContext.Connection.RemoteIpAddress, HttpContext.Connection.RemotePort);

    /// <summary>The underlying ASP.NET Core request, for what this context does not expose.</summary>
    public HttpContext HttpContext { get; }

    /// <summary>True once response headers or a message have been written (the status then goes in trailers).</summary>
    internal bool ResponseStarted { get; private set; }

    internal void MarkResponseStarted() => ResponseStarted = true;

    /// <summary>
    /// Sends the response headers now, with optional custom metadata, instead of with the first message.
    /// Useful when the first message of a stream may take a while.
    /// </summary>
    /// <param name="responseHeaders">Custom headers to send. May be null.</param>
    /// <exception cref="InvalidOperationException">Headers were already sent.</exception>
    public async Task WriteResponseHeadersAsync(Metadata? responseHeaders = null)
    {
        lock (_headersLock)
        {
            if (ResponseStarted || HttpContext.Response.HasStarted)
            {
                throw new InvalidOperationException("Response headers have already been sent for this call.");
            }
            if (responseHeaders is not null)
            {
                MetadataHeaders.AppendTo(HttpContext.Response.Headers, responseHeaders);
            }
            ResponseStarted = true;
        }
        await HttpContext.Response.StartAsync(CancellationToken).ConfigureAwait(false);

        // On HTTP/2 Kestrel keeps started headers buffered until the first body flush; a stream that has
        // no message to send yet (an idle subscription) must still tell the client it was accepted.
        await HttpContext.Response.BodyWriter.FlushAsync(CancellationToken).ConfigureAwait(false);
    }

    internal static string FormatPeer(IPAddress? address, int port)
    {
        if (address is null)
        {
            return "unknown";
        }
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }
        return address.AddressFamily == AddressFamily.InterNetworkV6
            ? string.Create(CultureInfo.InvariantCulture, $"ipv6:[{address}]:{port}")
            : string.Create(CultureInfo.InvariantCulture, $"ipv4:{address}:{port}");
    }
}
