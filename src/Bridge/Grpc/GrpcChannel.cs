using Bridge.Grpc.Internal.Client;

namespace Bridge.Grpc;

/// <summary>
/// A connection pool to one gRPC server over HTTP/2 (h2c prior knowledge for <c>http://</c>, TLS with ALPN for
/// <c>https://</c>), and the entry point for calls. Thread-safe; create one per server and reuse it.
/// </summary>
public sealed class GrpcChannel : IDisposable
{
    internal const string UserAgent = "bridge-grpc-dotnet/1.0";

    private GrpcChannel(Uri address, GrpcChannelOptions options)
    {
        Address = address;
        Options = options;
        var handler = new SocketsHttpHandler
        {
            // More than MaxStreamsPerConnection concurrent calls open another connection instead of queueing.
            EnableMultipleHttp2Connections = true,
            PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
            KeepAlivePingDelay = options.KeepAlivePingDelay,
            KeepAlivePingTimeout = options.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            UseProxy = false,
            AllowAutoRedirect = false,
        };
        options.ConfigureHandler?.Invoke(handler);
        // The default 100 s timeout would kill long-lived streams; deadlines are per call.
        HttpClient = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>The server address.</summary>
    public Uri Address { get; }

    internal GrpcChannelOptions Options { get; }

    internal HttpClient HttpClient { get; }

    /// <summary>Creates a channel to <paramref name="address"/>, e.g. <c>http://127.0.0.1:8081</c>.</summary>
    /// <param name="address">An absolute http or https address. Must not be null.</param>
    /// <param name="options">Channel settings. May be null for the defaults.</param>
    /// <exception cref="ArgumentException">The address is not an absolute http(s) URI.</exception>
    public static GrpcChannel ForAddress(string address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!Uri.TryCreate(address, UriKind.Absolute, out Uri? uri))
        {
            throw new ArgumentException($"gRPC address '{address}' is not an absolute URI.", nameof(address));
        }
        return ForAddress(uri, options);
    }

    /// <summary>Creates a channel to <paramref name="address"/>.</summary>
    /// <param name="address">An absolute http or https address. Must not be null.</param>
    /// <param name="options">Channel settings. May be null for the defaults.</param>
    /// <exception cref="ArgumentException">The address is not an absolute http(s) URI, or an option is invalid.</exception>
    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (!address.IsAbsoluteUri || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"gRPC address '{address}' must be an absolute http:// or https:// URI.", nameof(address));
        }
        options ??= new GrpcChannelOptions();
        if (options.MaxReceiveMessageSize <= 0)
        {
            throw new ArgumentException($"MaxReceiveMessageSize must be positive (got {options.MaxReceiveMessageSize}).", nameof(options));
        }
        if (options.MaxSendMessageSize <= 0)
        {
            throw new ArgumentException($"MaxSendMessageSize must be positive or null (got {options.MaxSendMessageSize}).", nameof(options));
        }
        return new GrpcChannel(address, options);
    }

    /// <summary>Makes a unary call.</summary>
    /// <param name="method">A unary method. Must not be null.</param>
    /// <param name="request">The request. Must not be null.</param>
    /// <param name="options">Headers, deadline and cancellation.</param>
    /// <returns>The response.</returns>
    /// <exception cref="RpcException">The call ended with a status other than OK.</exception>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
    {
        CheckMethod(method, MethodType.Unary);
        ArgumentNullException.ThrowIfNull(request);
        using var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        call.StartUnary(request);
        if (!await call.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            throw new RpcException(StatusCode.Internal, "The server returned no message for a unary call.");
        }
        TResponse response = call.Current;
        if (await call.MoveNext(CancellationToken.None).ConfigureAwait(false))
        {
            throw new RpcException(StatusCode.Internal, "The server returned more than one message for a unary call.");
        }
        return response;
    }

    /// <summary>Starts a server-streaming call.</summary>
    /// <param name="method">A server-streaming method. Must not be null.</param>
    /// <param name="request">The request. Must not be null.</param>
    /// <param name="options">Headers, deadline and cancellation.</param>
    public AsyncServerStreamingCall<TResponse> ServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, TRequest request, CallOptions options = default)
    {
        CheckMethod(method, MethodType.ServerStreaming);
        ArgumentNullException.ThrowIfNull(request);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        try
        {
            call.StartUnary(request);
        }
        catch
        {
            call.Dispose();
            throw;
        }
        return new AsyncServerStreamingCall<TResponse>(call, call);
    }

    /// <summary>Starts a duplex-streaming call.</summary>
    /// <param name="method">A duplex-streaming method. Must not be null.</param>
    /// <param name="options">Headers, deadline and cancellation.</param>
    public AsyncDuplexStreamingCall<TRequest, TResponse> DuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method, CallOptions options = default)
    {
        CheckMethod(method, MethodType.DuplexStreaming);
        var call = new GrpcCall<TRequest, TResponse>(this, method, options);
        DuplexRequestContent content;
        try
        {
            content = call.StartDuplex();
        }
        catch
        {
            call.Dispose();
            throw;
        }
        var writer = new ClientStreamWriter<TRequest, TResponse>(call, content, method.RequestMarshaller, Options.MaxSendMessageSize);
        return new AsyncDuplexStreamingCall<TRequest, TResponse>(writer, call, call);
    }

    /// <summary>Closes the connections; calls still running fail.</summary>
    public void Dispose() => HttpClient.Dispose();

    private static void CheckMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, MethodType expected)
    {
        ArgumentNullException.ThrowIfNull(method);
        if (method.Type != expected)
        {
            throw new ArgumentException($"gRPC method {method.FullName} is {method.Type}, not {expected}.", nameof(method));
        }
    }
}
