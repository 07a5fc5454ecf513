using Bridge.CloudEvents;
using Bridge.Server.Flagger;
using Bridge.Server.Kafka;
using Bridge.Server.Observability;
using Bridge.Server.Spool;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Ingress;

/// <summary>
/// <c>POST /v1/flagger/events</c> and <c>POST /v1/flagger/hooks/{hookType}</c>: a Flagger payload
/// becomes one CloudEvent, acknowledged by Kafka or durably spooled before the answer.
/// </summary>
/// <remarks>
/// <para>Answers: 202 for event webhooks and non-gating hooks; 200 with <c>"gate":"open"</c> for
/// <c>confirm-rollout</c>, <c>confirm-traffic-increase</c> and <c>confirm-promotion</c> (gates are always
/// open); 403 "no rollback requested" for <c>rollback</c>, because Flagger rolls back on any 2xx. The gates
/// and <c>rollback</c> answer from the gate state even when neither Kafka nor the spool could take their event,
/// so a Kafka outage never halts or rolls back a rollout; the event is stored at a later poll.</para>
/// <para>Hooks Flagger polls every interval with an unchanged payload (the gates, <c>rollback</c> and
/// <c>rollout</c>) carry the same event id on every poll: an id already published, or being published by
/// a concurrent poll, is answered the same way without publishing again. Event webhooks carry Flagger's
/// timestamp, so every event has its own id; they are published every time, and a repeat (Flagger
/// retrying) is a duplicate consumers drop by id.</para>
/// <para>An event whose Kafka record would exceed the producer's limit is refused with 413 before anything
/// is published.</para>
/// </remarks>
internal sealed class FlaggerIngress(
    IngressGuard guard,
    FlaggerEventMapper mapper,
    GatePollDeduplicator deduplicator,
    SpoolingEventPublisher publisher,
    KafkaRecordLimit recordLimit,
    IngressMetrics metrics,
    IOptions<IngressOptions> options,
    TimeProvider timeProvider,
    ILogger<FlaggerIngress> logger)
{
    /// <summary>The gate state reported by the confirm hooks.</summary>
    public const string GateOpen = "open";

    private readonly int _maxBodyBytes = options.Value.MaxBodyBytes;

    /// <summary>Handles an event webhook.</summary>
    public Task HandleEventAsync(HttpContext context) => HandleAsync(context, FlaggerHookType.Event);

    /// <summary>Handles a hook; the hook type is the last path segment.</summary>
    public Task HandleHookAsync(HttpContext context)
    {
        var segment = context.Request.RouteValues[IngressRoutes.HookTypeParameter] as string;
        if (FlaggerHookTypes.TryParse(segment, out var hookType))
        {
            return HandleAsync(context, hookType);
        }

        return guard.RejectAsync(context, StatusCodes.Status404NotFound,
            $"Unknown Flagger hook type '{FlaggerPayloadException.Describe(segment ?? string.Empty)}'; " +
            $"use /v1/flagger/hooks/<type> with one of: {string.Join(", ", FlaggerHookTypes.Segments)}.");
    }

    /// <summary>Whether a Content-Type is <c>application/json</c>, parameters allowed, case-insensitive.</summary>
    internal static bool IsJsonContentType(string? contentType)
    {
        var mediaType = contentType.AsSpan();
        var parameters = mediaType.IndexOf(';');
        if (parameters >= 0)
        {
            mediaType = mediaType[..parameters];
        }

        return mediaType.Trim().Equals("application/json", StringComparison.OrdinalIgnoreCase);
    }

    private async Task HandleAsync(HttpContext context, FlaggerHookType hookType)
    {
        var admission = await guard.AdmitAsync(context);
        if (!admission.Admitted)
        {
            return;
        }

        var request = context.Request;
        if (!IsJsonContentType(request.ContentType))
        {
            var got = request.ContentType is { Length: > 0 } ct ? $"'{FlaggerPayloadException.Describe(ct)}'" : "none";
            await guard.RejectAsync(context, StatusCodes.Status415UnsupportedMediaType,
                $"Content-Type must be application/json (Flagger's webhook payload), got {got}.");
            return;
        }

        FlaggerPayload payload;
        Bridge.Server.Auth.BridgeCaller? caller;
        using (var body = await RequestBodyReader.ReadAsync(request, _maxBodyBytes, context.RequestAborted))
        {
            if (!body.IsWithinLimit)
            {
                await guard.RejectAsync(context, StatusCodes.Status413PayloadTooLarge,
                    $"The request body is larger than {_maxBodyBytes} bytes (Ingress:MaxBodyBytes); a Flagger payload is a few hundred bytes.");
                return;
            }

            caller = guard.Identify(admission, body.Span);
            if (caller is null)
            {
                await guard.RejectSignatureAsync(context);
                return;
            }

            try
            {
                payload = FlaggerPayloadParser.Parse(body.Span);
            }
            catch (FlaggerPayloadException e)
            {
                await guard.RejectAsync(context, StatusCodes.Status400BadRequest, e.Message, [new ProblemError(e.Field, e.Message)]);
                return;
            }
        }

        if (!await guard.AuthorizeAsync(context, caller, payload.Namespace))
        {
            return;
        }

        if (payload.Phase.Length > 0)
        {
            metrics.CanaryStatus(payload.Namespace, payload.Name, CanaryPhaseStatus.ToFlaggerStatus(payload.Phase));
        }

        CloudEvent cloudEvent;
        try
        {
            cloudEvent = mapper.Map(payload, hookType, timeProvider.GetUtcNow());
        }
        catch (CloudEventFormatException e)
        {
            await guard.RejectAsync(context, StatusCodes.Status400BadRequest,
                $"The payload cannot be turned into a CloudEvent: {e.Message}", [new ProblemError(e.AttributeName, e.Message)]);
            return;
        }

        if (recordLimit.Check(cloudEvent) is { } tooLarge)
        {
            await guard.RejectAsync(context, StatusCodes.Status413PayloadTooLarge, IngressGuard.Sentence(null, tooLarge));
            return;
        }

        var id = cloudEvent.Id!;
        PublishReceipt? published;
        try
        {
            published = hookType.IsPolled()
                ? await deduplicator.PublishOnceAsync(id, ct => publisher.PublishAsync(cloudEvent, ct), context.RequestAborted)
                : await publisher.PublishAsync(cloudEvent, context.RequestAborted);
        }
        catch (PublishFailedException e) when (IsGate(hookType))
        {
            // Flagger would take a failure as "gate closed" (or, for rollback, as no rollback): answer from the gate
            // state. The id is not marked published, so the next poll stores the event.
            IngressLog.GateAnsweredUnstored(logger, hookType, cloudEvent.Subject, id, e.Message);
            await AnswerAsync(context, hookType, payload, id, receipt: null, published: false);
            return;
        }
        catch (PublishFailedException e)
        {
            IngressLog.PublishFailed(logger, request.Path.Value ?? string.Empty, e.Message);
            context.Response.Headers.RetryAfter = IngressRoutes.UnavailableRetryAfterSeconds;
            await ProblemResponse.WriteAsync(context, StatusCodes.Status503ServiceUnavailable,
                $"Kafka did not acknowledge the event, so it was not accepted: {e.Message} Retry later.");
            return;
        }

        if (published is not { } receipt)
        {
            IngressLog.RepeatedPoll(logger, hookType, cloudEvent.Subject, id);
            await AnswerAsync(context, hookType, payload, id, receipt: null);
            return;
        }

        metrics.EventAccepted(cloudEvent.Type!);
        if (receipt.Spooled)
        {
            IngressLog.EventsSpooled(logger, request.Path.Value ?? string.Empty, 1, id);
        }
        else
        {
            IngressLog.EventsPublished(logger, request.Path.Value ?? string.Empty, 1, id);
        }

        await AnswerAsync(context, hookType, payload, id, receipt);
    }

    private static bool IsGate(FlaggerHookType hookType) =>
        hookType is FlaggerHookType.ConfirmRollout or FlaggerHookType.ConfirmTrafficIncrease or FlaggerHookType.ConfirmPromotion or FlaggerHookType.Rollback;

    private static Task AnswerAsync(HttpContext context, FlaggerHookType hookType, FlaggerPayload payload, string id, PublishReceipt? receipt, bool published = true)
    {
        switch (hookType)
        {
            case FlaggerHookType.ConfirmRollout or FlaggerHookType.ConfirmTrafficIncrease or FlaggerHookType.ConfirmPromotion:
                return AcceptedResponse.WriteAsync(context, StatusCodes.Status200OK, id, receipt, GateOpen, published);
            case FlaggerHookType.Rollback:
                // Flagger rolls back on any status up to 202; 403 is the loadtester's "no".
                return ProblemResponse.WriteAsync(context, StatusCodes.Status403Forbidden,
                    $"No rollback was requested for {payload.Namespace}/{payload.Name}; the analysis continues.",
                    title: "No rollback requested",
                    ids: [id]);
            default:
                return AcceptedResponse.WriteAsync(context, StatusCodes.Status202Accepted, id, receipt);
        }
    }
}
