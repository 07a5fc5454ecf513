namespace Bridge.CloudEvents;

/// <summary>
/// The input is not a valid CloudEvent, or a value does not satisfy an attribute's type or naming rules.
/// A receiver answers 400 (HTTP) or treats the record as poison (Kafka).
/// </summary>
/// <remarks>
/// Every message names the attribute (or the input position) and the rule that was broken, for example
/// <c>Attribute 'time' is not an RFC 3339 timestamp: '2024-02-30T00:00:00Z' (no such date)</c>.
/// </remarks>
public sealed class CloudEventFormatException : Exception
{
    /// <summary>Creates an exception that is not about one attribute (for example malformed JSON).</summary>
    /// <param name="message">The description of the problem. Must not be null.</param>
    public CloudEventFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception that is not about one attribute, with the underlying cause.</summary>
    /// <param name="message">The description of the problem. Must not be null.</param>
    /// <param name="innerException">The underlying cause. May be null.</param>
    public CloudEventFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception about one attribute.</summary>
    /// <param name="attributeName">The attribute name (or <c>data</c> / <c>data_base64</c>); may be null when not about one attribute.</param>
    /// <param name="message">The description of the problem, naming the attribute. Must not be null.</param>
    public CloudEventFormatException(string? attributeName, string message)
        : base(message)
    {
        AttributeName = attributeName;
    }

    /// <summary>Creates an exception about one attribute, with the underlying cause.</summary>
    /// <param name="attributeName">The attribute name; may be null when not about one attribute.</param>
    /// <param name="message">The description of the problem, naming the attribute. Must not be null.</param>
    /// <param name="innerException">The underlying cause. May be null.</param>
    public CloudEventFormatException(string? attributeName, string message, Exception? innerException)
        : base(message, innerException)
    {
        AttributeName = attributeName;
    }

    /// <summary>The attribute the problem is about, or null when it is about the input as a whole.</summary>
    public string? AttributeName { get; }
}
