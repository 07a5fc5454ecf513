using System.Text;
using Bridge.CloudEvents.Internal;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using PbBatch = Bridge.CloudEvents.Protobuf.CloudEventBatch;
using PbEvent = Bridge.CloudEvents.Protobuf.CloudEvent;
using PbValue = Bridge.CloudEvents.Protobuf.CloudEvent.Types.CloudEventAttributeValue;

namespace Bridge.CloudEvents;

/// <summary>
/// The CloudEvents protobuf format (<c>application/cloudevents+protobuf</c>, batch
/// <c>application/cloudevents-batch+protobuf</c>) using the generated <see cref="Protobuf.CloudEvent"/>.
/// </summary>
/// <remarks>
/// <para>Decoding validates like every other input: the required attributes must be the explicit fields
/// (non-empty) and never entries of <c>attributes</c>; every map key must be a valid attribute name; every map
/// value must have a member set, and it must match the attribute's type (<c>time</c> uses <c>ce_timestamp</c>,
/// <c>dataschema</c> <c>ce_uri</c>, <c>datacontenttype</c> and <c>subject</c> <c>ce_string</c>; the known
/// Integer extensions also accept their canonical string in <c>ce_string</c>). When decoding bytes, a map key that
/// appears twice on the wire is rejected as a duplicate attribute, and string fields must be valid UTF-8 (the generated
/// parser would silently replace bad bytes). Unknown fields are skipped.</para>
/// <para>Data: <c>binary_data</c> ↔ <see cref="CloudEventDataKind.Binary"/>, <c>proto_data</c> ↔
/// <see cref="CloudEventDataKind.Proto"/>, <c>text_data</c> ↔ <see cref="CloudEventDataKind.Text"/>.
/// <see cref="CloudEventDataKind.Json"/> data is sent as <c>text_data</c> holding the JSON text, with
/// <c>datacontenttype</c> set to <c>application/json</c> when the event has none; on decoding, <c>text_data</c>
/// whose <c>datacontenttype</c> declares JSON and that holds one JSON value becomes Json data again. Text data
/// without a content type is sent with <c>text/plain; charset=utf-8</c>.</para>
/// <para>Data schema policy: <c>dataschema</c> is always the core attribute, an absolute URI. The type URL of
/// <c>proto_data</c> (for example <c>type.googleapis.com/pkg.Msg</c>, which has no scheme) lives in the
/// <see cref="Any"/>: it is never copied into <c>dataschema</c>, and a <c>dataschema</c> that is not an absolute URI is
/// rejected even when it equals the type URL, because such an event could not be re-sent in any other format. Where
/// only bytes travel, the type URL rides in the content type instead (see <see cref="MediaTypes.WithProtobufTypeUrl"/>).
/// A type URL must be printable ASCII with a <c>/</c> before the message name.</para>
/// <para>Timestamps (<c>ce_timestamp</c>) keep their nanoseconds (see <see cref="CloudEventTimestamp"/>).</para>
/// </remarks>
public static class ProtobufEventFormat
{
    /// <summary>Converts an event to the protobuf message.</summary>
    /// <param name="cloudEvent">The event. Must not be null; must be valid.</param>
    /// <returns>A new message. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The event is not valid.</exception>
    public static PbEvent ToProto(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        cloudEvent.Validate();
        var message = new PbEvent
        {
            Id = cloudEvent.Id,
            Source = cloudEvent.Source,
            SpecVersion = CloudEventAttributes.SpecVersionValue,
            Type = cloudEvent.Type,
        };

        CloudEventData data = cloudEvent.Data;
        string? contentType = cloudEvent.DataContentType ?? data.Kind switch
        {
            CloudEventDataKind.Json => MediaTypes.Json,
            CloudEventDataKind.Text => MediaTypes.TextPlainUtf8,
            _ => null,
        };
        if (contentType != null)
        {
            message.Attributes.Add("datacontenttype", new PbValue { CeString = contentType });
        }

        if (cloudEvent.DataSchema is { } schema)
        {
            message.Attributes.Add("dataschema", new PbValue { CeUri = schema });
        }

        if (cloudEvent.Subject is { } subject)
        {
            message.Attributes.Add("subject", new PbValue { CeString = subject });
        }

        if (cloudEvent.PreciseTime is { } time)
        {
            message.Attributes.Add("time", new PbValue { CeTimestamp = time.ToProtobufTimestamp() });
        }

        if (cloudEvent.ExtensionList is { } extensions)
        {
            foreach (KeyValuePair<CloudEventAttribute, object> entry in extensions)
            {
                message.Attributes.Add(entry.Key.Name, ToValue(entry.Key.Type, entry.Value));
            }
        }

        switch (data.Kind)
        {
            case CloudEventDataKind.Binary:
                // The payload is immutable, so the bytes can be shared.
                message.BinaryData = UnsafeByteOperations.UnsafeWrap(data.Bytes);
                break;
            case CloudEventDataKind.Text:
                message.TextData = data.Text;
                break;
            case CloudEventDataKind.Json:
                message.TextData = Encoding.UTF8.GetString(data.Bytes.Span);
                break;
            case CloudEventDataKind.Proto:
                message.ProtoData = data.Proto!.Clone();
                break;
        }

        return message;
    }

    /// <summary>Converts a protobuf message to a validated event.</summary>
    /// <param name="message">The message. Must not be null.</param>
    /// <returns>The valid event. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The message is not a valid CloudEvent.</exception>
    public static CloudEvent FromProto(PbEvent message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message.SpecVersion.Length == 0)
        {
            throw new CloudEventFormatException("specversion", "Required attribute 'specversion' is missing (spec_version is empty)");
        }

        if (message.SpecVersion != CloudEventAttributes.SpecVersionValue)
        {
            throw new CloudEventFormatException("specversion",
                $"Attribute 'specversion' is {TextRules.Quote(message.SpecVersion)}; only '1.0' is supported");
        }

        var cloudEvent = new CloudEvent();
        SetRequired(cloudEvent, CloudEventAttributes.Id, message.Id);
        SetRequired(cloudEvent, CloudEventAttributes.Source, message.Source);
        SetRequired(cloudEvent, CloudEventAttributes.Type, message.Type);

        foreach (KeyValuePair<string, PbValue> entry in message.Attributes)
        {
            ReadAttribute(cloudEvent, entry.Key, entry.Value);
        }

        switch (message.DataCase)
        {
            case PbEvent.DataOneofCase.BinaryData:
                cloudEvent.Data = CloudEventData.FromBytes(message.BinaryData.Memory);
                break;
            case PbEvent.DataOneofCase.TextData:
                string text = message.TextData;
                string? contentType = cloudEvent.DataContentType;
                if (contentType != null && MediaTypes.IsJson(contentType))
                {
                    byte[] utf8 = Encoding.UTF8.GetBytes(text);
                    cloudEvent.Data = CloudEventData.IsJsonValue(utf8) ? CloudEventData.FromValidatedJson(utf8) : CloudEventData.FromText(text);
                }
                else
                {
                    cloudEvent.Data = CloudEventData.FromText(text);
                }

                break;
            case PbEvent.DataOneofCase.ProtoData:
                Any any = message.ProtoData;
                if (string.IsNullOrEmpty(any.TypeUrl))
                {
                    throw new CloudEventFormatException("data", "Member 'proto_data' has an empty type URL");
                }

                if (MediaTypes.CheckTypeUrl(any.TypeUrl) is { } reason)
                {
                    throw new CloudEventFormatException("data", $"Member 'proto_data' has an invalid type URL {TextRules.Quote(any.TypeUrl)}: {reason}");
                }

                cloudEvent.Data = CloudEventData.FromProto(any.Clone());
                break;
        }

        cloudEvent.Validate();
        return cloudEvent;
    }

    /// <summary>Converts events to a batch message.</summary>
    /// <param name="events">The events. Must not be null, nor contain null; every event must be valid.</param>
    /// <returns>A new batch. Never null.</returns>
    /// <exception cref="CloudEventFormatException">An event is not valid; the message names its index.</exception>
    public static PbBatch ToProtoBatch(IEnumerable<CloudEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        var batch = new PbBatch();
        foreach (CloudEvent cloudEvent in events)
        {
            ArgumentNullException.ThrowIfNull(cloudEvent, nameof(events));
            try
            {
                batch.Events.Add(ToProto(cloudEvent));
            }
            catch (CloudEventFormatException e)
            {
                throw new CloudEventFormatException(e.AttributeName, $"Batch element {batch.Events.Count}: {e.Message}", e);
            }
        }

        return batch;
    }

    /// <summary>Converts a batch message to validated events (in order).</summary>
    /// <param name="batch">The batch. Must not be null.</param>
    /// <returns>The events. Never null.</returns>
    /// <exception cref="CloudEventFormatException">An event is not valid; the message names its index.</exception>
    public static IReadOnlyList<CloudEvent> FromProtoBatch(PbBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var events = new List<CloudEvent>(batch.Events.Count);
        foreach (PbEvent message in batch.Events)
        {
            try
            {
                events.Add(FromProto(message));
            }
            catch (CloudEventFormatException e)
            {
                throw new CloudEventFormatException(e.AttributeName, $"Batch element {events.Count}: {e.Message}", e);
            }
        }

        return events;
    }

    /// <summary>Encodes one event as <c>application/cloudevents+protobuf</c>.</summary>
    /// <param name="cloudEvent">The event. Must not be null; must be valid.</param>
    /// <returns>The serialized message. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The event is not valid.</exception>
    public static byte[] Encode(CloudEvent cloudEvent) => ToProto(cloudEvent).ToByteArray();

    /// <summary>Decodes one <c>application/cloudevents+protobuf</c> event.</summary>
    /// <param name="data">The serialized message.</param>
    /// <returns>The valid event. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The bytes are not a valid protobuf CloudEvent, or an attribute repeats.</exception>
    public static CloudEvent Decode(ReadOnlySpan<byte> data)
    {
        PbEvent message;
        try
        {
            message = PbEvent.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException e)
        {
            // Google.Protobuf 3.36 rejects invalid UTF-8 in string fields itself; the scan names the attribute.
            if (ProtoWireScanner.Check(data) is { } found)
            {
                throw new CloudEventFormatException(found.Attribute, found.Message, e);
            }

            throw new CloudEventFormatException($"The protobuf CloudEvent is malformed: {e.Message}", e);
        }

        if (ProtoWireScanner.Check(data) is { } problem)
        {
            throw new CloudEventFormatException(problem.Attribute, problem.Message);
        }

        return FromProto(message);
    }

    /// <summary>Encodes events as <c>application/cloudevents-batch+protobuf</c>.</summary>
    /// <param name="events">The events. Must not be null, nor contain null; every event must be valid.</param>
    /// <returns>The serialized batch. Never null.</returns>
    /// <exception cref="CloudEventFormatException">An event is not valid.</exception>
    public static byte[] EncodeBatch(IEnumerable<CloudEvent> events) => ToProtoBatch(events).ToByteArray();

    /// <summary>Decodes an <c>application/cloudevents-batch+protobuf</c> body.</summary>
    /// <param name="data">The serialized batch.</param>
    /// <returns>The events, in order. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The bytes are malformed or an event is invalid; the message names its index.</exception>
    public static IReadOnlyList<CloudEvent> DecodeBatch(ReadOnlySpan<byte> data)
    {
        PbBatch batch;
        try
        {
            batch = PbBatch.Parser.ParseFrom(data);
        }
        catch (InvalidProtocolBufferException e)
        {
            if (ProtoWireScanner.CheckBatch(data) is { } invalidUtf8)
            {
                throw new CloudEventFormatException(invalidUtf8.Problem.Attribute, $"Batch element {invalidUtf8.Index}: {invalidUtf8.Problem.Message}", e);
            }

            throw new CloudEventFormatException($"The protobuf CloudEventBatch is malformed: {e.Message}", e);
        }

        if (ProtoWireScanner.CheckBatch(data) is { } found)
        {
            throw new CloudEventFormatException(found.Problem.Attribute, $"Batch element {found.Index}: {found.Problem.Message}");
        }

        return FromProtoBatch(batch);
    }

    private static void SetRequired(CloudEvent cloudEvent, CloudEventAttribute attribute, string value)
    {
        if (value.Length == 0)
        {
            throw new CloudEventFormatException(attribute.Name, $"Required attribute '{attribute.Name}' is missing or empty");
        }

        cloudEvent.SetAttribute(attribute, value);
    }

    private static void ReadAttribute(CloudEvent cloudEvent, string name, PbValue value)
    {
        if (!TextRules.IsValidAttributeName(name))
        {
            throw new CloudEventFormatException(name, $"{TextRules.DescribeInvalidName(name)} (key in 'attributes')");
        }

        CloudEventAttribute? core = CloudEventAttributes.GetCore(name);
        if (core is { IsRequired: true })
        {
            throw new CloudEventFormatException(name, $"Required attribute '{name}' must be the explicit field, not an entry in 'attributes'");
        }

        if (value.AttrCase == PbValue.AttrOneofCase.None)
        {
            throw new CloudEventFormatException(name, $"Attribute '{name}' has no value (no member of 'attr' is set)");
        }

        CloudEventAttributeType actual = TypeOf(value.AttrCase);
        CloudEventAttribute? defined = core ?? CloudEventAttributes.GetKnownExtension(name);
        if (defined != null && defined.Type != actual
            && !(defined.IsExtension && defined.Type != CloudEventAttributeType.String && actual == CloudEventAttributeType.String))
        {
            throw new CloudEventFormatException(name,
                $"Attribute '{name}' is of type {defined.Type} and must use {MemberName(defined.Type)}, not {MemberName(actual)}");
        }

        object raw = value.AttrCase switch
        {
            PbValue.AttrOneofCase.CeBoolean => value.CeBoolean,
            PbValue.AttrOneofCase.CeInteger => value.CeInteger,
            PbValue.AttrOneofCase.CeString => value.CeString,
            PbValue.AttrOneofCase.CeBytes => value.CeBytes.ToByteArray(),
            PbValue.AttrOneofCase.CeUri => value.CeUri,
            PbValue.AttrOneofCase.CeUriRef => value.CeUriRef,
            _ => ToTimestamp(name, value.CeTimestamp),
        };

        if (core != null)
        {
            cloudEvent.SetAttribute(core, raw);
            return;
        }

        CloudEventAttribute attribute = defined ?? new CloudEventAttribute(name, actual, false, true, -1, false);
        cloudEvent.AddValidatedExtension(attribute, attribute.Validate(raw));
    }

    private static CloudEventTimestamp ToTimestamp(string name, Timestamp timestamp)
    {
        string? reason = CloudEventTimestamp.TryFromUnixTime(timestamp.Seconds, timestamp.Nanos, out CloudEventTimestamp result);
        return reason == null
            ? result
            : throw new CloudEventFormatException(name,
                $"Attribute '{name}' is not a valid timestamp: seconds={timestamp.Seconds}, nanos={timestamp.Nanos} (outside 0001-01-01..9999-12-31 or nanos outside 0..999999999)");
    }

    private static PbValue ToValue(CloudEventAttributeType type, object value) => type switch
    {
        CloudEventAttributeType.Boolean => new PbValue { CeBoolean = (bool)value },
        CloudEventAttributeType.Integer => new PbValue { CeInteger = (int)value },
        CloudEventAttributeType.String => new PbValue { CeString = (string)value },
        CloudEventAttributeType.Binary => new PbValue { CeBytes = ByteString.CopyFrom((byte[])value) },
        CloudEventAttributeType.Uri => new PbValue { CeUri = (string)value },
        CloudEventAttributeType.UriReference => new PbValue { CeUriRef = (string)value },
        _ => new PbValue { CeTimestamp = ((CloudEventTimestamp)value).ToProtobufTimestamp() },
    };

    private static CloudEventAttributeType TypeOf(PbValue.AttrOneofCase member) => member switch
    {
        PbValue.AttrOneofCase.CeBoolean => CloudEventAttributeType.Boolean,
        PbValue.AttrOneofCase.CeInteger => CloudEventAttributeType.Integer,
        PbValue.AttrOneofCase.CeString => CloudEventAttributeType.String,
        PbValue.AttrOneofCase.CeBytes => CloudEventAttributeType.Binary,
        PbValue.AttrOneofCase.CeUri => CloudEventAttributeType.Uri,
        PbValue.AttrOneofCase.CeUriRef => CloudEventAttributeType.UriReference,
        _ => CloudEventAttributeType.Timestamp,
    };

    private static string MemberName(CloudEventAttributeType type) => type switch
    {
        CloudEventAttributeType.Boolean => "ce_boolean",
        CloudEventAttributeType.Integer => "ce_integer",
        CloudEventAttributeType.String => "ce_string",
        CloudEventAttributeType.Binary => "ce_bytes",
        CloudEventAttributeType.Uri => "ce_uri",
        CloudEventAttributeType.UriReference => "ce_uri_ref",
        _ => "ce_timestamp",
    };
}
