using Bridge.Client.V1;
using Bridge.CloudEvents;
using Bridge.Server.Auth;
using Bridge.Server.Ingress;
using Bridge.Server.Kafka;
using Bridge.Server.Observability;
using Bridge.Server.Spool;
using Bridge.Server.Subscriptions;
using Grpc.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// The <c>bridge.v1.EventBridge</c> service: <c>Publish</c> writes CloudEvents to Kafka, <c>Subscribe</c> streams a
/// named subscription's events and takes their acks, <c>Watch</c> streams them acking each once written (for
/// clients that cannot stream requests, such as browsers over gRPC-Web).
/// </summary>
/// <remarks>
/// <para>Publish follows the HTTP ingress' rules: each event is validated, checked against the caller's scope
/// (<see cref="EventScope"/>) and Kafka's record limit, and written with <c>partitionkey</c> as the record key,
/// through the spool when Kafka does not acknowledge in time; each gets its own result, in request order.</para>
/// <para>Subscribe: the first request must be <c>open</c>, every later one <c>ack</c>. Acks of ids the stream
/// issued and that were acked before (or whose partition was revoked meanwhile) are ignored; an ack id the
/// stream never issued ends the call with INVALID_ARGUMENT, since it means the client acks on the wrong
/// stream. A caller whose token is limited to namespaces only receives events of those namespaces; other
/// events are skipped like filtered ones. Half-closing the request stream ends the call with OK after the
/// acks received so far are committed. A server shutdown stops the deliveries at once, waits up to
/// <see cref="SubscriptionOptions.AckGracePeriod"/> for the acks of those in flight, commits and ends the call with
/// UNAVAILABLE, so the host stops well within its shutdown timeout and the client's last acks are not lost.</para>
/// <para>Invalid requests end with INVALID_ARGUMENT whose message names the field; the same field is in a
/// <c>google.rpc.BadRequest</c> of the rich error details.</para>
/// </remarks>
internal sealed class EventBridgeService(
    SpoolingEventPublisher publisher,
    EventScope scope,
    KafkaRecordLimit recordLimit,
    KafkaConnection kafka,
    GrpcCallAuthenticator authenticator,
    SubscriptionRegistry registry,
    SubscriptionMetrics metrics,
    IOptions<SubscriptionOptions> options,
    IHostApplicationLifetime lifetime,
    ILoggerFactory loggerFactory) : EventBridge.EventBridgeBase
{
    private readonly SubscriptionOptions _options = options.Value;
    private readonly ILogger _logger = loggerFactory.CreateLogger<EventBridgeService>();
    private readonly ILogger _sessionLogger = loggerFactory.CreateLogger<SubscriptionSession>();

    public override async Task<PublishResponse> Publish(PublishRequest request, ServerCallContext context)
    {
        var caller = authenticator.Authenticate(context);
        var count = request.Events.Count;
        if (count == 0)
        {
            throw GrpcErrors.InvalidArgument("events: the request has no events; send at least one.");
        }

        if (count > _options.MaxEventsPerPublish)
        {
            throw GrpcErrors.InvalidArgument(
                $"events: the request has {count} events; at most {_options.MaxEventsPerPublish} are allowed per request ({SubscriptionOptions.SectionName}:MaxEventsPerPublish).");
        }

        var results = new PublishResult[count];
        var pending = new List<(int Index, Task<PublishReceipt> Task)>(count);
        for (var i = 0; i < count; i++)
        {
            var message = request.Events[i];
            results[i] = new PublishResult { Id = message.Id };
            CloudEvent cloudEvent;
            try
            {
                cloudEvent = ProtobufEventFormat.FromProto(message);
            }
            catch (CloudEventFormatException e)
            {
                results[i].Error = Error(StatusCode.InvalidArgument, $"events[{i}]: the event is not valid: {e.Message}");
                continue;
            }

            if (scope.Check(caller, cloudEvent) is { } denied)
            {
                results[i].Error = Error(StatusCode.PermissionDenied, $"events[{i}]: {denied}");
                continue;
            }

            if (recordLimit.Check(cloudEvent) is { } tooLarge)
            {
                results[i].Error = Error(StatusCode.InvalidArgument, $"events[{i}]: {tooLarge}");
                continue;
            }

            // Started together so the events share producer batches and one round trip.
            pending.Add((i, publisher.PublishAsync(cloudEvent, context.CancellationToken).AsTask()));
        }

        var accepted = 0;
        foreach (var (index, task) in pending)
        {
            try
            {
                var receipt = await task.ConfigureAwait(false);
                results[index].Accepted = new PublishAccepted { Partition = receipt.Partition, Offset = receipt.Offset, Spooled = receipt.Spooled };
                accepted++;
            }
            catch (PublishFailedException e)
            {
                SubscriptionLog.PublishEventFailed(_logger, context.Peer, index, results[index].Id, e.Message);
                results[index].Error = Error(StatusCode.Unavailable, $"events[{index}]: Kafka did not acknowledge the event: {e.Message} Retry later.");
            }
        }

        SubscriptionLog.Published(_logger, context.Peer, accepted, count);
        var response = new PublishResponse();
        response.Results.Add(results);
        return response;
    }

    public override async Task Subscribe(IAsyncStreamReader<SubscribeRequest> requestStream, IServerStreamWriter<SubscribeResponse> responseStream, ServerCallContext context)
    {
        var caller = authenticator.Authenticate(context);
        var request = await ReadOpenAsync(requestStream, context).ConfigureAwait(false);
        await RunAsync(request, caller, context,
            (session, token) => ReadAcksAsync(requestStream, session, token),
            (session, token) => WriteDeliveriesAsync(responseStream, session, ackWhenWritten: false, token),
            awaitAcksOnStop: true).ConfigureAwait(false);
    }

    public override async Task Watch(OpenSubscription request, IServerStreamWriter<SubscribeResponse> responseStream, ServerCallContext context)
    {
        var caller = authenticator.Authenticate(context);
        SubscriptionRequest open;
        try
        {
            open = SubscriptionRequest.From(request, _options, allowUnnamed: true);
        }
        catch (InvalidSubscriptionException e)
        {
            SubscriptionLog.OpenRejected(_logger, context.Peer, e.Message);
            throw GrpcErrors.InvalidArgument(e.Message);
        }

        await RunAsync(open, caller, context,
            static (_, token) => Task.Delay(Timeout.Infinite, token),
            (session, token) => WriteDeliveriesAsync(responseStream, session, ackWhenWritten: true, token),
            awaitAcksOnStop: false).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs a subscription stream's two loops until one ends, then stops the session and maps the outcome to a
    /// status. On the server's graceful stop the deliveries stop first; with <paramref name="awaitAcksOnStop"/> the
    /// acks still in transit are then awaited for <see cref="SubscriptionOptions.AckGracePeriod"/>, so what the
    /// client acked is committed instead of delivered again after the restart.
    /// </summary>
    private async Task RunAsync(SubscriptionRequest request, BridgeCaller caller, ServerCallContext context,
        Func<SubscriptionSession, CancellationToken, Task> readLoop, Func<SubscriptionSession, CancellationToken, Task> writeLoop, bool awaitAcksOnStop)
    {
        Func<CloudEvent, bool>? admits = caller.IsRestricted ? e => caller.MayAccess(EventScope.NamespaceOf(e)) : null;
        var session = new SubscriptionSession(request, admits, kafka, _options, registry, metrics, _sessionLogger);
        var reason = "half-closed by the client";
        try
        {
            session.Start();
            SubscriptionLog.StreamOpened(_logger, request.Name, context.Peer, request.Start, request.MaxInFlight);
            await context.WriteResponseHeadersAsync(new Metadata()).ConfigureAwait(false);

            // The call's token covers the client and the deadline; the server's own shutdown ends the deliveries at
            // once and the acks after the grace period.
            using var reads = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
            using var writes = CancellationTokenSource.CreateLinkedTokenSource(reads.Token, lifetime.ApplicationStopping);
            var reading = readLoop(session, reads.Token);
            var writing = writeLoop(session, writes.Token);
            var first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
            var stopping = lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested;
            if (stopping && first == writing)
            {
                await writes.CancelAsync().ConfigureAwait(false);
                if (awaitAcksOnStop)
                {
                    await AwaitAcksAsync(session, reading, context).ConfigureAwait(false);
                }
            }

            await reads.CancelAsync().ConfigureAwait(false);
            try
            {
                await Task.WhenAll(reading, writing).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // The loop that ended second only reports the cancellation; the first one decides the outcome.
            }

            if (!first.IsCompletedSuccessfully)
            {
                reason = first.Exception?.InnerException?.Message ?? "cancelled";
                if (stopping || (lifetime.ApplicationStopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested))
                {
                    reason = GrpcErrors.ShuttingDown.Detail;
                    throw new RpcException(GrpcErrors.ShuttingDown);
                }

                await first.ConfigureAwait(false);
            }
        }
        catch (SubscriptionFailedException e)
        {
            throw new RpcException(new Status(StatusCode.Unavailable, e.Message));
        }
        finally
        {
            await session.StopAsync().ConfigureAwait(false);
            SubscriptionLog.StreamClosed(_logger, request.Name, context.Peer, reason, session.Delivered, session.Acked);
        }
    }

    /// <summary>Waits for the acks of the deliveries in flight, until the client stops sending or the grace period ends.</summary>
    private async Task AwaitAcksAsync(SubscriptionSession session, Task reading, ServerCallContext context)
    {
        if (_options.AckGracePeriod <= TimeSpan.Zero || session.InFlight == 0)
        {
            return;
        }

        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        var acked = session.WaitForAcksAsync(_options.AckGracePeriod, done.Token);
        await Task.WhenAny(acked, reading).ConfigureAwait(false);
        await done.CancelAsync().ConfigureAwait(false);
        if (session.InFlight is var left and > 0)
        {
            SubscriptionLog.AcksMissing(_logger, session.Name, context.Peer, left, _options.AckGracePeriod);
        }

        try
        {
            await acked.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client went away or stopped acking; what it acked so far is committed.
        }
    }

    private async Task<SubscriptionRequest> ReadOpenAsync(IAsyncStreamReader<SubscribeRequest> requests, ServerCallContext context)
    {
        const string FirstMustBeOpen = "the first request must be open";
        if (!await requests.MoveNext(context.CancellationToken).ConfigureAwait(false))
        {
            SubscriptionLog.OpenRejected(_logger, context.Peer, "no request");
            throw GrpcErrors.InvalidArgument(FirstMustBeOpen + "; the client sent no request.", "open");
        }

        var first = requests.Current;
        if (first.KindCase != SubscribeRequest.KindOneofCase.Open)
        {
            SubscriptionLog.OpenRejected(_logger, context.Peer, first.KindCase == SubscribeRequest.KindOneofCase.Ack ? "the first request is an ack" : "the first request is empty");
            throw GrpcErrors.InvalidArgument($"{FirstMustBeOpen}; it carries {(first.KindCase == SubscribeRequest.KindOneofCase.Ack ? "ack" : "nothing")}.", "open");
        }

        try
        {
            return SubscriptionRequest.From(first.Open, _options);
        }
        catch (InvalidSubscriptionException e)
        {
            SubscriptionLog.OpenRejected(_logger, context.Peer, e.Message);
            throw GrpcErrors.InvalidArgument("open." + e.Message);
        }
    }

    private async Task ReadAcksAsync(IAsyncStreamReader<SubscribeRequest> requests, SubscriptionSession session, CancellationToken cancellationToken)
    {
        while (await requests.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            var message = requests.Current;
            switch (message.KindCase)
            {
                case SubscribeRequest.KindOneofCase.Ack:
                    var acked = 0;
                    foreach (var ackId in message.Ack.AckIds)
                    {
                        switch (session.Ack(ackId))
                        {
                            case AckOutcome.Acked:
                                acked++;
                                break;
                            case AckOutcome.NeverIssued:
                                throw GrpcErrors.InvalidArgument(
                                    $"ack.ack_ids: {ackId} was never issued on this stream; ack ids are only valid on the stream that delivered them.");
                        }
                    }

                    if (acked > 0)
                    {
                        metrics.Acked(session.Name, acked);
                    }

                    break;
                case SubscribeRequest.KindOneofCase.Open:
                    throw GrpcErrors.InvalidArgument("open may only be the first request; later requests must carry ack.", "open");
                default:
                    throw GrpcErrors.InvalidArgument("the request carries neither open nor ack.", "kind");
            }
        }
    }

    private async Task WriteDeliveriesAsync(IServerStreamWriter<SubscribeResponse> responses, SubscriptionSession session, bool ackWhenWritten, CancellationToken cancellationToken)
    {
        while (true)
        {
            var delivery = await session.TakeAsync(cancellationToken).ConfigureAwait(false);
            using var activity = EventTracing.StartDelivery(session.Name, delivery);
            await responses.WriteAsync(new SubscribeResponse
            {
                AckId = delivery.AckId,
                Event = ProtobufEventFormat.ToProto(delivery.Event),
                Partition = delivery.Partition,
                Offset = delivery.Offset,
                Attempt = delivery.Attempt,
                Key = delivery.Key ?? string.Empty,
            }, cancellationToken).ConfigureAwait(false);
            if (ackWhenWritten && session.Ack(delivery.AckId) == AckOutcome.Acked)
            {
                metrics.Acked(session.Name, 1);
            }
        }
    }

    private static PublishError Error(StatusCode code, string message) => new() { Code = (int)code, Message = message };
}
