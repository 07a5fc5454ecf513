namespace Bridge.CloudEvents;

/// <summary>
/// The seven CloudEvents attribute types. Each has a canonical string form (see <see cref="CanonicalString"/>)
/// and a .NET representation used by <see cref="CloudEvent"/>.
/// </summary>
public enum CloudEventAttributeType
{
    /// <summary><c>true</c> or <c>false</c>; .NET <see cref="bool"/>.</summary>
    Boolean,

    /// <summary>A 32-bit signed integer; .NET <see cref="int"/>.</summary>
    Integer,

    /// <summary>Unicode text without control characters, noncharacters or unpaired surrogates; .NET <see cref="string"/>.</summary>
    String,

    /// <summary>Bytes, Base64 in canonical form; .NET <see cref="byte"/>[].</summary>
    Binary,

    /// <summary>An absolute RFC 3986 URI; kept as its exact .NET <see cref="string"/> (a <see cref="System.Uri"/> is accepted when setting).</summary>
    Uri,

    /// <summary>An RFC 3986 URI-reference, possibly relative; kept as its exact .NET <see cref="string"/>.</summary>
    UriReference,

    /// <summary>An RFC 3339 date-time; .NET <see cref="CloudEventTimestamp"/> (nanoseconds; a <see cref="DateTimeOffset"/> is accepted when setting).</summary>
    Timestamp,
}
