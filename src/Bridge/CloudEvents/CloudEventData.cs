using System.Text;
using System.Text.Json;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace Bridge.CloudEvents;

/// <summary>
/// An immutable event payload: none, bytes, text, a JSON value (its exact UTF-8 text) or a protobuf <see cref="Any"/>.
/// </summary>
/// <remarks>
/// Factories that take memory do not copy it: the caller must not change the bytes afterwards.
/// Two payloads are equal when they have the same kind and the same content (byte-wise for JSON).
/// </remarks>
public sealed class CloudEventData : IEquatable<CloudEventData>
{
    private static readonly byte[] JsonNullBytes = "null"u8.ToArray();

    private readonly ReadOnlyMemory<byte> bytes;
    private readonly string? text;
    private readonly Any? proto;

    private CloudEventData(CloudEventDataKind kind, ReadOnlyMemory<byte> bytes, string? text, Any? proto)
    {
        Kind = kind;
        this.bytes = bytes;
        this.text = text;
        this.proto = proto;
    }

    /// <summary>No data. Never null.</summary>
    public static CloudEventData None { get; } = new(CloudEventDataKind.None, default, null, null);

    /// <summary>The JSON value <c>null</c> (explicit null data, which differs from <see cref="None"/>). Never null.</summary>
    public static CloudEventData JsonNull { get; } = new(CloudEventDataKind.Json, JsonNullBytes, null, null);

    /// <summary>What the payload holds.</summary>
    public CloudEventDataKind Kind { get; }

    /// <summary>Whether there is no data.</summary>
    public bool IsNone => Kind == CloudEventDataKind.None;

    /// <summary>Whether this is the JSON value <c>null</c>.</summary>
    public bool IsJsonNull => Kind == CloudEventDataKind.Json && bytes.Span.Trim(" \t\r\n"u8).SequenceEqual("null"u8);

    /// <summary>For <see cref="CloudEventDataKind.Binary"/> the bytes; for <see cref="CloudEventDataKind.Json"/> the UTF-8 JSON text; otherwise empty.</summary>
    public ReadOnlyMemory<byte> Bytes => bytes;

    /// <summary>For <see cref="CloudEventDataKind.Text"/> the text; otherwise null.</summary>
    public string? Text => text;

    /// <summary>For <see cref="CloudEventDataKind.Proto"/> the packed message; otherwise null. Do not modify it.</summary>
    public Any? Proto => proto;

    /// <summary>Wraps bytes without copying.</summary>
    /// <param name="data">The bytes; may be empty (empty data is still data).</param>
    /// <returns>A <see cref="CloudEventDataKind.Binary"/> payload. Never null.</returns>
    public static CloudEventData FromBytes(ReadOnlyMemory<byte> data) => new(CloudEventDataKind.Binary, data, null, null);

    /// <summary>Wraps text.</summary>
    /// <param name="data">The text. Must not be null; may be empty.</param>
    /// <returns>A <see cref="CloudEventDataKind.Text"/> payload. Never null.</returns>
    public static CloudEventData FromText(string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return new CloudEventData(CloudEventDataKind.Text, default, data, null);
    }

    /// <summary>Wraps one JSON value given as UTF-8, keeping its exact bytes. The value is checked, not re-serialized.</summary>
    /// <param name="utf8Json">Exactly one JSON value (whitespace around it is allowed). Not copied.</param>
    /// <returns>A <see cref="CloudEventDataKind.Json"/> payload. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The bytes are not exactly one JSON value.</exception>
    public static CloudEventData FromJson(ReadOnlyMemory<byte> utf8Json)
    {
        CheckJson(utf8Json.Span);
        return new CloudEventData(CloudEventDataKind.Json, utf8Json, null, null);
    }

    /// <summary>Wraps one JSON value given as text.</summary>
    /// <param name="json">Exactly one JSON value. Must not be null.</param>
    /// <returns>A <see cref="CloudEventDataKind.Json"/> payload. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The text is not exactly one JSON value.</exception>
    public static CloudEventData FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return FromJson(Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Wraps a JSON element, using its raw text.</summary>
    /// <param name="element">The element; must not be <see cref="JsonValueKind.Undefined"/>.</param>
    /// <returns>A <see cref="CloudEventDataKind.Json"/> payload. Never null.</returns>
    public static CloudEventData FromJson(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Undefined)
        {
            throw new ArgumentException("An undefined JsonElement is not a JSON value", nameof(element));
        }

        return new CloudEventData(CloudEventDataKind.Json, Encoding.UTF8.GetBytes(element.GetRawText()), null, null);
    }

    /// <summary>Wraps a packed protobuf message.</summary>
    /// <param name="message">The packed message. Must not be null. Not copied.</param>
    /// <returns>A <see cref="CloudEventDataKind.Proto"/> payload. Never null.</returns>
    /// <exception cref="ArgumentException">The type URL is empty, has no <c>/</c> before the message name, or has
    /// characters other than printable ASCII (a URL escapes them), so no binding could carry it.</exception>
    public static CloudEventData FromProto(Any message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (string.IsNullOrEmpty(message.TypeUrl))
        {
            throw new ArgumentException("The Any has no type URL", nameof(message));
        }

        if (MediaTypes.CheckTypeUrl(message.TypeUrl) is { } reason)
        {
            throw new ArgumentException($"The Any's type URL {Internal.TextRules.Quote(message.TypeUrl)} is not valid: {reason}", nameof(message));
        }

        return new CloudEventData(CloudEventDataKind.Proto, default, null, message);
    }

    /// <summary>Packs a protobuf message into an <see cref="Any"/> (type URL prefix <c>type.googleapis.com/</c>).</summary>
    /// <param name="message">The message. Must not be null.</param>
    /// <returns>A <see cref="CloudEventDataKind.Proto"/> payload. Never null.</returns>
    public static CloudEventData FromProto(IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message is Any any ? FromProto(any) : FromProto(Any.Pack(message));
    }

    /// <summary>Parses the JSON value.</summary>
    /// <returns>A standalone element (safe to keep).</returns>
    /// <exception cref="InvalidOperationException">The payload is not <see cref="CloudEventDataKind.Json"/>.</exception>
    public JsonElement ToJsonElement()
    {
        if (Kind != CloudEventDataKind.Json)
        {
            throw new InvalidOperationException($"The data is {Kind}, not Json");
        }

        using JsonDocument document = JsonDocument.Parse(bytes);
        return document.RootElement.Clone();
    }

    /// <summary>
    /// The payload as bytes, as a binary-mode message carries it: Binary as is, Text and Json as UTF-8,
    /// Proto as the packed message's serialized bytes, None as empty.
    /// </summary>
    /// <returns>The bytes (not a copy for Binary and Json).</returns>
    public ReadOnlyMemory<byte> ToBytes() => Kind switch
    {
        CloudEventDataKind.Binary or CloudEventDataKind.Json => bytes,
        CloudEventDataKind.Text => Encoding.UTF8.GetBytes(text!),
        CloudEventDataKind.Proto => proto!.Value.Memory,
        _ => ReadOnlyMemory<byte>.Empty,
    };

    /// <inheritdoc />
    public bool Equals(CloudEventData? other) =>
        other is not null
        && Kind == other.Kind
        && Kind switch
        {
            CloudEventDataKind.Binary or CloudEventDataKind.Json => bytes.Span.SequenceEqual(other.bytes.Span),
            CloudEventDataKind.Text => string.Equals(text, other.text, StringComparison.Ordinal),
            CloudEventDataKind.Proto => proto!.Equals(other.proto),
            _ => true,
        };

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as CloudEventData);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Kind);
        switch (Kind)
        {
            case CloudEventDataKind.Binary:
            case CloudEventDataKind.Json:
                hash.AddBytes(bytes.Span);
                break;
            case CloudEventDataKind.Text:
                hash.Add(text, StringComparer.Ordinal);
                break;
            case CloudEventDataKind.Proto:
                hash.Add(proto);
                break;
        }

        return hash.ToHashCode();
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        CloudEventDataKind.None => "None",
        CloudEventDataKind.Binary => $"Binary ({bytes.Length} bytes)",
        CloudEventDataKind.Text => $"Text ({text!.Length} chars)",
        CloudEventDataKind.Json => $"Json ({bytes.Length} bytes)",
        _ => $"Proto ({proto!.TypeUrl})",
    };

    /// <summary>Wraps JSON bytes a decoder has already validated.</summary>
    internal static CloudEventData FromValidatedJson(ReadOnlyMemory<byte> utf8Json) =>
        new(CloudEventDataKind.Json, utf8Json, null, null);

    /// <summary>Whether the bytes are exactly one JSON value (used to classify binary-mode bodies).</summary>
    internal static bool IsJsonValue(ReadOnlySpan<byte> utf8Json)
    {
        try
        {
            CheckJson(utf8Json);
            return true;
        }
        catch (CloudEventFormatException)
        {
            return false;
        }
    }

    private static void CheckJson(ReadOnlySpan<byte> utf8Json)
    {
        var reader = new Utf8JsonReader(utf8Json, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (!reader.Read())
            {
                throw new CloudEventFormatException("data", "Attribute 'data' is not JSON: no value");
            }

            reader.Skip();
            if (reader.Read())
            {
                throw new CloudEventFormatException("data", $"Attribute 'data' is not one JSON value: more content at byte {reader.TokenStartIndex}");
            }
        }
        catch (JsonException e)
        {
            throw new CloudEventFormatException("data", $"Attribute 'data' is not valid JSON at byte {reader.BytesConsumed}: {e.Message}", e);
        }
    }
}
