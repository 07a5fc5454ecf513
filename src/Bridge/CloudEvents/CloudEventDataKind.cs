namespace Bridge.CloudEvents;

/// <summary>What an event's payload holds.</summary>
public enum CloudEventDataKind
{
    /// <summary>No data at all (no <c>data</c> member, no body, a null Kafka value).</summary>
    None,

    /// <summary>Opaque bytes (<c>data_base64</c>, <c>binary_data</c>, a binary-mode body that is not JSON or text).</summary>
    Binary,

    /// <summary>Text (a JSON string for a non-JSON content type, <c>text_data</c>, a UTF-8 <c>text/*</c> body).</summary>
    Text,

    /// <summary>A JSON value, kept as its exact UTF-8 text. The JSON <c>null</c> value is data, unlike <see cref="None"/>.</summary>
    Json,

    /// <summary>
    /// A protobuf message packed in a <see cref="Google.Protobuf.WellKnownTypes.Any"/> (<c>proto_data</c>, or message
    /// bytes under a content type that names the type, see <see cref="MediaTypes.WithProtobufTypeUrl"/>).
    /// </summary>
    Proto,
}
