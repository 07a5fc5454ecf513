namespace Bridge.CloudEvents.Kafka;

/// <summary>Where a consumed record came from, for wrapping records that are not CloudEvents.</summary>
/// <param name="SourceNamespace">The namespace of the consuming source (the <c>&lt;ns&gt;</c> of the event source). Must not be null or empty.</param>
/// <param name="SourceName">The name of the consuming source. Must not be null or empty.</param>
/// <param name="Topic">The topic. Must not be null or empty.</param>
/// <param name="Partition">The partition.</param>
/// <param name="Offset">The offset within the partition.</param>
/// <param name="Timestamp">The record timestamp, or null when the record has none.</param>
public sealed record KafkaRecordOrigin(string SourceNamespace, string SourceName, string Topic, int Partition, long Offset, DateTimeOffset? Timestamp);
