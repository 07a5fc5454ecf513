using Bridge.Client;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Delivery;

/// <summary>Publishes the notifier's own events through the bridge's gRPC <c>Publish</c>.</summary>
internal sealed class BridgePublisher(EventBridgeClient client) : IBridgePublisher
{
    public async Task PublishAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        PublishResponse response = await client.PublishAsync([cloudEvent], new Grpc.Core.CallOptions(cancellationToken: cancellationToken)).ConfigureAwait(false);
        PublishResult? result = response.Results.FirstOrDefault();
        if (result is null || result.OutcomeCase != PublishResult.OutcomeOneofCase.Accepted)
        {
            string why = result?.Error is { } error ? $"code {error.Code}: {error.Message}" : "no result";
            throw new InvalidOperationException($"The bridge did not accept event {cloudEvent.Id} ({cloudEvent.Type}): {why}");
        }
    }
}
