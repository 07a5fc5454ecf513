namespace Bridge.Grpc;

/// <summary>The shape of a call.</summary>
public enum MethodType
{
    /// <summary>One request, one response.</summary>
    Unary = 0,
    /// <summary>One request, a stream of responses.</summary>
    ServerStreaming = 2,
    /// <summary>A stream of requests and a stream of responses, independent of each other.</summary>
    DuplexStreaming = 3,
}

/// <summary>Describes one gRPC method: its name, shape and marshallers. Shared by client and server.</summary>
/// <typeparam name="TRequest">The request message type.</typeparam>
/// <typeparam name="TResponse">The response message type.</typeparam>
public sealed class Method<TRequest, TResponse>
{
    /// <summary>Creates a method description.</summary>
    /// <param name="type">The call shape.</param>
    /// <param name="serviceName">The fully qualified service name, e.g. <c>bridge.v1.EventBridge</c>. Must not be null or empty.</param>
    /// <param name="name">The method name, e.g. <c>Subscribe</c>. Must not be null or empty.</param>
    /// <param name="requestMarshaller">Request marshaller. Must not be null.</param>
    /// <param name="responseMarshaller">Response marshaller. Must not be null.</param>
    public Method(MethodType type, string serviceName, string name,
        Marshaller<TRequest> requestMarshaller, Marshaller<TResponse> responseMarshaller)
    {
        ArgumentException.ThrowIfNullOrEmpty(serviceName);
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (serviceName.Contains('/', StringComparison.Ordinal) || name.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException($"Service '{serviceName}' and method '{name}' must not contain '/'.", nameof(name));
        }
        if (!Enum.IsDefined(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown method type.");
        }
        Type = type;
        ServiceName = serviceName;
        Name = name;
        RequestMarshaller = requestMarshaller ?? throw new ArgumentNullException(nameof(requestMarshaller));
        ResponseMarshaller = responseMarshaller ?? throw new ArgumentNullException(nameof(responseMarshaller));
        FullName = "/" + serviceName + "/" + name;
    }

    /// <summary>The call shape.</summary>
    public MethodType Type { get; }

    /// <summary>The fully qualified service name, e.g. <c>grpc.health.v1.Health</c>.</summary>
    public string ServiceName { get; }

    /// <summary>The method name, e.g. <c>Check</c>.</summary>
    public string Name { get; }

    /// <summary>The HTTP/2 path, e.g. <c>/grpc.health.v1.Health/Check</c>.</summary>
    public string FullName { get; }

    /// <summary>The request marshaller.</summary>
    public Marshaller<TRequest> RequestMarshaller { get; }

    /// <summary>The response marshaller.</summary>
    public Marshaller<TResponse> ResponseMarshaller { get; }

    /// <inheritdoc />
    public override string ToString() => FullName;
}
