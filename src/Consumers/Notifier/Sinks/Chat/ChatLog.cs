using Microsoft.Extensions.Logging;

namespace Bridge.Notifier.Sinks.Chat;

internal static partial class ChatLog
{
    [LoggerMessage(EventId = 3700, EventName = "SlackThreadsUnreadable", Level = LogLevel.Warning,
        Message = "Slack sink '{Sink}' could not read its thread state from '{Path}'; threads start afresh")]
    public static partial void SlackThreadsUnreadable(ILogger logger, string sink, string path, Exception exception);

    [LoggerMessage(EventId = 3701, EventName = "SlackThreadsNotSaved", Level = LogLevel.Warning,
        Message = "Slack sink '{Sink}' could not save its thread state to '{Path}'; threads are kept in memory only")]
    public static partial void SlackThreadsNotSaved(ILogger logger, string sink, string path, Exception exception);

    [LoggerMessage(EventId = 3702, EventName = "SlackThreadGone", Level = LogLevel.Information,
        Message = "Slack sink '{Sink}': the opening message of the thread of {Rollout} is gone ({Error}); a new thread is opened")]
    public static partial void SlackThreadGone(ILogger logger, string sink, string rollout, string error);
}
