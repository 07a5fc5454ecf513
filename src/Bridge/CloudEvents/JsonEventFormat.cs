using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;
using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents;

/// <summary>
/// The CloudEvents JSON event format (<c>application/cloudevents+json</c>) and its batch
/// (<c>application/cloudevents-batch+json</c>).
/// </summary>
/// <remarks>
/// <para>Decoding is strict: duplicate members, object or array attribute values, non-integral or out-of-range
/// numbers, wrong JSON types for core attributes, invalid names, both <c>data</c> and <c>data_base64</c>, and
/// invalid Base64 are rejected. A <c>null</c> attribute means unset. Unknown extensions take their type from the
/// JSON value (boolean, integer, string); a JSON string is kept as a String with its exact text.</para>
/// <para>Data: <c>data_base64</c> gives <see cref="CloudEventDataKind.Binary"/>. <c>data</c> with a JSON or absent
/// <c>datacontenttype</c> gives <see cref="CloudEventDataKind.Json"/> holding the member's exact bytes (a JSON
/// string stays a string; <c>"data": null</c> is <see cref="CloudEventData.JsonNull"/>). <c>data</c> with any other
/// content type must be a JSON string and gives <see cref="CloudEventDataKind.Text"/>; <c>null</c> there means no data.
/// A <c>data_base64</c> of <c>null</c> counts as absent.</para>
/// <para>Encoding: Binary and Proto data (the packed message bytes) go to <c>data_base64</c>; Json data is written as
/// the JSON value itself when the content type declares JSON, else as a string; Text data is a JSON string. An event
/// without <c>datacontenttype</c> gets <c>application/json</c> for Json data, <c>text/plain; charset=utf-8</c> for
/// Text data and <c>application/protobuf</c> for Proto data; none is added for Binary data. The <c>datacontenttype</c>
/// of Proto data names the message type in its <c>proto</c> parameter (<see cref="MediaTypes.WithProtobufTypeUrl"/>),
/// and decoding turns <c>data_base64</c> under such a content type back into Proto data with that type URL, removing
/// the parameter again. Timestamps are written in UTC with up to nine fraction digits.</para>
/// </remarks>
public static class JsonEventFormat
{
    private const ulong DataBit = 1UL << 8;
    private const ulong DataBase64Bit = 1UL << 9;

    private static readonly JsonEncodedText[] CoreNames =
    [
        JsonEncodedText.Encode("specversion"), JsonEncodedText.Encode("id"), JsonEncodedText.Encode("source"),
        JsonEncodedText.Encode("type"), JsonEncodedText.Encode("datacontenttype"), JsonEncodedText.Encode("dataschema"),
        JsonEncodedText.Encode("subject"), JsonEncodedText.Encode("time"),
    ];

    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");
    private static readonly JsonEncodedText DataBase64Name = JsonEncodedText.Encode("data_base64");
    private static readonly JsonEncodedText SpecVersionValue = JsonEncodedText.Encode(CloudEventAttributes.SpecVersionValue);

    // Multiple values are allowed only so trailing content gets a clear message instead of a generic reader error.
    private static readonly JsonReaderOptions ReaderOptions = new() { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64, AllowMultipleValues = true };

    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Output is a message body, never embedded in HTML, so only what JSON itself requires is escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = false,
    };

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? cachedBuffer;

    [ThreadStatic]
    private static Utf8JsonWriter? cachedWriter;

    /// <summary>Decodes one event.</summary>
    /// <param name="utf8Json">The UTF-8 JSON object.</param>
    /// <returns>The valid event. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The input is not one valid CloudEvent in the JSON format.</exception>
    public static CloudEvent Decode(ReadOnlySpan<byte> utf8Json)
    {
        CheckUtf8(utf8Json);
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        try
        {
            if (!reader.Read())
            {
                throw new CloudEventFormatException("The JSON event is empty");
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                throw new CloudEventFormatException($"A JSON event must be an object, not {Describe(reader.TokenType)}");
            }

            CloudEvent result = ReadEvent(ref reader, utf8Json);
            if (reader.Read())
            {
                throw new CloudEventFormatException($"Unexpected content after the event at byte {reader.TokenStartIndex}");
            }

            return result;
        }
        catch (JsonException e)
        {
            throw InvalidJson(e);
        }
        catch (InvalidOperationException e)
        {
            throw new CloudEventFormatException($"Invalid JSON string near byte {reader.BytesConsumed}: {e.Message}", e);
        }
    }

    /// <summary>Decodes a batch: a JSON array of events, processed in order. <c>[]</c> gives an empty list.</summary>
    /// <param name="utf8Json">The UTF-8 JSON array.</param>
    /// <returns>The valid events. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The input is not an array, or an element is not a valid event; the message names the element index.</exception>
    public static IReadOnlyList<CloudEvent> DecodeBatch(ReadOnlySpan<byte> utf8Json)
    {
        CheckUtf8(utf8Json);
        var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
        var events = new List<CloudEvent>();
        try
        {
            if (!reader.Read())
            {
                throw new CloudEventFormatException("The JSON batch is empty");
            }

            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw new CloudEventFormatException($"A JSON batch must be an array, not {Describe(reader.TokenType)}");
            }

            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new CloudEventFormatException($"Batch element {events.Count} must be an object, not {Describe(reader.TokenType)}");
                }

                try
                {
                    events.Add(ReadEvent(ref reader, utf8Json));
                }
                catch (CloudEventFormatException e)
                {
                    throw new CloudEventFormatException(e.AttributeName, $"Batch element {events.Count}: {e.Message}", e);
                }
            }

            if (reader.Read())
            {
                throw new CloudEventFormatException($"Unexpected content after the batch at byte {reader.TokenStartIndex}");
            }

            return events;
        }
        catch (JsonException e)
        {
            throw InvalidJson(e);
        }
        catch (InvalidOperationException e)
        {
            throw new CloudEventFormatException($"Invalid JSON string near byte {reader.BytesConsumed}: {e.Message}", e);
        }
    }

    /// <summary>Encodes one event.</summary>
    /// <param name="cloudEvent">The event. Must not be null; must be valid.</param>
    /// <returns>The UTF-8 JSON object. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The event is not valid.</exception>
    public static byte[] Encode(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        cloudEvent.Validate();
        (ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer) = RentWriter();
        try
        {
            WriteEvent(cloudEvent, writer);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ReturnWriter(buffer, writer);
        }
    }

    /// <summary>Writes one event as a JSON object (the writer is not flushed).</summary>
    /// <param name="cloudEvent">The event. Must not be null; must be valid.</param>
    /// <param name="writer">The writer. Must not be null.</param>
    /// <exception cref="CloudEventFormatException">The event is not valid.</exception>
    public static void Encode(CloudEvent cloudEvent, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        ArgumentNullException.ThrowIfNull(writer);
        cloudEvent.Validate();
        WriteEvent(cloudEvent, writer);
    }

    /// <summary>Writes one event into a buffer writer.</summary>
    /// <param name="cloudEvent">The event. Must not be null; must be valid.</param>
    /// <param name="output">The destination. Must not be null.</param>
    /// <exception cref="CloudEventFormatException">The event is not valid.</exception>
    public static void Encode(CloudEvent cloudEvent, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new Utf8JsonWriter(output, WriterOptions);
        Encode(cloudEvent, writer);
        writer.Flush();
    }

    /// <summary>Encodes a batch as a JSON array (empty input gives <c>[]</c>).</summary>
    /// <param name="events">The events. Must not be null, nor contain null; every event must be valid.</param>
    /// <returns>The UTF-8 JSON array. Never null.</returns>
    /// <exception cref="CloudEventFormatException">An event is not valid; the message names its index.</exception>
    public static byte[] EncodeBatch(IEnumerable<CloudEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        (ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer) = RentWriter();
        try
        {
            EncodeBatch(events, writer);
            writer.Flush();
            return buffer.WrittenSpan.ToArray();
        }
        finally
        {
            ReturnWriter(buffer, writer);
        }
    }

    /// <summary>Writes a batch as a JSON array (the writer is not flushed).</summary>
    /// <param name="events">The events. Must not be null, nor contain null; every event must be valid.</param>
    /// <param name="writer">The writer. Must not be null.</param>
    /// <exception cref="CloudEventFormatException">An event is not valid; the message names its index.</exception>
    public static void EncodeBatch(IEnumerable<CloudEvent> events, Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartArray();
        int index = 0;
        foreach (CloudEvent cloudEvent in events)
        {
            ArgumentNullException.ThrowIfNull(cloudEvent, nameof(events));
            try
            {
                cloudEvent.Validate();
            }
            catch (CloudEventFormatException e)
            {
                throw new CloudEventFormatException(e.AttributeName, $"Batch element {index}: {e.Message}", e);
            }

            WriteEvent(cloudEvent, writer);
            index++;
        }

        writer.WriteEndArray();
    }

    /// <summary>
    /// The content type encoders write where data travels as bytes: the event's own, else a default that matches the
    /// data kind; for Proto data with the type URL in its <c>proto</c> parameter.
    /// </summary>
    internal static string? EffectiveContentType(CloudEvent cloudEvent) => cloudEvent.Data.Kind switch
    {
        CloudEventDataKind.Proto => MediaTypes.WithProtobufTypeUrl(cloudEvent.DataContentType, cloudEvent.Data.Proto!.TypeUrl),
        _ when cloudEvent.DataContentType != null => cloudEvent.DataContentType,
        CloudEventDataKind.Json => MediaTypes.Json,
        CloudEventDataKind.Text => MediaTypes.TextPlainUtf8,
        _ => null,
    };

    private static void WriteEvent(CloudEvent cloudEvent, Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString(CoreNames[0], SpecVersionValue);
        for (int i = 1; i < 8; i++)
        {
            object? value = cloudEvent.GetCoreValue(i);
            if (i == 4)
            {
                value = EffectiveContentType(cloudEvent);
            }

            if (value is string s)
            {
                writer.WriteString(CoreNames[i], s);
            }
            else if (value is CloudEventTimestamp time)
            {
                WriteTimestamp(writer, CoreNames[i], time);
            }
        }

        List<KeyValuePair<CloudEventAttribute, object>>? extensions = cloudEvent.ExtensionList;
        if (extensions != null)
        {
            foreach (KeyValuePair<CloudEventAttribute, object> entry in extensions)
            {
                string name = entry.Key.Name;
                switch (entry.Value)
                {
                    case bool b:
                        writer.WriteBoolean(name, b);
                        break;
                    case int n:
                        writer.WriteNumber(name, n);
                        break;
                    case string s:
                        writer.WriteString(name, s);
                        break;
                    case byte[] bytes:
                        writer.WriteBase64String(name, bytes);
                        break;
                    case CloudEventTimestamp t:
                        WriteTimestamp(writer, JsonEncodedText.Encode(name), t);
                        break;
                }
            }
        }

        CloudEventData data = cloudEvent.Data;
        switch (data.Kind)
        {
            case CloudEventDataKind.Binary:
                writer.WriteBase64String(DataBase64Name, data.Bytes.Span);
                break;
            case CloudEventDataKind.Proto:
                writer.WriteBase64String(DataBase64Name, data.Proto!.Value.Span);
                break;
            case CloudEventDataKind.Text:
                writer.WriteString(DataName, data.Text);
                break;
            case CloudEventDataKind.Json:
                string? contentType = cloudEvent.DataContentType;
                if (contentType == null || MediaTypes.IsJson(contentType))
                {
                    writer.WritePropertyName(DataName);

                    // The bytes were validated when the payload was created.
                    writer.WriteRawValue(data.Bytes.Span, skipInputValidation: true);
                }
                else
                {
                    writer.WriteString(DataName, Encoding.UTF8.GetString(data.Bytes.Span));
                }

                break;
        }

        writer.WriteEndObject();
    }

    private static void WriteTimestamp(Utf8JsonWriter writer, JsonEncodedText name, CloudEventTimestamp time)
    {
        Span<char> buffer = stackalloc char[Rfc3339.MaxLength];
        int length = Rfc3339.Format(time, buffer);
        writer.WriteString(name, buffer[..length]);
    }

    private static CloudEvent ReadEvent(ref Utf8JsonReader reader, ReadOnlySpan<byte> input)
    {
        var cloudEvent = new CloudEvent();
        ulong seen = 0;
        bool specVersionSet = false;
        List<string>? seenExtensions = null;
        int dataStart = -1;
        int dataEnd = -1;
        JsonTokenType dataToken = JsonTokenType.None;
        byte[]? dataBase64 = null;

        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            long memberStart = reader.TokenStartIndex;
            ReadOnlySpan<byte> name;
            if (!reader.ValueIsEscaped)
            {
                name = reader.ValueSpan;
            }
            else
            {
                byte[] unescaped = new byte[reader.ValueSpan.Length];
                name = unescaped.AsSpan(0, reader.CopyString(unescaped));
            }

            CloudEventAttribute? coreAttribute = CloudEventAttributes.GetCore(name);
            if (coreAttribute != null)
            {
                ulong bit = 1UL << coreAttribute.CoreIndex;
                if ((seen & bit) != 0)
                {
                    throw Duplicate(coreAttribute.Name, memberStart);
                }

                seen |= bit;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new CloudEventFormatException(coreAttribute.Name,
                        $"Attribute '{coreAttribute.Name}' must be a JSON string (type {coreAttribute.Type}), not {Describe(reader.TokenType)}, at byte {reader.TokenStartIndex}");
                }

                if (coreAttribute.CoreIndex == 0)
                {
                    if (!reader.ValueTextEquals("1.0"u8))
                    {
                        throw new CloudEventFormatException("specversion",
                            $"Attribute 'specversion' is {TextRules.Quote(reader.GetString())}; only '1.0' is supported");
                    }

                    specVersionSet = true;
                    continue;
                }

                cloudEvent.SetAttribute(coreAttribute, reader.GetString());
                continue;
            }

            if (name.SequenceEqual("data"u8))
            {
                if ((seen & DataBit) != 0)
                {
                    throw Duplicate("data", memberStart);
                }

                seen |= DataBit;
                reader.Read();
                dataToken = reader.TokenType;
                dataStart = (int)reader.TokenStartIndex;
                if (dataToken is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }

                dataEnd = (int)reader.BytesConsumed;
                continue;
            }

            if (name.SequenceEqual("data_base64"u8))
            {
                if ((seen & DataBase64Bit) != 0)
                {
                    throw Duplicate("data_base64", memberStart);
                }

                seen |= DataBase64Bit;
                reader.Read();
                if (reader.TokenType == JsonTokenType.Null)
                {
                    continue;
                }

                if (reader.TokenType != JsonTokenType.String)
                {
                    throw new CloudEventFormatException("data_base64",
                        $"Member 'data_base64' must be a JSON string, not {Describe(reader.TokenType)}, at byte {reader.TokenStartIndex}");
                }

                string? reason = reader.ValueIsEscaped
                    ? CanonicalString.TryParseBase64(reader.GetString().AsSpan(), out dataBase64)
                    : CanonicalString.TryParseBase64(reader.ValueSpan, out dataBase64);
                if (reason != null)
                {
                    throw new CloudEventFormatException("data_base64", $"Member 'data_base64' is not valid Base64 ({reason})");
                }

                continue;
            }

            string extensionName = Encoding.UTF8.GetString(name);
            if (!TextRules.IsValidAttributeName(name))
            {
                throw new CloudEventFormatException(extensionName, $"{TextRules.DescribeInvalidName(extensionName)} (member at byte {memberStart})");
            }

            seenExtensions ??= new List<string>(4);
            if (seenExtensions.Contains(extensionName))
            {
                throw Duplicate(extensionName, memberStart);
            }

            seenExtensions.Add(extensionName);
            reader.Read();
            ReadExtension(ref reader, cloudEvent, extensionName);
        }

        if (!specVersionSet)
        {
            throw new CloudEventFormatException("specversion", "Required attribute 'specversion' is missing");
        }

        if (dataBase64 != null && dataToken is not (JsonTokenType.None or JsonTokenType.Null))
        {
            throw new CloudEventFormatException("data", "Members 'data' and 'data_base64' must not both be present");
        }

        if (dataBase64 != null)
        {
            if (!DataClassifier.TrySetProto(cloudEvent, cloudEvent.DataContentType, dataBase64))
            {
                cloudEvent.Data = CloudEventData.FromBytes(dataBase64);
            }
        }
        else if (dataToken != JsonTokenType.None)
        {
            cloudEvent.Data = ReadData(input[dataStart..dataEnd], dataToken, cloudEvent.DataContentType);
        }

        cloudEvent.Validate();
        return cloudEvent;
    }

    private static CloudEventData ReadData(ReadOnlySpan<byte> raw, JsonTokenType token, string? contentType)
    {
        if (contentType == null || MediaTypes.IsJson(contentType))
        {
            return token == JsonTokenType.Null ? CloudEventData.JsonNull : CloudEventData.FromValidatedJson(raw.ToArray());
        }

        if (token == JsonTokenType.Null)
        {
            return CloudEventData.None;
        }

        if (token != JsonTokenType.String)
        {
            throw new CloudEventFormatException("data",
                $"Attribute 'data' must be a JSON string because datacontenttype {TextRules.Quote(contentType)} is not JSON, not {Describe(token)}");
        }

        var reader = new Utf8JsonReader(raw, ReaderOptions);
        reader.Read();
        return CloudEventData.FromText(reader.GetString()!);
    }

    private static void ReadExtension(ref Utf8JsonReader reader, CloudEvent cloudEvent, string name)
    {
        CloudEventAttribute? known = CloudEventAttributes.GetKnownExtension(name);
        object value;
        CloudEventAttributeType type;
        switch (reader.TokenType)
        {
            case JsonTokenType.Null:
                return;
            case JsonTokenType.True:
            case JsonTokenType.False:
                value = reader.TokenType == JsonTokenType.True;
                type = CloudEventAttributeType.Boolean;
                break;
            case JsonTokenType.Number:
                ReadOnlySpan<byte> number = reader.ValueSpan;
                if (number.IndexOfAny("."u8) >= 0 || number.IndexOfAny("eE"u8) >= 0)
                {
                    throw new CloudEventFormatException(name,
                        $"Attribute '{name}' is not an Integer: {Encoding.UTF8.GetString(number)} (not integral; no fraction or exponent)");
                }

                if (!reader.TryGetInt32(out int integer))
                {
                    throw new CloudEventFormatException(name,
                        $"Attribute '{name}' is not an Integer: {Encoding.UTF8.GetString(number)} (out of the range -2147483648..2147483647)");
                }

                value = integer;
                type = CloudEventAttributeType.Integer;
                break;
            case JsonTokenType.String:
                value = reader.GetString()!;
                type = CloudEventAttributeType.String;
                break;
            default:
                throw new CloudEventFormatException(name,
                    $"Attribute '{name}' must not be {Describe(reader.TokenType)}: attribute values are booleans, numbers or strings (at byte {reader.TokenStartIndex})");
        }

        if (known != null)
        {
            if (known.Type == CloudEventAttributeType.String && type != CloudEventAttributeType.String)
            {
                throw new CloudEventFormatException(name, $"Attribute '{name}' must be a JSON string (type String), not {Describe(reader.TokenType)}");
            }

            if (known.Type != CloudEventAttributeType.String && type != CloudEventAttributeType.String && type != known.Type)
            {
                throw new CloudEventFormatException(name, $"Attribute '{name}' is of type {known.Type}, not {Describe(reader.TokenType)}");
            }

            cloudEvent.AddValidatedExtension(known, known.Validate(value));
            return;
        }

        CloudEventAttribute attribute = new(name, type, false, true, -1, false);
        cloudEvent.AddValidatedExtension(attribute, type == CloudEventAttributeType.String ? attribute.CheckText((string)value) : value);
    }

    private static void CheckUtf8(ReadOnlySpan<byte> utf8Json)
    {
        if (!Utf8.IsValid(utf8Json))
        {
            throw new CloudEventFormatException("The JSON input is not valid UTF-8");
        }
    }

    private static CloudEventFormatException InvalidJson(JsonException e) =>
        new($"Invalid JSON at line {(e.LineNumber ?? 0) + 1}, byte {(e.BytePositionInLine ?? 0) + 1} of the line: {e.Message}", e);

    private static CloudEventFormatException Duplicate(string name, long position) =>
        new(name, $"Attribute '{name}' appears more than once (repeated member at byte {position})");

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static (ArrayBufferWriter<byte> Buffer, Utf8JsonWriter Writer) RentWriter()
    {
        ArrayBufferWriter<byte> buffer = cachedBuffer ?? new ArrayBufferWriter<byte>(1024);
        Utf8JsonWriter writer = cachedWriter ?? new Utf8JsonWriter(buffer, WriterOptions);
        cachedBuffer = null;
        cachedWriter = null;
        return (buffer, writer);
    }

    private static void ReturnWriter(ArrayBufferWriter<byte> buffer, Utf8JsonWriter writer)
    {
        // Large buffers are dropped so one big event does not pin memory on every thread.
        if (buffer.Capacity > 256 * 1024)
        {
            writer.Dispose();
            return;
        }

        buffer.ResetWrittenCount();
        writer.Reset(buffer);
        cachedBuffer = buffer;
        cachedWriter = writer;
    }
}
