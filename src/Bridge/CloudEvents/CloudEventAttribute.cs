using System.Globalization;
using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents;

/// <summary>
/// The definition of one context attribute: name, type and constraints. Core attributes and the extensions this
/// library knows are in <see cref="CloudEventAttributes"/>; other extensions are created with
/// <see cref="CreateExtension(string, CloudEventAttributeType)"/>. Instances are immutable and thread-safe.
/// </summary>
public sealed class CloudEventAttribute
{
    private readonly Func<string, string?>? extraCheck;

    internal CloudEventAttribute(
        string name,
        CloudEventAttributeType type,
        bool isRequired,
        bool isExtension,
        int coreIndex,
        bool nonEmpty,
        Func<string, string?>? extraCheck = null)
    {
        Name = name;
        Type = type;
        IsRequired = isRequired;
        IsExtension = isExtension;
        CoreIndex = coreIndex;
        NonEmpty = nonEmpty;
        this.extraCheck = extraCheck;
    }

    /// <summary>The attribute name: lower-case ASCII letters and digits. Never null.</summary>
    public string Name { get; }

    /// <summary>The attribute type.</summary>
    public CloudEventAttributeType Type { get; }

    /// <summary>Whether every event must carry the attribute (<c>id</c>, <c>source</c>, <c>specversion</c>, <c>type</c>).</summary>
    public bool IsRequired { get; }

    /// <summary>Whether this is an extension attribute (anything but the eight core attributes).</summary>
    public bool IsExtension { get; }

    /// <summary>Position among the core attributes (0-7), or -1 for an extension.</summary>
    internal int CoreIndex { get; }

    /// <summary>Whether an empty String/URI value is invalid for this attribute.</summary>
    internal bool NonEmpty { get; }

    /// <summary>
    /// Defines an extension attribute. For an extension this library knows (see <see cref="CloudEventAttributes"/>)
    /// the known definition is returned when the type matches.
    /// </summary>
    /// <param name="name">The attribute name. Must not be null; must be a valid name and not a core attribute.</param>
    /// <param name="type">The attribute type.</param>
    /// <returns>The definition. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The name is invalid, a core attribute, or a known extension of another type.</exception>
    public static CloudEventAttribute CreateExtension(string name, CloudEventAttributeType type)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (!TextRules.IsValidAttributeName(name))
        {
            throw new CloudEventFormatException(name, TextRules.DescribeInvalidName(name));
        }

        if (CloudEventAttributes.GetCore(name) is not null)
        {
            throw new CloudEventFormatException(name, $"Attribute '{name}' is a core attribute, not an extension");
        }

        CloudEventAttribute? known = CloudEventAttributes.GetKnownExtension(name);
        if (known != null)
        {
            return known.Type == type
                ? known
                : throw new CloudEventFormatException(name, $"Attribute '{name}' is of type {known.Type}, not {type}");
        }

        return new CloudEventAttribute(name, type, isRequired: false, isExtension: true, coreIndex: -1, nonEmpty: false);
    }

    /// <summary>Whether a string is a valid attribute name: at least one of <c>a-z</c>/<c>0-9</c> and not <c>data</c>.</summary>
    /// <param name="name">The candidate name. May be null (not valid).</param>
    /// <returns>True when valid.</returns>
    public static bool IsValidName(string? name) => name != null && TextRules.IsValidAttributeName(name);

    /// <summary>Renders a value of this attribute as its canonical string (what HTTP and Kafka headers carry).</summary>
    /// <param name="value">A value of this attribute's .NET type. Must not be null.</param>
    /// <returns>The canonical string. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The value is not valid for this attribute.</exception>
    public string Format(object value) => CanonicalString.Format(Validate(value), Type);

    /// <summary>Parses a canonical string into this attribute's .NET type, applying every rule of the attribute.</summary>
    /// <param name="text">The canonical string. Must not be null.</param>
    /// <returns>The typed value (<see cref="bool"/>, <see cref="int"/>, <see cref="string"/>, <see cref="byte"/>[] or <see cref="CloudEventTimestamp"/>). Never null.</returns>
    /// <exception cref="CloudEventFormatException">The text is not a valid value of this attribute.</exception>
    public object Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Type switch
        {
            CloudEventAttributeType.String or CloudEventAttributeType.Uri or CloudEventAttributeType.UriReference => CheckText(text),
            _ => CanonicalString.Parse(text, Type, Name),
        };
    }

    /// <inheritdoc />
    public override string ToString() => Name;

    /// <summary>
    /// Checks a .NET value against the attribute and returns the form the event stores: URIs as their exact string,
    /// byte arrays copied, timestamps as <see cref="CloudEventTimestamp"/>, canonical strings of non-String types parsed.
    /// </summary>
    internal object Validate(object value)
    {
        switch (Type)
        {
            case CloudEventAttributeType.Boolean:
                return value switch
                {
                    bool b => b,
                    string s => CanonicalString.Parse(s, Type, Name),
                    _ => throw WrongType(value),
                };
            case CloudEventAttributeType.Integer:
                return value switch
                {
                    int i => i,
                    string s => CanonicalString.Parse(s, Type, Name),
                    long l when l is >= int.MinValue and <= int.MaxValue => (int)l,
                    long l => throw new CloudEventFormatException(Name, $"Attribute '{Name}' is out of the Integer range: {l.ToString(CultureInfo.InvariantCulture)}"),
                    _ => throw WrongType(value),
                };
            case CloudEventAttributeType.String:
                return value is string str ? CheckText(str) : throw WrongType(value);
            case CloudEventAttributeType.Binary:
                return value switch
                {
                    byte[] bytes => bytes.AsSpan().ToArray(),
                    ReadOnlyMemory<byte> memory => memory.ToArray(),
                    _ => throw WrongType(value),
                };
            case CloudEventAttributeType.Uri:
            case CloudEventAttributeType.UriReference:
                return value switch
                {
                    string s => CheckText(s),
                    System.Uri u => CheckText(u.OriginalString),
                    _ => throw WrongType(value),
                };
            case CloudEventAttributeType.Timestamp:
                return value switch
                {
                    CloudEventTimestamp t => t,
                    DateTimeOffset t => new CloudEventTimestamp(t),
                    DateTime d when d.Kind != DateTimeKind.Unspecified => new CloudEventTimestamp(new DateTimeOffset(d)),
                    DateTime => throw new CloudEventFormatException(Name, $"Attribute '{Name}' needs a DateTime with a known Kind (UTC or local), or a DateTimeOffset"),
                    string s => CanonicalString.Parse(s, Type, Name),
                    _ => throw WrongType(value),
                };
            default:
                throw new InvalidOperationException($"Unknown attribute type {Type}");
        }
    }

    /// <summary>Applies the String/URI rules and the attribute's own constraint to a textual value.</summary>
    internal string CheckText(string value)
    {
        if (value.Length == 0)
        {
            if (NonEmpty || Type == CloudEventAttributeType.Uri)
            {
                throw new CloudEventFormatException(Name, $"Attribute '{Name}' must not be empty");
            }

            return value;
        }

        string? reason = Type switch
        {
            CloudEventAttributeType.String => TextRules.CheckString(value),
            CloudEventAttributeType.Uri => UriSyntax.CheckAbsoluteUri(value),
            CloudEventAttributeType.UriReference => UriSyntax.CheckUriReference(value),
            _ => null,
        };
        if (reason != null)
        {
            string what = Type switch
            {
                CloudEventAttributeType.Uri => "an absolute URI",
                CloudEventAttributeType.UriReference => "a URI-reference",
                _ => "a valid String",
            };
            throw new CloudEventFormatException(Name, $"Attribute '{Name}' is not {what}: {TextRules.Quote(value)} ({reason})");
        }

        if (extraCheck != null)
        {
            string? extra = extraCheck(value);
            if (extra != null)
            {
                throw new CloudEventFormatException(Name, $"Attribute '{Name}' {extra}: {TextRules.Quote(value)}");
            }
        }

        return value;
    }

    private CloudEventFormatException WrongType(object value) =>
        new(Name, $"Attribute '{Name}' is of type {Type}; a .NET {value.GetType().Name} is not a valid value");
}
