using Bridge.Server.Kafka;

namespace Bridge.Server.Ingress;

/// <summary>Ready when a Kafka broker answers a metadata request for the events topic in time.</summary>
internal sealed class KafkaReadinessCheck(KafkaEventPublisher publisher) : IReadinessCheck
{
    public string Name => "kafka";

    public async ValueTask<string?> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await publisher.CheckBrokerAsync(timeout).WaitAsync(cancellationToken);
}
