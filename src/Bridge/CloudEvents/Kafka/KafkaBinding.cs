using System.Collections.Concurrent;
using System.Text;
using System.Text.Unicode;
using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents.Kafka;

/// <summary>
/// The CloudEvents Kafka protocol binding between <see cref="CloudEvent"/> and <see cref="KafkaRecord"/>.
/// </summary>
/// <remarks>
/// <para>Binary mode: every attribute but <c>datacontenttype</c> is a <c>ce_</c> header holding the canonical string as
/// plain UTF-8 (no percent-encoding); <c>datacontenttype</c> is the <c>content-type</c> header; the value is the data
/// bytes, and an event without data has a null value (a zero-length value is empty data). Structured mode: the value is
/// the JSON format and <c>content-type</c> is <c>application/cloudevents+json; charset=UTF-8</c>; the value is never null.</para>
/// <para>Protobuf data: in binary mode the value is the message bytes (not the <c>Any</c>) and <c>content-type</c> names
/// the type URL in a <c>proto</c> parameter, for example <c>application/protobuf; proto=pkg.Msg</c> (see
/// <see cref="MediaTypes.WithProtobufTypeUrl"/>). A binary-mode record whose <c>content-type</c> is protobuf with that
/// parameter decodes to Proto data, and the parameter leaves <c>datacontenttype</c>, so an event comes back as it was
/// sent. Timestamps (<c>ce_time</c>) are written to the nanosecond.</para>
/// <para>Key: an explicit key wins; otherwise the <c>partitionkey</c> attribute is copied unchanged (and still sent as
/// an attribute); otherwise there is no key. Decoding never derives <c>partitionkey</c> from the key.</para>
/// <para>Decoding: a <c>content-type</c> starting with <c>application/cloudevents</c> (case-insensitive) is structured
/// (JSON or protobuf; a batch media type is rejected, another format throws
/// <see cref="CloudEventUnsupportedMediaTypeException"/>); anything else is binary. Header names are case-sensitive:
/// only lower-case <c>ce_</c> headers are attributes. A repeated <c>ce_</c> or <c>content-type</c> header is rejected.
/// A <c>ce_datacontenttype</c> header is ignored: <c>content-type</c> alone gives <c>datacontenttype</c>.
/// Extensions from headers are Strings with their exact text, except the known extensions, which are parsed.</para>
/// </remarks>
public static class KafkaBinding
{
    /// <summary>The header carrying <c>datacontenttype</c> (binary) or the format's media type (structured).</summary>
    public const string ContentTypeHeader = "content-type";

    /// <summary>The prefix of attribute headers (case-sensitive).</summary>
    public const string HeaderPrefix = "ce_";

    private const int MaxCachedHeaderNames = 1024;

    private static readonly string[] CoreHeaderNames = CloudEventAttributes.Core.Select(a => HeaderPrefix + a.Name).ToArray();
    private static readonly byte[] SpecVersionBytes = Encoding.UTF8.GetBytes(CloudEventAttributes.SpecVersionValue);
    private static readonly byte[] StructuredContentTypeBytes = Encoding.UTF8.GetBytes(MediaTypes.CloudEventsJsonUtf8);
    private static readonly ConcurrentDictionary<string, string> ExtensionHeaderNames = new(StringComparer.Ordinal);

    /// <summary>Converts an event to a record.</summary>
    /// <param name="cloudEvent">The event. Must not be null; must be valid.</param>
    /// <param name="mode">Binary or structured.</param>
    /// <param name="key">The record key; when null, <c>partitionkey</c> is used if present, else the record has no key.</param>
    /// <returns>A new record. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The event is not valid.</exception>
    public static KafkaRecord ToRecord(CloudEvent cloudEvent, KafkaContentMode mode, string? key = null)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        cloudEvent.Validate();
        key ??= cloudEvent[CloudEventAttributes.PartitionKey.Name] as string;

        if (mode == KafkaContentMode.Structured)
        {
            return new KafkaRecord(key, [new KafkaHeader(ContentTypeHeader, StructuredContentTypeBytes.AsSpan().ToArray())], JsonEventFormat.Encode(cloudEvent));
        }

        if (mode != KafkaContentMode.Binary)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown content mode");
        }

        var headers = new List<KafkaHeader>(6 + cloudEvent.ExtensionCount);
        headers.Add(new KafkaHeader(CoreHeaderNames[0], SpecVersionBytes.AsSpan().ToArray()));
        IReadOnlyList<CloudEventAttribute> core = CloudEventAttributes.Core;
        for (int i = 1; i < CoreHeaderNames.Length; i++)
        {
            if (i == CloudEventAttributes.DataContentType.CoreIndex)
            {
                continue;
            }

            if (cloudEvent.GetCoreValue(i) is { } value)
            {
                headers.Add(new KafkaHeader(CoreHeaderNames[i], Utf8(value, core[i].Type)));
            }
        }

        if (cloudEvent.ExtensionList is { } extensions)
        {
            foreach (KeyValuePair<CloudEventAttribute, object> entry in extensions)
            {
                headers.Add(new KafkaHeader(ExtensionHeaderName(entry.Key.Name), Utf8(entry.Value, entry.Key.Type)));
            }
        }

        if (JsonEventFormat.EffectiveContentType(cloudEvent) is { } contentType)
        {
            headers.Add(new KafkaHeader(ContentTypeHeader, Encoding.UTF8.GetBytes(contentType)));
        }

        byte[]? recordValue = cloudEvent.Data.IsNone ? null : cloudEvent.Data.ToBytes().ToArray();
        return new KafkaRecord(key, headers, recordValue);
    }

    /// <summary>Converts a record to a validated event. The record key is not an attribute.</summary>
    /// <param name="record">The record. Must not be null.</param>
    /// <returns>The valid event. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The record is not a valid CloudEvent (including a batch media type).</exception>
    /// <exception cref="CloudEventUnsupportedMediaTypeException">The structured format is not supported.</exception>
    public static CloudEvent FromRecord(KafkaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(record.Headers, nameof(record));
        string? contentType = GetContentType(record);
        if (MediaTypes.IsCloudEventsBatch(contentType))
        {
            throw new CloudEventFormatException(
                $"Content type {TextRules.Quote(contentType)} is a batch media type; the Kafka binding has no batch mode");
        }

        if (MediaTypes.IsCloudEvents(contentType))
        {
            if (record.Value == null)
            {
                throw new CloudEventFormatException("A structured-mode record must have a value, but the value is null");
            }

            ReadOnlySpan<char> essence = MediaTypes.Essence(contentType!);
            if (essence.Equals(MediaTypes.CloudEventsJson, StringComparison.OrdinalIgnoreCase))
            {
                return JsonEventFormat.Decode(record.Value);
            }

            if (essence.Equals(MediaTypes.CloudEventsProtobuf, StringComparison.OrdinalIgnoreCase))
            {
                return ProtobufEventFormat.Decode(record.Value);
            }

            throw new CloudEventUnsupportedMediaTypeException(contentType!,
                $"Structured content type {TextRules.Quote(contentType)} is not supported (supported: {MediaTypes.CloudEventsJson}, {MediaTypes.CloudEventsProtobuf})");
        }

        return FromBinaryRecord(record, contentType);
    }

    /// <summary>
    /// Whether a record claims to be a CloudEvent: a structured <c>content-type</c> (not batch) or a
    /// <c>ce_specversion</c> header. It does not validate the event.
    /// </summary>
    /// <param name="record">The record. Must not be null.</param>
    /// <returns>True when the record is in structured or binary CloudEvents form.</returns>
    public static bool IsCloudEvent(KafkaRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        string specVersionHeader = CoreHeaderNames[0];
        foreach (KafkaHeader header in record.Headers)
        {
            if (header.Name == specVersionHeader)
            {
                return true;
            }
        }

        string? contentType;
        try
        {
            contentType = GetContentType(record);
        }
        catch (CloudEventFormatException)
        {
            return false;
        }

        return MediaTypes.IsCloudEvents(contentType) && !MediaTypes.IsCloudEventsBatch(contentType);
    }

    /// <summary>The event type Knative's KafkaSource gives records that are not CloudEvents.</summary>
    public const string WrappedEventType = "dev.knative.kafka.event";

    /// <summary>
    /// Wraps a record that is not a CloudEvent the way Knative's KafkaSource does: type <c>dev.knative.kafka.event</c>,
    /// source <c>/apis/v1/namespaces/&lt;ns&gt;/kafkasources/&lt;name&gt;#&lt;topic&gt;</c>, subject
    /// <c>partition:&lt;p&gt;#&lt;offset&gt;</c>, id <c>partition:&lt;p&gt;/offset:&lt;offset&gt;</c>, time from the record
    /// timestamp, <c>datacontenttype</c> from a valid <c>content-type</c> header, the key as the <c>key</c> extension,
    /// and every other header as <c>kafkaheader&lt;name&gt;</c> (name lower-cased and stripped to <c>a-z0-9</c>).
    /// </summary>
    /// <remarks>
    /// A header whose value is not valid UTF-8 or not a valid String is left out rather than failing the record; a
    /// header without a value becomes an empty String. When two header names collapse to the same attribute, the
    /// later one wins. The value becomes the data as in binary mode (null value: no data).
    /// </remarks>
    /// <param name="record">The record. Must not be null.</param>
    /// <param name="origin">Where the record came from. Must not be null.</param>
    /// <param name="setPartitionKey">Also set <c>partitionkey</c> to a non-empty key, as the Kafka broker data plane does.</param>
    /// <returns>A valid event. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The origin gives an invalid source (for example an empty topic).</exception>
    public static CloudEvent WrapRecord(KafkaRecord record, KafkaRecordOrigin origin, bool setPartitionKey = false)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(origin);
        string partition = origin.Partition.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string offset = origin.Offset.ToString(System.Globalization.CultureInfo.InvariantCulture);
        var cloudEvent = new CloudEvent
        {
            Id = $"partition:{partition}/offset:{offset}",
            Source = $"/apis/v1/namespaces/{origin.SourceNamespace}/kafkasources/{origin.SourceName}#{origin.Topic}",
            Type = WrappedEventType,
            Subject = $"partition:{partition}#{offset}",
            Time = origin.Timestamp,
        };

        string? contentType = null;
        foreach (KafkaHeader header in record.Headers)
        {
            string? value = header.Value == null ? string.Empty
                : System.Text.Unicode.Utf8.IsValid(header.Value) ? Encoding.UTF8.GetString(header.Value) : null;
            if (header.Name == ContentTypeHeader)
            {
                contentType = value != null && MediaTypes.IsValid(value) ? value : null;
                continue;
            }

            if (value == null || TextRules.CheckString(value) != null)
            {
                continue;
            }

            cloudEvent.SetExtension(WrappedHeaderName(header.Name), value);
        }

        if (record.Key != null && TextRules.CheckString(record.Key) == null)
        {
            cloudEvent.SetExtension("key", record.Key);
            if (setPartitionKey && record.Key.Length > 0)
            {
                cloudEvent.SetExtension(CloudEventAttributes.PartitionKey.Name, record.Key);
            }
        }

        cloudEvent.DataContentType = contentType;
        if (record.Value != null)
        {
            DataClassifier.SetBody(cloudEvent, contentType, record.Value);
        }

        return cloudEvent;
    }

    private static string WrappedHeaderName(string headerName)
    {
        var sb = new StringBuilder("kafkaheader", 11 + headerName.Length);
        foreach (char c in headerName)
        {
            char lower = char.ToLowerInvariant(c);
            if ((lower >= 'a' && lower <= 'z') || (lower >= '0' && lower <= '9'))
            {
                sb.Append(lower);
            }
        }

        return sb.ToString();
    }

    private static CloudEvent FromBinaryRecord(KafkaRecord record, string? contentType)
    {
        var cloudEvent = new CloudEvent();
        bool specVersionSeen = false;
        List<string>? seenExtensions = null;
        int seenCore = 0;
        IReadOnlyList<KafkaHeader> headers = record.Headers;
        for (int h = 0; h < headers.Count; h++)
        {
            KafkaHeader header = headers[h];
            string headerName = header.Name;
            if (!headerName.StartsWith(HeaderPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            ReadOnlySpan<char> nameSpan = headerName.AsSpan(HeaderPrefix.Length);
            CloudEventAttribute? core = CloudEventAttributes.GetCore(nameSpan);
            string name = core?.Name ?? nameSpan.ToString();
            if (core == null && !TextRules.IsValidAttributeName(name))
            {
                throw new CloudEventFormatException(name, $"{TextRules.DescribeInvalidName(name)} (header {TextRules.Quote(headerName)})");
            }

            if (core != null)
            {
                int bit = 1 << core.CoreIndex;
                if ((seenCore & bit) != 0)
                {
                    throw Repeated(name);
                }

                seenCore |= bit;
            }
            else
            {
                seenExtensions ??= new List<string>(4);
                if (seenExtensions.Contains(name))
                {
                    throw Repeated(name);
                }

                seenExtensions.Add(name);
            }

            if (header.Value == null)
            {
                throw new CloudEventFormatException(name, $"Attribute '{name}' header '{headerName}' has no value");
            }

            if (core == CloudEventAttributes.SpecVersion)
            {
                if (!header.Value.AsSpan().SequenceEqual(SpecVersionBytes))
                {
                    throw new CloudEventFormatException(name, $"Attribute 'specversion' is {TextRules.Quote(DecodeLenient(header.Value))}; only '1.0' is supported");
                }

                specVersionSeen = true;
                continue;
            }

            if (core == CloudEventAttributes.DataContentType)
            {
                // The content-type header is authoritative; the binding forbids sending this header, so it is ignored.
                continue;
            }

            string value = DecodeUtf8(name, header.Value);
            if (core != null)
            {
                cloudEvent.SetAttribute(core, value);
                continue;
            }

            CloudEventAttribute? known = CloudEventAttributes.GetKnownExtension(name);
            if (known != null)
            {
                cloudEvent.AddValidatedExtension(known, known.Validate(value));
            }
            else
            {
                var attribute = new CloudEventAttribute(name, CloudEventAttributeType.String, false, true, -1, false);
                cloudEvent.AddValidatedExtension(attribute, attribute.CheckText(value));
            }
        }

        if (!specVersionSeen)
        {
            throw new CloudEventFormatException("specversion",
                "Required attribute 'specversion' is missing: a binary-mode CloudEvent record needs a 'ce_specversion' header");
        }

        if (contentType != null)
        {
            cloudEvent.DataContentType = contentType;
        }

        if (record.Value != null)
        {
            DataClassifier.SetBody(cloudEvent, contentType, record.Value);
        }

        cloudEvent.Validate();
        return cloudEvent;
    }

    private static string? GetContentType(KafkaRecord record)
    {
        string? contentType = null;
        bool seen = false;
        IReadOnlyList<KafkaHeader> headers = record.Headers;
        for (int h = 0; h < headers.Count; h++)
        {
            KafkaHeader header = headers[h];
            if (header.Name != ContentTypeHeader)
            {
                continue;
            }

            if (seen)
            {
                throw new CloudEventFormatException("datacontenttype", "Header 'content-type' appears more than once");
            }

            seen = true;
            contentType = header.Value == null ? null : DecodeUtf8("datacontenttype", header.Value);
        }

        return contentType;
    }

    private static string DecodeUtf8(string name, byte[] value)
    {
        if (!System.Text.Unicode.Utf8.IsValid(value))
        {
            throw new CloudEventFormatException(name, $"Attribute '{name}' header value is not valid UTF-8");
        }

        return Encoding.UTF8.GetString(value);
    }

    private static string DecodeLenient(byte[] value) => Encoding.UTF8.GetString(value);

    private static byte[] Utf8(object value, CloudEventAttributeType type) =>
        value is string s ? Encoding.UTF8.GetBytes(s) : Encoding.UTF8.GetBytes(CanonicalString.Format(value, type));

    private static string ExtensionHeaderName(string name)
    {
        if (ExtensionHeaderNames.TryGetValue(name, out string? headerName))
        {
            return headerName;
        }

        headerName = HeaderPrefix + name;

        // Bounded so arbitrary extension names from untrusted input cannot grow the cache without limit.
        if (ExtensionHeaderNames.Count < MaxCachedHeaderNames)
        {
            ExtensionHeaderNames.TryAdd(name, headerName);
        }

        return headerName;
    }

    private static CloudEventFormatException Repeated(string name) =>
        new(name, $"Attribute '{name}' appears more than once (repeated header '{HeaderPrefix}{name}')");
}
