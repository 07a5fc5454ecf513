namespace Bridge.CloudEvents;

/// <summary>
/// The message body is larger than the receiver's limit. An HTTP receiver answers 413 Content Too Large.
/// </summary>
public sealed class CloudEventPayloadTooLargeException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="maxBytes">The limit that was exceeded, in bytes.</param>
    public CloudEventPayloadTooLargeException(long maxBytes)
        : base($"The message body is larger than the limit of {maxBytes} bytes")
    {
        MaxBytes = maxBytes;
    }

    /// <summary>The limit that was exceeded, in bytes.</summary>
    public long MaxBytes { get; }
}
