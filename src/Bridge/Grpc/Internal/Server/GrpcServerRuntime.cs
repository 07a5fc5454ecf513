using Microsoft.Extensions.Logging;

namespace Bridge.Grpc.Internal.Server;

/// <summary>What every call handler shares: limits, logger and the shutdown signal.</summary>
internal sealed class GrpcServerRuntime(GrpcServerOptions options, ILogger logger, CancellationToken applicationStopping)
{
    public GrpcServerOptions Options { get; } = options;

    public ILogger Logger { get; } = logger;

    public CancellationToken ApplicationStopping { get; } = applicationStopping;
}
