namespace Bridge.CloudEvents.Sdk;

/// <summary>
/// A value cannot cross between a Bridge <see cref="CloudEvent"/> and a CloudEvents SDK event without being changed:
/// the SDK (or the .NET type it stores the value in) cannot hold it, or the SDK event holds something this library
/// has no representation for.
/// </summary>
/// <remarks>
/// Values that break the CloudEvents specification (an SDK event the SDK accepted but the specification does not)
/// are reported with <see cref="CloudEventFormatException"/> instead, as every decoder of this library does.
/// </remarks>
public sealed class CloudEventSdkConversionException : Exception
{
    /// <summary>Creates an exception about one attribute (or <c>data</c>).</summary>
    /// <param name="attributeName">The attribute name, <c>data</c> for the payload. Must not be null.</param>
    /// <param name="message">The description of the problem, naming the attribute. Must not be null.</param>
    public CloudEventSdkConversionException(string attributeName, string message)
        : base(message)
    {
        AttributeName = attributeName;
    }

    /// <summary>Creates an exception about one attribute (or <c>data</c>), with the underlying cause.</summary>
    /// <param name="attributeName">The attribute name, <c>data</c> for the payload. Must not be null.</param>
    /// <param name="message">The description of the problem, naming the attribute. Must not be null.</param>
    /// <param name="innerException">The error the SDK or the .NET type raised. May be null.</param>
    public CloudEventSdkConversionException(string attributeName, string message, Exception? innerException)
        : base(message, innerException)
    {
        AttributeName = attributeName;
    }

    /// <summary>The attribute the problem is about, or <c>data</c> for the payload. Never null.</summary>
    public string AttributeName { get; }
}
