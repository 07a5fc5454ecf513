using Microsoft.Extensions.Logging;

namespace Bridge.Notifier.Actions;

/// <summary>Log messages of the rollout actions (EventIds 7200-7249).</summary>
internal static partial class ActionLog
{
    [LoggerMessage(EventId = 7200, EventName = "ActionSkippedOutcome", Level = LogLevel.Debug,
        Message = "Action sink '{Sink}' skips {EventId}: outcome {Outcome} is not one it runs on")]
    public static partial void OutcomeNotSelected(ILogger logger, string sink, string eventId, Model.RolloutOutcome outcome);

    [LoggerMessage(EventId = 7201, EventName = "ActionAlreadyDone", Level = LogLevel.Information,
        Message = "Action {Action} of sink '{Sink}' already ran for {Canary} (key {IdempotencyKey}, {State} at {At}); not run again")]
    public static partial void AlreadyDone(ILogger logger, string action, string sink, string canary, string idempotencyKey, ActionState state, DateTimeOffset at);

    [LoggerMessage(EventId = 7202, EventName = "ActionInterruptedRetry", Level = LogLevel.Warning,
        Message = "Action {Action} of sink '{Sink}' was interrupted after it started at {At} (key {IdempotencyKey}); running it again with the same key")]
    public static partial void InterruptedRetry(ILogger logger, string action, string sink, string idempotencyKey, DateTimeOffset at);

    [LoggerMessage(EventId = 7203, EventName = "ActionInterruptedSkip", Level = LogLevel.Warning,
        Message = "Action {Action} of sink '{Sink}' was interrupted after it started at {At} (key {IdempotencyKey}); not run again (interrupted: skip)")]
    public static partial void InterruptedSkip(ILogger logger, string action, string sink, string idempotencyKey, DateTimeOffset at);

    [LoggerMessage(EventId = 7204, EventName = "ActionSucceeded", Level = LogLevel.Information,
        Message = "Action {Action} of sink '{Sink}' succeeded for {Canary} on {Target}: {Result}")]
    public static partial void Succeeded(ILogger logger, string action, string sink, string canary, string target, string result);

    [LoggerMessage(EventId = 7205, EventName = "ActionFailed", Level = LogLevel.Warning,
        Message = "Action {Action} of sink '{Sink}' failed for {Canary} on {Target}: {Error}")]
    public static partial void Failed(ILogger logger, string action, string sink, string canary, string target, string error);

    [LoggerMessage(EventId = 7206, EventName = "ActionResultNotPublished", Level = LogLevel.Error,
        Message = "The {Type} event of sink '{Sink}' for {Canary} could not be published to the bridge")]
    public static partial void ResultNotPublished(ILogger logger, Exception exception, string type, string sink, string canary);

    [LoggerMessage(EventId = 7207, EventName = "ActionNoPublisher", Level = LogLevel.Warning,
        Message = "No bridge publisher is registered: the results of action sink '{Sink}' are logged but not published")]
    public static partial void NoPublisher(ILogger logger, string sink);

    [LoggerMessage(EventId = 7210, EventName = "LedgerTornLine", Level = LogLevel.Warning,
        Message = "Action ledger {Path} ends with an incomplete line of {Bytes} bytes (a write cut short); it is dropped")]
    public static partial void LedgerTornLine(ILogger logger, string path, int bytes);

    [LoggerMessage(EventId = 7211, EventName = "LedgerBadLine", Level = LogLevel.Warning,
        Message = "Action ledger {Path} line {Line} is not a ledger entry; it is skipped")]
    public static partial void LedgerBadLine(ILogger logger, string path, int line);
}
