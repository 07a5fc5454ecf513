using Bridge.Client.V1;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bridge.Client.Internal;

/// <summary>How a stream ended, for the reconnect decision.</summary>
/// <param name="Reason">Why it ended; null when the host is stopping.</param>
/// <param name="ConnectedFor">How long the server had accepted the stream (zero when it never did).</param>
internal readonly record struct SessionResult(string? Reason, TimeSpan ConnectedFor);

/// <summary>
/// One subscription stream of a hosted subscriber: opens it, hands deliveries to the handler through a
/// <see cref="PartitionDispatcher"/>, acks what was handled, and tears down cleanly when the host stops, a handler
/// fails (the event must come again, so the stream is restarted) or the stream ends.
/// </summary>
internal sealed class SubscriberSession(
    EventBridgeClient client,
    SubscriberOptions options,
    Func<CloudEventDelivery, CancellationToken, Task> handler,
    SubscriberHealth health,
    ClientMetrics metrics,
    ILogger logger,
    TimeProvider time) : IDisposable
{
    /// <summary>How long a half-closed stream may take to end before it is canceled.</summary>
    internal static readonly TimeSpan CompleteTimeout = TimeSpan.FromSeconds(5);

    private readonly string _name = options.Subscription!;
    private readonly string _address = client.Address?.ToString() ?? options.Address!;
    private readonly CancellationTokenSource _end = new();
    private EventSubscription? _subscription;
    private DateTimeOffset? _connectedAt;

    /// <summary>
    /// The failure that ended the previous attempt when it never connected. The same failure again (the bridge is
    /// down and every reconnect is refused) is logged at Debug, so a long outage writes one warning, not one per retry.
    /// </summary>
    public string? PreviousFailure { get; init; }
    private string? _handlerFailure;

    public async Task<SessionResult> RunAsync(CancellationToken stopping)
    {
        using CancellationTokenRegistration stopRegistration = stopping.Register(static s => ((SubscriberSession)s!).End(), this);
        OpenSubscription open = SubscriberSetup.BuildOpen(options);
        Metadata? headers;
        try
        {
            headers = SubscriberSetup.AuthorizationHeaders(options);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return new SessionResult($"{SubscriberOptions.SectionName} token file '{options.TokenFile}' cannot be read: {ex.Message}", TimeSpan.Zero);
        }

        ClientLog.Connecting(logger, _name, _address);
        Task<SessionResult> run;
        EventSubscription subscription = client.Subscribe(open, new CallOptions(headers: headers));
        try
        {
            _subscription = subscription;
            subscription.InvalidEventObserver = (_, _) => metrics.Skipped(_name, "invalid");
            using var dispatcher = new PartitionDispatcher(ProcessAsync, options.MaxInFlight);
            run = RunStreamAsync(subscription, dispatcher, stopping);
            return await run.ConfigureAwait(false);
        }
        finally
        {
            await subscription.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<SessionResult> RunStreamAsync(EventSubscription subscription, PartitionDispatcher dispatcher, CancellationToken stopping)
    {
        Task readTask = ReadLoopAsync(subscription, dispatcher);
        var ended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (_end.Token.Register(static s => ((TaskCompletionSource)s!).TrySetResult(), ended))
        {
            await Task.WhenAny(readTask, ended.Task).ConfigureAwait(false);
        }
        End();

        if (stopping.IsCancellationRequested)
        {
            ClientLog.Stopping(logger, _name, (long)options.DrainTimeout.TotalMilliseconds);
        }
        if (!await dispatcher.StopAsync(options.DrainTimeout).ConfigureAwait(false))
        {
            ClientLog.DrainTimedOut(logger, _name, (long)options.DrainTimeout.TotalMilliseconds);
        }
        if (!readTask.IsCompleted)
        {
            try
            {
                // Acks out first, then half-close; waiting for the server's end makes sure it read them.
                await subscription.CompleteAsync().ConfigureAwait(false);
                await readTask.WaitAsync(CompleteTimeout, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is RpcException or InvalidOperationException or ObjectDisposedException or OperationCanceledException or TimeoutException)
            {
                // The stream is over or will be canceled on dispose; the outcome is read below.
            }
        }

        TimeSpan connectedFor = _connectedAt is { } at ? time.GetUtcNow() - at : TimeSpan.Zero;
        if (stopping.IsCancellationRequested)
        {
            return new SessionResult(null, connectedFor);
        }
        return new SessionResult(_handlerFailure ?? DescribeEnd(readTask), connectedFor);
    }

    private void LogFailure(string code, string detail, string reason)
    {
        if (_connectedAt is null && string.Equals(reason, PreviousFailure, StringComparison.Ordinal))
        {
            ClientLog.StreamFailedAgain(logger, _name, code, detail);
        }
        else
        {
            ClientLog.StreamFailed(logger, _name, code, detail);
        }
    }

    private string DescribeEnd(Task readTask)
    {
        if (!readTask.IsCompleted)
        {
            return "the stream did not end after half-close";
        }
        if (readTask.Exception?.GetBaseException() is RpcException rpc)
        {
            string code = rpc.StatusCode.ToString();
            string reason = $"{rpc.StatusCode}: {rpc.Status.Detail}";
            LogFailure(code, rpc.Status.Detail, reason);
            return reason;
        }
        if (readTask.Exception?.GetBaseException() is { } other)
        {
            string kind = other.GetType().Name;
            string reason = $"{other.GetType().Name}: {other.Message}";
            LogFailure(kind, other.Message, reason);
            return reason;
        }
        ClientLog.StreamEnded(logger, _name);
        return "the server ended the stream";
    }

    private async Task ReadLoopAsync(EventSubscription subscription, PartitionDispatcher dispatcher)
    {
        await subscription.ResponseHeadersAsync.ConfigureAwait(false);
        DateTimeOffset now = time.GetUtcNow();
        _connectedAt = now;
        health.SetConnected(now);
        ClientLog.Connected(logger, _name, _address);
        while (await subscription.ReadAsync().ConfigureAwait(false) is { } delivery)
        {
            // Once the session is ending, deliveries are left unacknowledged: they come again after the reconnect.
            if (!_end.IsCancellationRequested)
            {
                await dispatcher.DispatchAsync(delivery, _end.Token).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> ProcessAsync(CloudEventDelivery delivery, CancellationToken handlerToken)
    {
        try
        {
            await ClientTracing.HandleAsync(handler, _name, delivery, handlerToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (handlerToken.IsCancellationRequested)
        {
            ClientLog.HandlerCanceled(logger, _name, delivery.Event.Id);
            return false;
        }
        catch (Exception ex)
        {
            metrics.HandlerFailed(_name);
            if (options.MaxAttempts > 0 && delivery.Attempt >= options.MaxAttempts)
            {
                ClientLog.PoisonEventSkipped(logger, _name, delivery.Event.Id, delivery.Event.Type, delivery.Partition, delivery.Offset,
                    delivery.Attempt, options.MaxAttempts, ex);
                metrics.Skipped(_name, "poison");
                Ack(delivery);
                return true;
            }
            ClientLog.HandlerFailed(logger, _name, delivery.Event.Id, delivery.Event.Type, delivery.Partition, delivery.Offset, delivery.Attempt, ex);
            Interlocked.CompareExchange(ref _handlerFailure,
                $"handler failed for event {delivery.Event.Id} at partition {delivery.Partition} offset {delivery.Offset}: {ex.Message}", null);
            End();
            return false;
        }
        Ack(delivery);
        metrics.Handled(_name);
        health.SetHandled(time.GetUtcNow());
        return true;
    }

    private void Ack(CloudEventDelivery delivery)
    {
        _ = _subscription!.AckAsync(delivery.AckId).ContinueWith(
            static (t, s) => ((SubscriberSession)s!).OnAckFailed(t.Exception!),
            this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnAckFailed(AggregateException ex)
    {
        Exception cause = ex.GetBaseException();
        ClientLog.AckFailed(logger, _name, cause);
    }

    public void Dispose() => _end.Dispose();

    private void End()
    {
        try
        {
            _end.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The session is already over.
        }
    }
}
