using Microsoft.Extensions.Logging;

namespace Bridge.Notifier;

/// <summary>The notifier's log messages (event ids 9000-9099).</summary>
internal static partial class NotifierLog
{
    [LoggerMessage(EventId = 9000, EventName = "ConfigurationLoaded", Level = LogLevel.Information, Message = "Notifier configuration loaded from {Origin}: {Sinks} sinks, {Routes} routes")]
    public static partial void ConfigurationLoaded(ILogger logger, string origin, int sinks, int routes);

    [LoggerMessage(EventId = 9001, EventName = "ConfigurationInvalid", Level = LogLevel.Critical, Message = "Notifier configuration {Origin} is invalid: {Problem}")]
    public static partial void ConfigurationInvalid(ILogger logger, string origin, string problem);

    [LoggerMessage(EventId = 9002, EventName = "ReloadRejected", Level = LogLevel.Error, Message = "Notifier configuration {Origin} changed but is invalid; keeping the last good configuration: {Problem}")]
    public static partial void ReloadRejected(ILogger logger, string origin, string problem);

    [LoggerMessage(EventId = 9003, EventName = "Listening", Level = LogLevel.Information, Message = "Notifier listening on {Addresses} (/healthz, /readyz, /metrics)")]
    public static partial void Listening(ILogger logger, string addresses);

    [LoggerMessage(EventId = 9010, EventName = "Delivered", Level = LogLevel.Debug, Message = "Event {Id} delivered to sink {Sink} by route {Route}")]
    public static partial void Delivered(ILogger logger, string id, string sink, string route);

    [LoggerMessage(EventId = 9011, EventName = "GaveUp", Level = LogLevel.Warning, Message = "Event {Id} ({Type}) not delivered to sink {Sink} by route {Route} after {Attempts} attempts: {Error}")]
    public static partial void GaveUp(ILogger logger, string id, string type, string sink, string route, int attempts, string error);

    [LoggerMessage(EventId = 9012, EventName = "Duplicate", Level = LogLevel.Debug, Message = "Event {Source} {Id} dropped as a duplicate")]
    public static partial void Duplicate(ILogger logger, string source, string id);

    [LoggerMessage(EventId = 9013, EventName = "Suppressed", Level = LogLevel.Debug, Message = "Event {Id} ({Type}) to sink {Sink} suppressed: already sent for this rollout and phase")]
    public static partial void Suppressed(ILogger logger, string id, string type, string sink);

    [LoggerMessage(EventId = 9014, EventName = "FailurePublished", Level = LogLevel.Information, Message = "Published {Type} for event {Id} (sink {Sink}, route {Route})")]
    public static partial void FailurePublished(ILogger logger, string type, string id, string sink, string route);

    [LoggerMessage(EventId = 9015, EventName = "TemplateFailed", Level = LogLevel.Warning, Message = "Template {Path} failed for event {Id}; the sink's default is sent instead: {Error}")]
    public static partial void TemplateFailed(ILogger logger, string path, string id, string error);

    [LoggerMessage(EventId = 9020, EventName = "ConsoleNotification", Level = LogLevel.Information, Message = "[{Sink}] {Severity} {Title} {Type}: {Text}")]
    public static partial void ConsoleNotification(ILogger logger, string sink, string severity, string title, string type, string text);
}
