namespace Bridge.CloudEvents;

/// <summary>
/// The message declares a CloudEvents media type this library cannot decode (for example
/// <c>application/cloudevents+avro</c>). An HTTP receiver answers 415 Unsupported Media Type.
/// </summary>
public sealed class CloudEventUnsupportedMediaTypeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="mediaType">The media type as received. Must not be null.</param>
    /// <param name="message">The description of the problem, naming the media type. Must not be null.</param>
    public CloudEventUnsupportedMediaTypeException(string mediaType, string message)
        : base(message)
    {
        MediaType = mediaType;
    }

    /// <summary>The media type as received. Never null.</summary>
    public string MediaType { get; }
}
