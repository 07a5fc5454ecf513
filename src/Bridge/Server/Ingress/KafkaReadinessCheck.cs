using Bridge.Server.Kafka;
using Bridge.Server.Spool;

namespace Bridge.Server.Ingress;

/// <summary>
/// Ready while the spool has room (events Kafka does not take in time are spooled, so Flagger can keep
/// posting during a Kafka outage) or, when it has none or is disabled, while a Kafka broker answers a
/// metadata request for the events topic in time. Before Kafka first answered since start, the connection's
/// reason is the answer, without asking Kafka again. Not ready names both reasons.
/// </summary>
internal sealed class KafkaReadinessCheck(KafkaConnection connection, KafkaEventPublisher publisher, SpoolingEventPublisher spooling, SpoolStore spool) : IReadinessCheck
{
    public string Name => "kafka";

    public async ValueTask<string?> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        // The spool answers without a network round trip, so a probe stays quick while Kafka is down.
        var spoolProblem = spooling.SpoolEnabled ? spool.RoomProblem() : null;
        if (spooling.SpoolEnabled && spoolProblem is null)
        {
            return null;
        }

        var kafkaProblem = connection.HasConnected
            ? await publisher.CheckBrokerAsync(timeout).WaitAsync(cancellationToken)
            : connection.Problem;
        return kafkaProblem is null || spoolProblem is null
            ? kafkaProblem
            : $"{kafkaProblem} Events cannot be spooled either: {spoolProblem}";
    }
}
