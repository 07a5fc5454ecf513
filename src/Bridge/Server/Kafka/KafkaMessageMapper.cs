using System.Text;
using Bridge.CloudEvents.Kafka;
using Confluent.Kafka;

namespace Bridge.Server.Kafka;

/// <summary>
/// The one place where the CloudEvents binding's <see cref="KafkaRecord"/> meets Confluent.Kafka's types.
/// Keys travel as UTF-8 bytes; headers keep their order, repeats and null values.
/// </summary>
internal static class KafkaMessageMapper
{
    public static Message<byte[]?, byte[]?> ToMessage(KafkaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var headers = new Headers();
        foreach (var header in record.Headers)
        {
            headers.Add(header.Name, header.Value);
        }

        return new Message<byte[]?, byte[]?>
        {
            Key = record.Key is null ? null : Encoding.UTF8.GetBytes(record.Key),
            Value = record.Value,
            Headers = headers,
        };
    }

    /// <remarks>
    /// A key that is not valid UTF-8 (written by another producer) is decoded with replacement characters:
    /// the key is transport metadata, never an event attribute.
    /// </remarks>
    public static KafkaRecord ToRecord(Message<byte[]?, byte[]?> message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var headers = message.Headers is { Count: > 0 } source ? new KafkaHeader[source.Count] : [];
        for (var i = 0; i < headers.Length; i++)
        {
            var header = message.Headers[i];
            headers[i] = new KafkaHeader(header.Key, header.GetValueBytes());
        }

        return new KafkaRecord(message.Key is null ? null : Encoding.UTF8.GetString(message.Key), headers, message.Value);
    }

    public static KafkaRecord ToRecord(ConsumeResult<byte[]?, byte[]?> result)
    {
        ArgumentNullException.ThrowIfNull(result);
        return ToRecord(result.Message);
    }
}
