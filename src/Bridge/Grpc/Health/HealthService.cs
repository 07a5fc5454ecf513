using System.Threading.Channels;
using Bridge.Grpc.Health.V1;
using ServingStatus = Bridge.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Grpc.Health;

/// <summary>
/// The standard <c>grpc.health.v1.Health</c> service. The empty service name stands for the whole server
/// and starts as SERVING; other names are unknown until <see cref="SetStatus"/> is called for them.
/// </summary>
public sealed class HealthService : IGrpcService
{
    /// <summary>The fully qualified service name.</summary>
    public const string ServiceName = "grpc.health.v1.Health";

    /// <summary><c>Check</c>: the current status of a service; NOT_FOUND for an unknown service.</summary>
    public static readonly Method<HealthCheckRequest, HealthCheckResponse> CheckMethod = new(
        MethodType.Unary, ServiceName, "Check",
        Marshallers.ForProtobuf(HealthCheckRequest.Parser), Marshallers.ForProtobuf(HealthCheckResponse.Parser));

    /// <summary><c>Watch</c>: the current status at once, then every change; SERVICE_UNKNOWN for an unknown service.</summary>
    public static readonly Method<HealthCheckRequest, HealthCheckResponse> WatchMethod = new(
        MethodType.ServerStreaming, ServiceName, "Watch",
        Marshallers.ForProtobuf(HealthCheckRequest.Parser), Marshallers.ForProtobuf(HealthCheckResponse.Parser));

    private readonly object _lock = new();
    private readonly Dictionary<string, ServingStatus> _statuses = new(StringComparer.Ordinal) { [string.Empty] = ServingStatus.Serving };
    private readonly Dictionary<string, List<ChannelWriter<ServingStatus>>> _watchers = new(StringComparer.Ordinal);

    /// <summary>Sets the status of <paramref name="service"/> ("" = the whole server) and notifies its watchers.</summary>
    /// <param name="service">The service name. Must not be null.</param>
    /// <param name="status">The new status.</param>
    public void SetStatus(string service, ServingStatus status)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            _statuses[service] = status;
            Notify(service, status);
        }
    }

    /// <summary>Forgets <paramref name="service"/>: Check answers NOT_FOUND, watchers get SERVICE_UNKNOWN.</summary>
    /// <param name="service">The service name. Must not be null.</param>
    public void ClearStatus(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            if (_statuses.Remove(service))
            {
                Notify(service, ServingStatus.ServiceUnknown);
            }
        }
    }

    /// <summary>The status of <paramref name="service"/>, or null when it is unknown.</summary>
    /// <param name="service">The service name. Must not be null.</param>
    public ServingStatus? GetStatus(string service)
    {
        ArgumentNullException.ThrowIfNull(service);
        lock (_lock)
        {
            return _statuses.TryGetValue(service, out ServingStatus status) ? status : null;
        }
    }

    /// <inheritdoc />
    public void Bind(GrpcServiceBinder binder)
    {
        ArgumentNullException.ThrowIfNull(binder);
        binder.AddUnary(CheckMethod, Check).AddServerStreaming(WatchMethod, Watch);
    }

    private Task<HealthCheckResponse> Check(HealthCheckRequest request, ServerCallContext context)
    {
        ServingStatus status = GetStatus(request.Service)
            ?? throw new RpcException(StatusCode.NotFound, $"Unknown service '{request.Service}'.");
        return Task.FromResult(new HealthCheckResponse { Status = status });
    }

    private async Task Watch(HealthCheckRequest request, IServerStreamWriter<HealthCheckResponse> responseStream, ServerCallContext context)
    {
        // Only the latest status matters: a slow watcher skips intermediate ones.
        var changes = Channel.CreateBounded<ServingStatus>(new BoundedChannelOptions(1)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        ServingStatus current;
        lock (_lock)
        {
            current = _statuses.TryGetValue(request.Service, out ServingStatus s) ? s : ServingStatus.ServiceUnknown;
            if (!_watchers.TryGetValue(request.Service, out var list))
            {
                _watchers[request.Service] = list = [];
            }
            list.Add(changes.Writer);
        }
        try
        {
            await responseStream.WriteAsync(new HealthCheckResponse { Status = current }, context.CancellationToken).ConfigureAwait(false);
            while (true)
            {
                ServingStatus next = await changes.Reader.ReadAsync(context.CancellationToken).ConfigureAwait(false);
                if (next != current)
                {
                    current = next;
                    await responseStream.WriteAsync(new HealthCheckResponse { Status = current }, context.CancellationToken).ConfigureAwait(false);
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                if (_watchers.TryGetValue(request.Service, out var list))
                {
                    list.Remove(changes.Writer);
                    if (list.Count == 0)
                    {
                        _watchers.Remove(request.Service);
                    }
                }
            }
        }
    }

    private void Notify(string service, ServingStatus status)
    {
        if (_watchers.TryGetValue(service, out var list))
        {
            foreach (ChannelWriter<ServingStatus> writer in list)
            {
                writer.TryWrite(status);
            }
        }
    }
}
