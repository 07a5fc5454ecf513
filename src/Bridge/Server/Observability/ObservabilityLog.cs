using Microsoft.Extensions.Logging;

namespace Bridge.Server.Observability;

/// <summary>Log events of metrics and traces (EventIds 1700-1719).</summary>
internal static partial class ObservabilityLog
{
    [LoggerMessage(EventId = 1700, EventName = "TracesExported", Level = LogLevel.Information,
        Message = "Traces are exported over OTLP to {Endpoint}")]
    public static partial void TracesExported(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1701, EventName = "SeriesMetersRenewed", Level = LogLevel.Debug,
        Message = "Replaced {Count} meter(s) of canary or subscription series to free the slots of label sets that are gone")]
    public static partial void SeriesMetersRenewed(ILogger logger, int count);
}
