using Bridge.CloudEvents.Kafka;

namespace Bridge.Server.Kafka;

/// <summary>
/// Where and how the bridge writes events to Kafka. Section <c>Kafka</c>, for example:
/// <code>
/// "Kafka": {
///   "BootstrapServers": "kafka-0.kafka:9092,kafka-1.kafka:9092",
///   "Topic": "flagger-events",
///   "Common": { "security.protocol": "SASL_SSL", "sasl.mechanism": "SCRAM-SHA-512", "sasl.username": "bridge" },
///   "SaslPasswordFile": "/var/run/secrets/kafka/password"
/// }
/// </code>
/// With no bootstrap servers the bridge starts librdkafka's in-process cluster (in memory, for development).
/// With bootstrap servers the bridge never waits for Kafka at start: it connects and ensures the topic in the
/// background, retrying with backoff (<see cref="RetryBackoff"/> doubling up to <see cref="MaxRetryBackoff"/>).
/// </summary>
internal sealed class KafkaOptions
{
    public const string SectionName = "Kafka";

    /// <summary>Comma-separated <c>host:port</c> of a real cluster. Default empty: start the embedded cluster.</summary>
    public string BootstrapServers { get; set; } = string.Empty;

    /// <summary>Topic the events go to. Default <c>flagger-events</c>.</summary>
    public string Topic { get; set; } = "flagger-events";

    /// <summary>Partitions of the topic when the bridge creates it (1-10000). Default 6.</summary>
    public int Partitions { get; set; } = 6;

    /// <summary>
    /// Replication factor of the topic when the bridge creates it (1-32767). Default 3; the embedded cluster
    /// uses at most its broker count.
    /// </summary>
    public int ReplicationFactor { get; set; } = 3;

    /// <summary>Brokers of the embedded cluster (1-32). Default 3. Ignored with <see cref="BootstrapServers"/>.</summary>
    public int EmbeddedBrokers { get; set; } = 3;

    /// <summary>CloudEvents Kafka content mode: <c>Binary</c> (<c>ce_</c> headers, data as value; default) or <c>Structured</c>.</summary>
    public KafkaContentMode ContentMode { get; set; } = KafkaContentMode.Binary;

    /// <summary>
    /// How long the producer tries to get an event acknowledged (librdkafka <c>message.timeout.ms</c>),
    /// retries included; after it the publish fails and ingress answers 503. 100 ms to 1 h. Default 5 s.
    /// </summary>
    public TimeSpan ProduceTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How long the producer waits to batch events (librdkafka <c>linger.ms</c>, 0-900000, below
    /// <see cref="ProduceTimeout"/>). Each publish waits for its ack, so this adds directly to request latency.
    /// Default 1.
    /// </summary>
    public int LingerMs { get; set; } = 1;

    /// <summary>Kafka <c>client.id</c> of the bridge's clients. Default <c>flagger-bridge</c>.</summary>
    public string ClientId { get; set; } = "flagger-bridge";

    /// <summary>librdkafka properties for every client (e.g. <c>security.protocol</c>, <c>sasl.*</c>, <c>ssl.*</c>).</summary>
    public Dictionary<string, string> Common { get; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for the producer only; they win over <see cref="Common"/>.</summary>
    public Dictionary<string, string> Producer { get; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka properties for consumers only; they win over <see cref="Common"/>.</summary>
    public Dictionary<string, string> Consumer { get; } = new(StringComparer.Ordinal);

    /// <summary>File holding <c>sasl.password</c> (a mounted secret; surrounding whitespace is ignored). Default none.</summary>
    public string? SaslPasswordFile { get; set; }

    /// <summary>File holding <c>ssl.key.password</c> (a mounted secret; surrounding whitespace is ignored). Default none.</summary>
    public string? SslKeyPasswordFile { get; set; }

    /// <summary>
    /// How long one attempt to reach Kafka (a metadata request, creating the topic) waits for an answer before it
    /// counts as failed. 100 ms to 5 min. Default 5 s.
    /// </summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Wait before the next attempt after Kafka could not be reached or the topic not be made usable; it doubles
    /// with each failed attempt up to <see cref="MaxRetryBackoff"/>. 10 ms to 1 min. Default 1 s.
    /// </summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts to reach Kafka (at least <see cref="RetryBackoff"/>, at most 10 min). Default 10 s.</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How often the bridge checks that Kafka still answers once it is connected. 100 ms to 10 min. Default 10 s.</summary>
    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>True when no bootstrap servers are configured and the bridge runs its own cluster.</summary>
    public bool UsesEmbeddedCluster => string.IsNullOrWhiteSpace(BootstrapServers);
}
