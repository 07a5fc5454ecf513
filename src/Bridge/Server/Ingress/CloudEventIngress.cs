using Bridge.CloudEvents;
using Bridge.CloudEvents.Http;
using Bridge.Server.Auth;
using Bridge.Server.Kafka;
using Bridge.Server.Observability;
using Bridge.Server.Spool;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Ingress;

/// <summary>
/// <c>POST /v1/events</c>: any CloudEvent in the HTTP binding's binary, structured or batch mode.
/// </summary>
/// <remarks>
/// Every event of a request is decoded, validated, authorized and measured against Kafka's record limit
/// before any is published, so a rejected request publishes nothing. The Kafka record key is the event's
/// <c>partitionkey</c> extension; an event without one is published with no key (Kafka spreads such
/// records over partitions, so they have no order among themselves). What a token limited to namespaces
/// may publish is <see cref="EventScope"/>'s rule.
/// </remarks>
internal sealed class CloudEventIngress(
    IngressGuard guard,
    SpoolingEventPublisher publisher,
    KafkaRecordLimit recordLimit,
    IngressMetrics metrics,
    IOptions<IngressOptions> options,
    ILogger<CloudEventIngress> logger)
{
    /// <summary>The extension naming the event's namespace.</summary>
    public const string NamespaceExtension = EventScope.NamespaceExtension;

    /// <summary>The partitioning extension, the Kafka record key.</summary>
    public const string PartitionKeyExtension = EventScope.PartitionKeyExtension;

    private readonly int _maxBodyBytes = options.Value.MaxBodyBytes;

    public async Task HandleAsync(HttpContext context)
    {
        var admission = await guard.AdmitAsync(context);
        if (!admission.Admitted)
        {
            return;
        }

        var request = context.Request;
        var caller = admission.Caller;
        IReadOnlyList<CloudEvent> events;
        try
        {
            if (caller is not null)
            {
                events = await HttpBinding.ReadAsync(request, _maxBodyBytes, context.RequestAborted);
            }
            else
            {
                // A signature covers the raw body, so read it here and decode what was verified.
                byte[] raw;
                using (var body = await RequestBodyReader.ReadAsync(request, _maxBodyBytes, context.RequestAborted))
                {
                    if (!body.IsWithinLimit)
                    {
                        throw new CloudEventPayloadTooLargeException(_maxBodyBytes);
                    }

                    caller = guard.Identify(admission, body.Span);
                    raw = body.Span.ToArray();
                }

                if (caller is null)
                {
                    await guard.RejectSignatureAsync(context);
                    return;
                }

                events = HttpBinding.Decode(request.ContentType, request.Headers, raw);
            }
        }
        catch (CloudEventUnsupportedMediaTypeException e)
        {
            await guard.RejectAsync(context, StatusCodes.Status415UnsupportedMediaType,
                $"{e.Message} Use binary mode (ce- headers), application/cloudevents+json, application/cloudevents+protobuf " +
                "or application/cloudevents-batch+json.");
            return;
        }
        catch (CloudEventPayloadTooLargeException)
        {
            await guard.RejectAsync(context, StatusCodes.Status413PayloadTooLarge,
                $"The request body is larger than {_maxBodyBytes} bytes (Ingress:MaxBodyBytes).");
            return;
        }
        catch (CloudEventFormatException e)
        {
            await guard.RejectAsync(context, StatusCodes.Status400BadRequest,
                $"The request is not a valid CloudEvent: {e.Message}", [new ProblemError(e.AttributeName, e.Message)]);
            return;
        }

        if (!await ValidateAsync(context, caller, events))
        {
            return;
        }

        var ids = new string[events.Count];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = events[i].Id!;
        }

        PublishReceipt[] receipts;
        try
        {
            receipts = await PublishAsync(events, context.RequestAborted);
        }
        catch (PublishFailedException e)
        {
            IngressLog.PublishFailed(logger, request.Path.Value ?? string.Empty, e.Message);
            context.Response.Headers.RetryAfter = IngressRoutes.UnavailableRetryAfterSeconds;
            var batchNote = events.Count > 1 ? " Some events of the batch may have been stored; resending is safe, as consumers drop duplicates by id." : string.Empty;
            await ProblemResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"Kafka did not acknowledge the event(s), so the request was not accepted: {e.Message} Retry later.{batchNote}",
                ids: ids);
            return;
        }

        foreach (var cloudEvent in events)
        {
            metrics.EventAccepted(cloudEvent.Type!);
        }

        if (ids.Length > 0)
        {
            var spooled = receipts.Count(r => r.Spooled);
            if (spooled > 0)
            {
                IngressLog.EventsSpooled(logger, request.Path.Value ?? string.Empty, spooled, ids[0]);
            }

            if (spooled < ids.Length)
            {
                IngressLog.EventsPublished(logger, request.Path.Value ?? string.Empty, ids.Length - spooled, ids[0]);
            }
        }

        await AcceptedResponse.WriteAsync(context, StatusCodes.Status202Accepted, ids, receipts);
    }

    private async ValueTask<bool> ValidateAsync(HttpContext context, BridgeCaller caller, IReadOnlyList<CloudEvent> events)
    {
        var batch = events.Count > 1;
        for (var i = 0; i < events.Count; i++)
        {
            var cloudEvent = events[i];
            try
            {
                cloudEvent.Validate();
            }
            catch (CloudEventFormatException e)
            {
                var where = batch ? $"[{i}]" : null;
                var pointer = e.AttributeName is null ? where : where + (where is null ? string.Empty : ".") + e.AttributeName;
                await guard.RejectAsync(context, StatusCodes.Status400BadRequest,
                    $"{(batch ? $"Event {i} of the batch" : "The event")} is not valid: {e.Message}", [new ProblemError(pointer, e.Message)]);
                return false;
            }

            var what = batch ? $"event {i} of the batch (id '{cloudEvent.Id}')" : null;
            if (!await guard.AuthorizeEventAsync(context, caller, cloudEvent, what))
            {
                return false;
            }

            if (recordLimit.Check(cloudEvent) is { } tooLarge)
            {
                await guard.RejectAsync(context, StatusCodes.Status413PayloadTooLarge, IngressGuard.Sentence(what, tooLarge));
                return false;
            }
        }

        return true;
    }

    private async ValueTask<PublishReceipt[]> PublishAsync(IReadOnlyList<CloudEvent> events, CancellationToken cancellationToken)
    {
        if (events.Count == 1)
        {
            return [await publisher.PublishAsync(events[0], cancellationToken)];
        }

        // Publish a batch concurrently so its events share producer batches and one ack round trip.
        var pending = new Task<PublishReceipt>[events.Count];
        for (var i = 0; i < pending.Length; i++)
        {
            pending[i] = publisher.PublishAsync(events[i], cancellationToken).AsTask();
        }

        try
        {
            return await Task.WhenAll(pending);
        }
        catch (PublishFailedException)
        {
            // Task.WhenAll rethrows one failure; observe the others so none goes unobserved.
            foreach (var task in pending)
            {
                _ = task.Exception;
            }

            throw;
        }
    }
}
