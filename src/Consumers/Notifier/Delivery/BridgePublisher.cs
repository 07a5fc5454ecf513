using Bridge.Client;
using Bridge.Client.Internal;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Delivery;

/// <summary>
/// Publishes the notifier's own events through the bridge's gRPC <c>Publish</c>, with the subscriber's credentials:
/// the token (or its file, read on every call like the subscriber does on every connect, so a rotated secret is
/// picked up) comes from the same <see cref="SubscriberOptions"/>.
/// </summary>
internal sealed class BridgePublisher(EventBridgeClient client, Func<SubscriberOptions> subscriber) : IBridgePublisher
{
    public async Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        var options = new Grpc.Core.CallOptions(headers: SubscriberSetup.AuthorizationHeaders(subscriber()), cancellationToken: cancellationToken);
        PublishResponse response = await client.PublishAsync([cloudEvent], options).ConfigureAwait(false);
        PublishResult? result = response.Results.FirstOrDefault();
        if (result is null || result.OutcomeCase != PublishResult.OutcomeOneofCase.Accepted)
        {
            string why = result?.Error is { } error ? $"code {error.Code}: {error.Message}" : "no result";
            throw new InvalidOperationException($"The bridge did not accept event {cloudEvent.Id} ({cloudEvent.Type}): {why}");
        }
    }
}
