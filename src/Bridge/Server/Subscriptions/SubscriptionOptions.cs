namespace Bridge.Server.Subscriptions;

/// <summary>
/// Settings of gRPC subscriptions and publishing. Section <c>Subscriptions</c>, for example:
/// <code>
/// "Subscriptions": {
///   "DefaultMaxInFlight": 100, "MaxMaxInFlight": 10000, "CommitInterval": "00:00:00.100",
///   "MaxEventsPerPublish": 1000, "SessionTimeout": "00:00:10", "HeartbeatInterval": "00:00:01",
///   "CloseTimeout": "00:00:05", "AckGracePeriod": "00:00:02"
/// }
/// </code>
/// </summary>
internal sealed class SubscriptionOptions
{
    public const string SectionName = "Subscriptions";

    /// <summary>Unacked deliveries a stream may have when its open request says 0 (1 to <see cref="MaxMaxInFlight"/>). Default 100.</summary>
    public int DefaultMaxInFlight { get; set; } = 100;

    /// <summary>The largest <c>max_in_flight</c> a client may ask for (1-1000000); larger requests are rejected. Default 10000.</summary>
    public int MaxMaxInFlight { get; set; } = 10000;

    /// <summary>
    /// Records a stream reads ahead of its deliveries (at least 1). Above it the stream's consumer pauses
    /// fetching until half of them were delivered. Default 1000.
    /// </summary>
    public int ReadAheadRecords { get; set; } = 1000;

    /// <summary>
    /// How often acknowledged offsets are committed (10 ms to 1 min; librdkafka <c>auto.commit.interval.ms</c>,
    /// committed in the background and skipped while the group rebalances). Default 100 ms.
    /// </summary>
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Events one Publish request may carry (1-100000). Default 1000.</summary>
    public int MaxEventsPerPublish { get; set; } = 1000;

    /// <summary>
    /// Kafka consumer group session timeout (librdkafka <c>session.timeout.ms</c>, 1 s to 5 min): how long a
    /// bridge that vanished keeps its partitions before another stream gets them. Default 10 s.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Consumer group heartbeat interval (librdkafka <c>heartbeat.interval.ms</c>, below
    /// <see cref="SessionTimeout"/>): also how quickly a stream notices a rebalance. Default 1 s.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a Kafka request made while partitions are assigned or revoked (committed offsets,
    /// offsets for a timestamp, commits) may take (1 s to 2 min). Default 10 s.
    /// </summary>
    public TimeSpan KafkaRequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Delivered but not yet committed offsets remembered per subscription to number redeliveries
    /// (attempt 2, 3, ...) (1000-10000000); the oldest are forgotten beyond it. Default 100000.
    /// </summary>
    public int MaxRememberedDeliveries { get; set; } = 100_000;

    /// <summary>
    /// How long stopping a stream waits for its Kafka consumer to commit the acks received and leave the
    /// consumer group (1 s to 2 min). Past it the stream ends anyway (Kafka does not answer) and what was not
    /// committed is delivered again. Keep <see cref="AckGracePeriod"/> plus this below
    /// <c>Hosting:ShutdownTimeout</c>. Default 5 s.
    /// </summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// On a graceful stop of the bridge, how long a Subscribe stream that stopped sending deliveries waits for
    /// the acks of those still in flight before it commits and ends with UNAVAILABLE (0 to 1 min; 0 does not
    /// wait). Default 2 s.
    /// </summary>
    public TimeSpan AckGracePeriod { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the gRPC health status checks that Kafka answers (1 s to 10 min). Default 5 s.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(5);
}
