namespace Bridge.Grpc;

/// <summary>Handles a unary call.</summary>
/// <param name="request">The request message; never null.</param>
/// <param name="context">The call context; never null.</param>
/// <returns>The response message; must not be null. Throw <see cref="RpcException"/> to end with another status.</returns>
public delegate Task<TResponse> UnaryServerMethod<TRequest, TResponse>(TRequest request, ServerCallContext context);

/// <summary>Handles a server-streaming call. Returning ends the call with OK.</summary>
/// <param name="request">The request message; never null.</param>
/// <param name="responseStream">Where responses are written; never null.</param>
/// <param name="context">The call context; never null.</param>
public delegate Task ServerStreamingServerMethod<TRequest, TResponse>(TRequest request,
    IServerStreamWriter<TResponse> responseStream, ServerCallContext context);

/// <summary>
/// Handles a duplex-streaming call. Reading and writing are independent and may run as two loops, but
/// the handler must not return while either loop still runs (the request is recycled afterwards).
/// </summary>
/// <param name="requestStream">The client's messages; <c>MoveNext</c> returns false after its half-close. Never null.</param>
/// <param name="responseStream">Where responses are written; never null.</param>
/// <param name="context">The call context; never null.</param>
public delegate Task DuplexStreamingServerMethod<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
    IServerStreamWriter<TResponse> responseStream, ServerCallContext context);

/// <summary>A gRPC service: declares its methods to a <see cref="GrpcServiceBinder"/>.</summary>
public interface IGrpcService
{
    /// <summary>Adds the service's methods.</summary>
    /// <param name="binder">The binder. Never null.</param>
    void Bind(GrpcServiceBinder binder);
}
