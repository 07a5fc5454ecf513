namespace Bridge.Server.Tests.Infrastructure;

/// <summary>What a test needs of the Kafka the run uses (see <see cref="TestKafka"/>).</summary>
[Flags]
public enum KafkaNeeds
{
    None = 0,

    /// <summary>Topics can be created through the admin API (CreateTopics), which librdkafka's embedded cluster does not implement.</summary>
    TopicCreationThroughAdminApi = 1,
}

/// <summary>A fact that runs only when the run's Kafka has what it needs; otherwise it is skipped, saying why.</summary>
public sealed class KafkaFactAttribute : FactAttribute
{
    public KafkaFactAttribute(KafkaNeeds needs)
    {
        Needs = needs;
        if (needs.HasFlag(KafkaNeeds.TopicCreationThroughAdminApi) && TestKafka.Kind == TestKafkaKind.Embedded)
        {
            Skip = $"Needs topic creation through the admin API, which librdkafka's embedded cluster does not implement; "
                + $"runs against Kafka in a container (a Docker engine answering) or at {TestKafka.BootstrapServersVariable}.";
        }
    }

    public KafkaNeeds Needs { get; }
}
