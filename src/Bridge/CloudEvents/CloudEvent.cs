using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents;

/// <summary>
/// One CloudEvent (spec version 1.0): context attributes as typed values plus a payload.
/// </summary>
/// <remarks>
/// <para>Every setter validates the value against the attribute's type and constraints and throws
/// <see cref="CloudEventFormatException"/> when it is invalid, so a stored value is always valid on its own.
/// Setting null removes an attribute. Whether the required attributes are present is checked by
/// <see cref="Validate"/>.</para>
/// <para>.NET types: Boolean <see cref="bool"/>, Integer <see cref="int"/>, String <see cref="string"/>,
/// Binary <see cref="byte"/>[], Timestamp <see cref="CloudEventTimestamp"/> (to the nanosecond; a
/// <see cref="DateTimeOffset"/> is accepted when setting). URI and URI-reference values are kept as their exact
/// <see cref="string"/> (a <see cref="System.Uri"/> is accepted when setting, using its original string) because
/// re-escaping would change the value.</para>
/// <para><see cref="Time"/> is the <c>time</c> attribute as a <see cref="DateTimeOffset"/>, to the 100 ns tick;
/// <see cref="PreciseTime"/> is the same attribute to the nanosecond, which every format and binding here carries.</para>
/// <para>Not thread-safe for concurrent modification.</para>
/// </remarks>
public sealed class CloudEvent
{
    private const int CoreCount = 8;

    // Index 0 (specversion) is never stored: this model only represents 1.0.
    private readonly object?[] core = new object?[CoreCount];
    private List<KeyValuePair<CloudEventAttribute, object>>? extensions;
    private CloudEventData data = CloudEventData.None;

    /// <summary>Always <c>1.0</c>. Never null.</summary>
    public string SpecVersion => CloudEventAttributes.SpecVersionValue;

    /// <summary><c>id</c>: non-empty String, or null when unset.</summary>
    /// <exception cref="CloudEventFormatException">On set: empty or not a valid String.</exception>
    public string? Id
    {
        get => (string?)core[1];
        set => SetCore(CloudEventAttributes.Id, value);
    }

    /// <summary><c>source</c>: non-empty URI-reference kept as its exact text, or null when unset.</summary>
    /// <exception cref="CloudEventFormatException">On set: empty or not an RFC 3986 URI-reference.</exception>
    public string? Source
    {
        get => (string?)core[2];
        set => SetCore(CloudEventAttributes.Source, value);
    }

    /// <summary><c>type</c>: non-empty String, or null when unset.</summary>
    /// <exception cref="CloudEventFormatException">On set: empty or not a valid String.</exception>
    public string? Type
    {
        get => (string?)core[3];
        set => SetCore(CloudEventAttributes.Type, value);
    }

    /// <summary><c>datacontenttype</c>: a media type, or null when unset. May be set even without data.</summary>
    /// <exception cref="CloudEventFormatException">On set: empty or not a media type.</exception>
    public string? DataContentType
    {
        get => (string?)core[4];
        set => SetCore(CloudEventAttributes.DataContentType, value);
    }

    /// <summary><c>dataschema</c>: a non-empty absolute URI kept as its exact text, or null when unset.</summary>
    /// <exception cref="CloudEventFormatException">On set: empty or not an absolute URI.</exception>
    public string? DataSchema
    {
        get => (string?)core[5];
        set => SetCore(CloudEventAttributes.DataSchema, value);
    }

    /// <summary><c>subject</c>: non-empty String, or null when unset.</summary>
    /// <exception cref="CloudEventFormatException">On set: empty or not a valid String.</exception>
    public string? Subject
    {
        get => (string?)core[6];
        set => SetCore(CloudEventAttributes.Subject, value);
    }

    /// <summary>
    /// <c>time</c> as a <see cref="DateTimeOffset"/>, or null when unset. Reading drops nanoseconds below the 100 ns
    /// tick (see <see cref="PreciseTime"/>); setting replaces the whole value, sub-tick nanoseconds included.
    /// </summary>
    public DateTimeOffset? Time
    {
        get => (core[7] as CloudEventTimestamp?)?.DateTimeOffset;
        set => core[7] = value is { } time ? new CloudEventTimestamp(time) : null;
    }

    /// <summary>
    /// <c>time</c> to the nanosecond, or null when unset. Rendered in UTC with up to 9 fraction digits; the offset it was
    /// given in is kept in memory only.
    /// </summary>
    public CloudEventTimestamp? PreciseTime
    {
        get => core[7] as CloudEventTimestamp?;
        set => core[7] = value;
    }

    /// <summary>The payload. Never null; <see cref="CloudEventData.None"/> when there is no data.</summary>
    public CloudEventData Data
    {
        get => data;
        set => data = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Whether <see cref="Validate"/> would succeed.</summary>
    public bool IsValid => MissingRequired() == null;

    /// <summary>The number of extension attributes set.</summary>
    public int ExtensionCount => extensions?.Count ?? 0;

    /// <summary>
    /// Gets or sets any attribute by name. Getting an unset attribute returns null; setting null removes it.
    /// </summary>
    /// <remarks>
    /// Core attributes and known extensions (<see cref="CloudEventAttributes.KnownExtensions"/>) take their
    /// definition's type; a canonical string is accepted for non-String types. An unknown extension's type comes
    /// from the .NET value: <see cref="bool"/>, <see cref="int"/>, <see cref="string"/> (String),
    /// <see cref="byte"/>[], <see cref="System.Uri"/> (URI when absolute, else URI-reference), <see cref="CloudEventTimestamp"/>
    /// or <see cref="DateTimeOffset"/> (Timestamp). Timestamp values are read back as <see cref="CloudEventTimestamp"/>.
    /// </remarks>
    /// <param name="name">The attribute name. Must not be null.</param>
    /// <exception cref="CloudEventFormatException">On set: invalid name, <c>specversion</c> other than 1.0, or a value that breaks the attribute's rules.</exception>
    public object? this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            CloudEventAttribute? coreAttribute = CloudEventAttributes.GetCore(name);
            if (coreAttribute != null)
            {
                return coreAttribute.CoreIndex == 0 ? SpecVersion : core[coreAttribute.CoreIndex];
            }

            int index = FindExtension(name);
            return index < 0 ? null : extensions![index].Value;
        }

        set
        {
            ArgumentNullException.ThrowIfNull(name);
            CloudEventAttribute? attribute = CloudEventAttributes.GetCore(name) ?? CloudEventAttributes.GetKnownExtension(name);
            if (attribute == null)
            {
                if (!TextRules.IsValidAttributeName(name))
                {
                    throw new CloudEventFormatException(name, TextRules.DescribeInvalidName(name));
                }

                if (value == null)
                {
                    RemoveExtension(name);
                    return;
                }

                attribute = CloudEventAttribute.CreateExtension(name, InferType(name, value));
            }

            SetAttribute(attribute, value);
        }
    }

    /// <summary>Sets or removes an attribute with an explicit definition (for example a URI-typed extension given as a string).</summary>
    /// <param name="attribute">The definition. Must not be null.</param>
    /// <param name="value">The value (see <see cref="this[string]"/> for types), or null to remove the attribute.</param>
    /// <exception cref="CloudEventFormatException">The value breaks the attribute's rules, or <c>specversion</c> is not 1.0.</exception>
    public void SetAttribute(CloudEventAttribute attribute, object? value)
    {
        ArgumentNullException.ThrowIfNull(attribute);
        if (attribute.CoreIndex >= 0)
        {
            SetCore(attribute, value);
            return;
        }

        if (value == null)
        {
            RemoveExtension(attribute.Name);
            return;
        }

        object stored = attribute.Validate(value);
        extensions ??= new List<KeyValuePair<CloudEventAttribute, object>>(4);
        int index = FindExtension(attribute.Name);
        var entry = new KeyValuePair<CloudEventAttribute, object>(attribute, stored);
        if (index >= 0)
        {
            extensions[index] = entry;
        }
        else
        {
            extensions.Add(entry);
        }
    }

    /// <summary>Sets a String extension (or a known extension from its canonical string), replacing any value.</summary>
    /// <param name="name">The extension name. Must not be null; must not be a core attribute.</param>
    /// <param name="value">The value. Must not be null.</param>
    /// <exception cref="CloudEventFormatException">Invalid name, core attribute name, or invalid value.</exception>
    public void SetExtension(string name, string value)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        CloudEventAttribute attribute = CloudEventAttributes.GetKnownExtension(name)
            ?? CloudEventAttribute.CreateExtension(name, CloudEventAttributeType.String);
        SetAttribute(attribute, value);
    }

    /// <summary>Removes an extension attribute.</summary>
    /// <param name="name">The extension name. Must not be null.</param>
    /// <returns>True when it was present.</returns>
    public bool RemoveExtension(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        int index = FindExtension(name);
        if (index < 0)
        {
            return false;
        }

        extensions!.RemoveAt(index);
        return true;
    }

    /// <summary>The definition of a populated attribute (with the type its value has in this event), or null when unset.</summary>
    /// <param name="name">The attribute name. Must not be null.</param>
    /// <returns>The definition, or null.</returns>
    public CloudEventAttribute? GetAttribute(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        CloudEventAttribute? coreAttribute = CloudEventAttributes.GetCore(name);
        if (coreAttribute != null)
        {
            return coreAttribute.CoreIndex == 0 || core[coreAttribute.CoreIndex] != null ? coreAttribute : null;
        }

        int index = FindExtension(name);
        return index < 0 ? null : extensions![index].Key;
    }

    /// <summary>
    /// The populated attributes with their values: <c>specversion</c> first, then the other core attributes in
    /// canonical order, then extensions in the order they were first set.
    /// </summary>
    /// <returns>A snapshot. Never null.</returns>
    public IReadOnlyList<(CloudEventAttribute Attribute, object Value)> GetPopulatedAttributes()
    {
        var result = new List<(CloudEventAttribute, object)>(CoreCount + ExtensionCount)
        {
            (CloudEventAttributes.SpecVersion, SpecVersion),
        };
        IReadOnlyList<CloudEventAttribute> coreAttributes = CloudEventAttributes.Core;
        for (int i = 1; i < CoreCount; i++)
        {
            if (core[i] is { } value)
            {
                result.Add((coreAttributes[i], value));
            }
        }

        if (extensions != null)
        {
            foreach (KeyValuePair<CloudEventAttribute, object> entry in extensions)
            {
                result.Add((entry.Key, entry.Value));
            }
        }

        return result;
    }

    /// <summary>The extension attributes in the order they were first set.</summary>
    /// <returns>A snapshot. Never null.</returns>
    public IReadOnlyList<KeyValuePair<CloudEventAttribute, object>> GetExtensions() =>
        extensions == null ? [] : extensions.ToArray();

    /// <summary>Checks the event as a whole: the required attributes <c>id</c>, <c>source</c> and <c>type</c> are set.</summary>
    /// <exception cref="CloudEventFormatException">A required attribute is missing; the message names it.</exception>
    public void Validate()
    {
        string? missing = MissingRequired();
        if (missing != null)
        {
            throw new CloudEventFormatException(missing, $"Required attribute '{missing}' is missing");
        }
    }

    /// <summary>A copy with the same attributes and the same (immutable) payload.</summary>
    /// <returns>The copy. Never null.</returns>
    public CloudEvent Clone()
    {
        var copy = new CloudEvent { data = data };
        Array.Copy(core, copy.core, CoreCount);
        if (extensions != null)
        {
            copy.extensions = new List<KeyValuePair<CloudEventAttribute, object>>(extensions);
        }

        return copy;
    }

    /// <inheritdoc />
    public override string ToString() => $"CloudEvent(id={Id}, source={Source}, type={Type}, data={Data})";

    /// <summary>Adds an extension a decoder has validated; the decoder has already rejected duplicates.</summary>
    internal void AddValidatedExtension(CloudEventAttribute attribute, object value)
    {
        extensions ??= new List<KeyValuePair<CloudEventAttribute, object>>(4);
        extensions.Add(new KeyValuePair<CloudEventAttribute, object>(attribute, value));
    }

    /// <summary>Extensions without a copy, for encoders.</summary>
    internal List<KeyValuePair<CloudEventAttribute, object>>? ExtensionList => extensions;

    /// <summary>Core values by <see cref="CloudEventAttribute.CoreIndex"/>, for encoders (index 0 is unused).</summary>
    internal object? GetCoreValue(int index) => core[index];

    private static CloudEventAttributeType InferType(string name, object value) => value switch
    {
        bool => CloudEventAttributeType.Boolean,
        int => CloudEventAttributeType.Integer,
        string => CloudEventAttributeType.String,
        byte[] or ReadOnlyMemory<byte> => CloudEventAttributeType.Binary,
        System.Uri u => u.IsAbsoluteUri ? CloudEventAttributeType.Uri : CloudEventAttributeType.UriReference,
        CloudEventTimestamp or DateTimeOffset => CloudEventAttributeType.Timestamp,
        _ => throw new CloudEventFormatException(name,
            $"Attribute '{name}': a .NET {value.GetType().Name} is not a CloudEvents type (use bool, int, string, byte[], Uri, CloudEventTimestamp or DateTimeOffset)"),
    };

    private void SetCore(CloudEventAttribute attribute, object? value)
    {
        if (attribute.CoreIndex == 0)
        {
            if (value is not string s || s != CloudEventAttributes.SpecVersionValue)
            {
                throw new CloudEventFormatException("specversion",
                    $"Attribute 'specversion' must be '1.0' (the only version implemented), not {(value == null ? "null" : TextRules.Quote(value.ToString()))}");
            }

            return;
        }

        core[attribute.CoreIndex] = value == null ? null : attribute.Validate(value);
    }

    private int FindExtension(string name)
    {
        if (extensions == null)
        {
            return -1;
        }

        for (int i = 0; i < extensions.Count; i++)
        {
            if (string.Equals(extensions[i].Key.Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }

    private string? MissingRequired() =>
        core[1] == null ? "id" : core[2] == null ? "source" : core[3] == null ? "type" : null;
}
