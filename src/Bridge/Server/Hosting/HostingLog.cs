using Microsoft.Extensions.Logging;

namespace Bridge.Server.Hosting;

/// <summary>Log events of the host (EventIds 1400-1449).</summary>
internal static partial class HostingLog
{
    [LoggerMessage(EventId = 1400, EventName = "EndpointListening", Level = LogLevel.Information,
        Message = "{Endpoint} listening on {Address}")]
    public static partial void EndpointListening(ILogger logger, string endpoint, string address);

    [LoggerMessage(EventId = 1401, EventName = "Stopping", Level = LogLevel.Information,
        Message = "Stopping: finishing in-flight requests and flushing Kafka for up to {ShutdownTimeout}")]
    public static partial void Stopping(ILogger logger, TimeSpan shutdownTimeout);

    [LoggerMessage(EventId = 1402, EventName = "Stopped", Level = LogLevel.Information,
        Message = "Stopped")]
    public static partial void Stopped(ILogger logger);
}
