using Microsoft.Extensions.Logging;

namespace Bridge.Server.Auth;

/// <summary>Log events of authentication (EventIds 1450-1499).</summary>
internal static partial class AuthLog
{
    [LoggerMessage(EventId = 1450, EventName = "OpenIngress", Level = LogLevel.Warning,
        Message = "No token is configured (Auth:Tokens): every request is accepted without credentials")]
    public static partial void OpenIngress(ILogger logger);

    [LoggerMessage(EventId = 1451, EventName = "TokensLoaded", Level = LogLevel.Information,
        Message = "{Count} token(s) accepted: {Names}")]
    public static partial void TokensLoaded(ILogger logger, int count, IReadOnlyList<string> names);

    [LoggerMessage(EventId = 1452, EventName = "CallerRejected", Level = LogLevel.Debug,
        Message = "Request to {Path} rejected: {Reason}")]
    public static partial void CallerRejected(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1453, EventName = "NamespaceDenied", Level = LogLevel.Debug,
        Message = "Caller {Caller} may not send events for namespace {Namespace}")]
    public static partial void NamespaceDenied(ILogger logger, string caller, string @namespace);

    [LoggerMessage(EventId = 1454, EventName = "EventOutOfScope", Level = LogLevel.Debug,
        Message = "Caller {Caller} may not publish event {Id}: {Reason}")]
    public static partial void EventOutOfScope(ILogger logger, string caller, string? id, string reason);
}
