using Microsoft.Extensions.Logging;

namespace Bridge.Server.Spool;

/// <summary>Log messages of the spool (event ids 1600-1649). Per-event messages are Debug only.</summary>
internal static partial class SpoolLog
{
    [LoggerMessage(EventId = 1600, EventName = "Opened", Level = LogLevel.Information,
        Message = "Spool at {Directory}: {Count} event(s) to forward ({Bytes} bytes in {Segments} segment file(s)), limit {MaxBytes} bytes")]
    public static partial void Opened(ILogger logger, string directory, int count, long bytes, int segments, long maxBytes);

    [LoggerMessage(EventId = 1601, EventName = "TornTail", Level = LogLevel.Warning,
        Message = "Spool segment {Path} ends in {Bytes} byte(s) at offset {Offset} that are not a whole record (a write cut short by a stop or crash, never answered 202); they are dropped")]
    public static partial void TornTail(ILogger logger, string path, long bytes, long offset);

    [LoggerMessage(EventId = 1602, EventName = "CorruptSegment", Level = LogLevel.Error,
        Message = "Spool segment {Path} is damaged at offset {Offset}: the {Bytes} byte(s) after it cannot be read and are skipped. The events before it are forwarded; the file is then kept as {Path}.corrupt for inspection")]
    public static partial void CorruptSegment(ILogger logger, string path, long offset, long bytes);

    [LoggerMessage(EventId = 1603, EventName = "Disabled", Level = LogLevel.Information,
        Message = "Spool disabled (Spool:Enabled=false): events Kafka does not acknowledge within Kafka:ProduceTimeout are answered 503")]
    public static partial void Disabled(ILogger logger);

    [LoggerMessage(EventId = 1604, EventName = "EventSpooled", Level = LogLevel.Debug,
        Message = "Event {EventId} (key {Key}) spooled as record {Sequence}: {Reason}")]
    public static partial void EventSpooled(ILogger logger, string? eventId, string? key, long sequence, string reason);

    [LoggerMessage(EventId = 1605, EventName = "SpoolRefused", Level = LogLevel.Warning,
        Message = "Event {EventId} could not be spooled: {Reason}")]
    public static partial void SpoolRefused(ILogger logger, string? eventId, string reason);

    [LoggerMessage(EventId = 1606, EventName = "ForwardingPaused", Level = LogLevel.Warning,
        Message = "Kafka did not take spooled record {Sequence}; forwarding probes one event at a time, next in {Backoff}: {Reason}")]
    public static partial void ForwardingPaused(ILogger logger, long sequence, TimeSpan backoff, string reason);

    [LoggerMessage(EventId = 1607, EventName = "ForwardingResumed", Level = LogLevel.Information,
        Message = "Kafka takes spooled events again; {Count} left to forward")]
    public static partial void ForwardingResumed(ILogger logger, int count);

    [LoggerMessage(EventId = 1608, EventName = "Drained", Level = LogLevel.Information,
        Message = "Spool drained: every spooled event is on Kafka ({Forwarded} forwarded since start)")]
    public static partial void Drained(ILogger logger, long forwarded);

    [LoggerMessage(EventId = 1609, EventName = "RecordDropped", Level = LogLevel.Error,
        Message = "Spooled record {Sequence} in {Path} cannot be forwarded and is dropped: {Reason}")]
    public static partial void RecordDropped(ILogger logger, long sequence, string path, string reason);

    [LoggerMessage(EventId = 1611, EventName = "CheckpointFailed", Level = LogLevel.Warning,
        Message = "Could not record the spool's forwarding progress in {Path} (after a restart some events may be forwarded again): {Reason}")]
    public static partial void CheckpointFailed(ILogger logger, string path, string reason);

    [LoggerMessage(EventId = 1612, EventName = "SyncFailed", Level = LogLevel.Error,
        Message = "Syncing the spool to disk failed; the events waiting for it are answered 503: {Reason}")]
    public static partial void SyncFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 1613, EventName = "Forwarded", Level = LogLevel.Debug,
        Message = "Spooled record {Sequence} (event {EventId}) is on Kafka: {How}")]
    public static partial void Forwarded(ILogger logger, long sequence, string? eventId, string how);

    [LoggerMessage(EventId = 1614, EventName = "StoppedWithPending", Level = LogLevel.Information,
        Message = "Spool closed with {Count} event(s) still to forward; they are forwarded after the next start")]
    public static partial void StoppedWithPending(ILogger logger, int count);

    [LoggerMessage(EventId = 1615, EventName = "DeleteFailed", Level = LogLevel.Warning,
        Message = "Could not remove forwarded spool segment {Path}: {Reason}")]
    public static partial void DeleteFailed(ILogger logger, string path, string reason);
}
