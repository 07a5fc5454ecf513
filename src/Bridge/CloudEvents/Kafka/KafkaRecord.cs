namespace Bridge.CloudEvents.Kafka;

/// <summary>
/// A Kafka record as the CloudEvents Kafka protocol binding sees it: key, headers and value.
/// It keeps this library free of any Kafka client; a service maps it to its client's message type
/// in one place.
/// </summary>
/// <param name="Key">The record key as UTF-8 text, or <c>null</c> for a record without a key.</param>
/// <param name="Headers">The record headers in wire order. Must not be null; may be empty. A name may repeat.</param>
/// <param name="Value">The record value, or <c>null</c> for a null value (a tombstone). Empty is not null.</param>
public sealed record KafkaRecord(string? Key, IReadOnlyList<KafkaHeader> Headers, byte[]? Value);

/// <summary>One Kafka record header: a case-sensitive name and raw bytes.</summary>
/// <param name="Name">The header name. Must not be null.</param>
/// <param name="Value">The header value, or <c>null</c> for a header without a value.</param>
public sealed record KafkaHeader(string Name, byte[]? Value);
