using Microsoft.Extensions.Logging;

namespace Bridge.Notifier.Sinks.Alertmanager;

/// <summary>Log messages of the Alertmanager sink (EventIds 7100-7119).</summary>
internal static partial class AlertmanagerLog
{
    [LoggerMessage(EventId = 7100, EventName = "AlertFired", Level = LogLevel.Information,
        Message = "Sink '{Sink}' fired alert {AlertName} for {Canary} until {EndsAt}")]
    public static partial void Fired(ILogger logger, string sink, string alertName, string canary, DateTimeOffset endsAt);

    [LoggerMessage(EventId = 7101, EventName = "AlertResolved", Level = LogLevel.Information,
        Message = "Sink '{Sink}' resolved the alert of {Canary}")]
    public static partial void Resolved(ILogger logger, string sink, string canary);

    [LoggerMessage(EventId = 7102, EventName = "AlertNothingToResolve", Level = LogLevel.Debug,
        Message = "Sink '{Sink}': {Canary} succeeded with no alert of this sink firing; nothing to resolve")]
    public static partial void NothingToResolve(ILogger logger, string sink, string canary);

    [LoggerMessage(EventId = 7103, EventName = "AlertStateUnreadable", Level = LogLevel.Warning,
        Message = "Alert state file {Path} cannot be read; starting without remembered alerts (their resolution will not be sent)")]
    public static partial void StateUnreadable(ILogger logger, Exception exception, string path);

    [LoggerMessage(EventId = 7104, EventName = "AlertStateNotSaved", Level = LogLevel.Error,
        Message = "Alert state file {Path} cannot be written; a restart would forget the alerts firing now")]
    public static partial void StateNotSaved(ILogger logger, Exception exception, string path);
}
