using Microsoft.Extensions.Logging;

namespace Bridge.Audit;

/// <summary>The audit service's log messages (event ids 2000-2099).</summary>
internal static partial class AuditLog
{
    [LoggerMessage(2000, LogLevel.Information, "Audit log in {Database}, schema up to date")]
    public static partial void StoreReady(ILogger logger, string database);

    [LoggerMessage(2001, LogLevel.Warning, "No token is configured (Auth:Tokens): the audit API is open to anyone who can reach it")]
    public static partial void OpenApi(ILogger logger);

    [LoggerMessage(2002, LogLevel.Information, "Audit listening on {Address}; timeline page at {Address}/")]
    public static partial void Listening(ILogger logger, string address);

    [LoggerMessage(2003, LogLevel.Debug, "Stored event {Seq} (source {Source}, id {Id}, type {Type})")]
    public static partial void Stored(ILogger logger, long seq, string source, string id, string type);

    [LoggerMessage(2004, LogLevel.Debug, "Event (source {Source}, id {Id}) was already stored as row {Seq}; acknowledged again")]
    public static partial void Duplicate(ILogger logger, string source, string id, long seq);

    [LoggerMessage(2005, LogLevel.Information, "Rollout {RolloutId} of {Namespace}/{Canary} ended: {Outcome}")]
    public static partial void RolloutEnded(ILogger logger, string rolloutId, string @namespace, string canary, string outcome);

    [LoggerMessage(2006, LogLevel.Information, "Retention deleted {Events} event(s) recorded before {Cutoff} and {Rollouts} rollout(s); checkpoint at row {Seq}")]
    public static partial void RetentionApplied(ILogger logger, long events, DateTimeOffset cutoff, long rollouts, long? seq);

    [LoggerMessage(2007, LogLevel.Error, "Retention failed; it is tried again in {Interval}")]
    public static partial void RetentionFailed(ILogger logger, Exception exception, TimeSpan interval);

    [LoggerMessage(2008, LogLevel.Warning, "Request to {Path} refused: {Reason}")]
    public static partial void Refused(ILogger logger, string path, string reason);

    [LoggerMessage(2009, LogLevel.Information, "Retention keeps events for {MaxAge}, applied every {Interval}")]
    public static partial void RetentionEnabled(ILogger logger, TimeSpan maxAge, TimeSpan interval);

    [LoggerMessage(2010, LogLevel.Warning, "Refreshing the DORA figures for /metrics failed")]
    public static partial void DoraRefreshFailed(ILogger logger, Exception exception);
}
