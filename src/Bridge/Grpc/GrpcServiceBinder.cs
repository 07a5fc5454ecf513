using Bridge.Grpc.Internal.Server;

namespace Bridge.Grpc;

/// <summary>Collects the methods of the services that the server routes to.</summary>
public sealed class GrpcServiceBinder
{
    private readonly Dictionary<string, ServerCallHandler> _handlers;
    private readonly GrpcServerRuntime _runtime;

    internal GrpcServiceBinder(Dictionary<string, ServerCallHandler> handlers, GrpcServerRuntime runtime)
    {
        _handlers = handlers;
        _runtime = runtime;
    }

    /// <summary>Adds a unary method.</summary>
    /// <param name="method">The method; must not be null and must be <see cref="MethodType.Unary"/>.</param>
    /// <param name="handler">The handler. Must not be null.</param>
    /// <exception cref="ArgumentException">The method has another type.</exception>
    /// <exception cref="InvalidOperationException">The method was already added.</exception>
    public GrpcServiceBinder AddUnary<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse> handler)
    {
        Check(method, handler, MethodType.Unary);
        return Add(new UnaryServerCallHandler<TRequest, TResponse>(method, handler, _runtime));
    }

    /// <summary>Adds a server-streaming method.</summary>
    /// <param name="method">The method; must not be null and must be <see cref="MethodType.ServerStreaming"/>.</param>
    /// <param name="handler">The handler. Must not be null.</param>
    /// <exception cref="ArgumentException">The method has another type.</exception>
    /// <exception cref="InvalidOperationException">The method was already added.</exception>
    public GrpcServiceBinder AddServerStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        ServerStreamingServerMethod<TRequest, TResponse> handler)
    {
        Check(method, handler, MethodType.ServerStreaming);
        return Add(new ServerStreamingServerCallHandler<TRequest, TResponse>(method, handler, _runtime));
    }

    /// <summary>Adds a duplex-streaming method.</summary>
    /// <param name="method">The method; must not be null and must be <see cref="MethodType.DuplexStreaming"/>.</param>
    /// <param name="handler">The handler. Must not be null.</param>
    /// <exception cref="ArgumentException">The method has another type.</exception>
    /// <exception cref="InvalidOperationException">The method was already added.</exception>
    public GrpcServiceBinder AddDuplexStreaming<TRequest, TResponse>(Method<TRequest, TResponse> method,
        DuplexStreamingServerMethod<TRequest, TResponse> handler)
    {
        Check(method, handler, MethodType.DuplexStreaming);
        return Add(new DuplexStreamingServerCallHandler<TRequest, TResponse>(method, handler, _runtime));
    }

    private GrpcServiceBinder Add(ServerCallHandler handler)
    {
        if (!_handlers.TryAdd(handler.MethodFullName, handler))
        {
            throw new InvalidOperationException($"gRPC method {handler.MethodFullName} is registered twice.");
        }
        return this;
    }

    private static void Check<TRequest, TResponse>(Method<TRequest, TResponse> method, Delegate handler, MethodType expected)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(handler);
        if (method.Type != expected)
        {
            throw new ArgumentException($"gRPC method {method.FullName} is {method.Type}, not {expected}.", nameof(method));
        }
    }
}
