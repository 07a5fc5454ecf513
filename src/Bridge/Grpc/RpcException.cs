namespace Bridge.Grpc;

/// <summary>
/// A call ended with a non-OK <see cref="Status"/>. Thrown by clients when a call fails, and thrown by
/// server handlers to end a call with a chosen status and trailers.
/// </summary>
public sealed class RpcException : Exception
{
    /// <summary>Creates an exception carrying <paramref name="status"/> and no trailers.</summary>
    /// <param name="status">The status of the call.</param>
    public RpcException(Status status)
        : this(status, new Metadata(), null)
    {
    }

    /// <summary>Creates an exception carrying a status with <paramref name="statusCode"/> and <paramref name="detail"/>.</summary>
    /// <param name="statusCode">The status code.</param>
    /// <param name="detail">The detail message. May be null.</param>
    public RpcException(StatusCode statusCode, string? detail)
        : this(new Status(statusCode, detail))
    {
    }

    /// <summary>Creates an exception carrying <paramref name="status"/> and <paramref name="trailers"/>.</summary>
    /// <param name="status">The status of the call.</param>
    /// <param name="trailers">Trailing metadata. Must not be null.</param>
    /// <param name="innerException">The underlying failure. May be null.</param>
    public RpcException(Status status, Metadata trailers, Exception? innerException = null)
        : base(status.ToString(), innerException)
    {
        ArgumentNullException.ThrowIfNull(trailers);
        Status = status;
        Trailers = trailers;
    }

    /// <summary>The status of the call.</summary>
    public Status Status { get; }

    /// <summary>Shortcut for <c>Status.StatusCode</c>.</summary>
    public StatusCode StatusCode => Status.StatusCode;

    /// <summary>Trailing metadata sent (server) or received (client) with the status; never null.</summary>
    public Metadata Trailers { get; }
}
