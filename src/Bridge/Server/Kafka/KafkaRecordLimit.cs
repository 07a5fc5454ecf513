using System.Diagnostics;
using System.Globalization;
using System.Text;
using Bridge.CloudEvents;
using Bridge.CloudEvents.Kafka;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Kafka;

/// <summary>
/// The largest record the producer takes (librdkafka's <c>message.max.bytes</c>) and the size of an
/// event's record as librdkafka counts it, so that an event that can never be produced is refused
/// before producing (HTTP 413, gRPC INVALID_ARGUMENT) instead of failing like an outage.
/// </summary>
/// <remarks>
/// <para>librdkafka refuses a record when its worst-case framing in the v2 record format, plus key, value and
/// headers, exceeds <c>message.max.bytes</c> (<c>rd_kafka_msg_new0</c> with <c>rd_kafka_msg_max_wire_size</c>);
/// <see cref="SizeOf(KafkaRecord)"/> is that sum. The broker and the topic (<c>max.message.bytes</c>) may
/// set a lower limit of their own.</para>
/// <para>With tracing on, the publisher gives an event that has no <c>traceparent</c> the context of its
/// send span (<c>traceparent</c>, and <c>tracestate</c> when the trace has one) after this check, so
/// <see cref="Check"/> leaves room for them: under a hundred bytes without a tracestate, counted whether
/// or not tracing is on.</para>
/// </remarks>
internal sealed class KafkaRecordLimit
{
    /// <summary>The librdkafka property of the limit.</summary>
    public const string Property = "message.max.bytes";

    /// <summary>librdkafka's default of <see cref="Property"/>.</summary>
    public const int DefaultMaxBytes = 1_000_000;

    // Varint lengths at their largest: length (int32), attributes (1 byte), timestamp delta (int64),
    // offset delta, key length, value length and header count (int32 each).
    private const int RecordOverhead = 5 + 1 + 10 + 5 + 5 + 5 + 5;

    // A W3C traceparent ("00-<32 hex>-<16 hex>-<2 hex>").
    private const int TraceParentLength = 55;

    private readonly KafkaContentMode _mode;

    /// <param name="options">The Kafka options; the limit comes from <c>Kafka:Producer</c>, else <c>Kafka:Common</c>. Must not be null.</param>
    public KafkaRecordLimit(IOptions<KafkaOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var value = options.Value;
        _mode = value.ContentMode;
        (MaxBytes, Key) = Read(value.Producer, "Producer") ?? Read(value.Common, "Common") ?? (DefaultMaxBytes, $"{KafkaOptions.SectionName}:Producer:{Property}");
    }

    /// <summary>The largest record, in bytes, as librdkafka counts it.</summary>
    public int MaxBytes { get; }

    /// <summary>The configuration key the limit comes from, for messages.</summary>
    public string Key { get; }

    /// <summary>Why the record of <paramref name="cloudEvent"/> cannot be produced, or null when it fits.</summary>
    /// <param name="cloudEvent">A valid event. Must not be null.</param>
    /// <returns>Null, or a sentence naming the size and the limit, starting in lower case.</returns>
    public string? Check(CloudEvent cloudEvent)
    {
        var size = SizeOf(cloudEvent) + TraceContextAllowance(cloudEvent);
        return size <= MaxBytes
            ? null
            : $"the event would be a Kafka record of {size} bytes (key, value and headers), more than the {MaxBytes} bytes the producer accepts " +
              $"({Key}, librdkafka's {Property}, default {DefaultMaxBytes}); send less data, or raise {Property} and the topic's max.message.bytes.";
    }

    /// <summary>The size librdkafka counts for the record of <paramref name="cloudEvent"/> in the configured content mode.</summary>
    /// <param name="cloudEvent">A valid event. Must not be null.</param>
    public long SizeOf(CloudEvent cloudEvent) => SizeOf(KafkaBinding.ToRecord(cloudEvent, _mode));

    /// <summary>
    /// The bytes the trace context the publisher may add takes in the record: none when the event has a
    /// <c>traceparent</c>, else a <c>traceparent</c> and the current trace's <c>tracestate</c>.
    /// </summary>
    /// <param name="cloudEvent">The event. Must not be null.</param>
    public long TraceContextAllowance(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        if (cloudEvent[CloudEventAttributes.TraceParent.Name] is not null)
        {
            return 0;
        }

        var traceState = Activity.Current?.TraceStateString?.Length ?? 0;
        if (_mode == KafkaContentMode.Structured)
        {
            // ,"traceparent":"…" and ,"tracestate":"…" with every tracestate character escaped at worst.
            return 17 + TraceParentLength + (traceState == 0 ? 0 : 16 + (2 * traceState));
        }

        return HeaderSize(KafkaBinding.HeaderPrefix + CloudEventAttributes.TraceParent.Name, TraceParentLength)
            + (traceState == 0 ? 0 : HeaderSize(KafkaBinding.HeaderPrefix + CloudEventAttributes.TraceState.Name, traceState));
    }

    /// <summary>The size librdkafka counts for <paramref name="record"/>.</summary>
    /// <param name="record">The record. Must not be null.</param>
    public static long SizeOf(KafkaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        long size = RecordOverhead + (record.Key is null ? 0 : Encoding.UTF8.GetByteCount(record.Key)) + (record.Value?.Length ?? 0);
        foreach (var header in record.Headers)
        {
            size += HeaderSize(header.Name, header.Value?.Length ?? 0);
        }

        return size;
    }

    private static long HeaderSize(string name, int valueLength)
    {
        var nameLength = Encoding.UTF8.GetByteCount(name);
        return nameLength + valueLength + ZigZagVarintLength(nameLength) + ZigZagVarintLength(valueLength);
    }

    private static (int, string)? Read(Dictionary<string, string> properties, string section) =>
        properties.TryGetValue(Property, out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? (value, $"{KafkaOptions.SectionName}:{section}:{Property}")
            : null;

    private static int ZigZagVarintLength(long value)
    {
        var encoded = (ulong)((value << 1) ^ (value >> 63));
        var length = 1;
        while (encoded >= 0x80)
        {
            encoded >>= 7;
            length++;
        }

        return length;
    }
}
