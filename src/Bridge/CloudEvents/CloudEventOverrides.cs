using System.Text.Json;
using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents;

/// <summary>
/// Knative's <c>K_CE_OVERRIDES</c>: String extensions set on every outgoing event, overwriting existing values.
/// </summary>
/// <remarks>
/// The value is JSON such as <c>{"extensions":{"extra":"x","additional":"42"}}</c>; null, empty or whitespace
/// means no overrides. Every value is a String (a JSON number is rejected, as Knative's string map would reject it).
/// Names must be valid attribute names and cannot be core attributes. Instances are immutable.
/// </remarks>
public sealed class CloudEventOverrides
{
    /// <summary>The environment variable Knative sets.</summary>
    public const string EnvironmentVariable = "K_CE_OVERRIDES";

    private readonly KeyValuePair<string, string>[] extensions;

    private CloudEventOverrides(KeyValuePair<string, string>[] extensions) => this.extensions = extensions;

    /// <summary>No overrides. Never null.</summary>
    public static CloudEventOverrides Empty { get; } = new([]);

    /// <summary>The extensions to set, in document order. Never null.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Extensions => extensions;

    /// <summary>Parses the <c>K_CE_OVERRIDES</c> JSON.</summary>
    /// <param name="json">The JSON; null, empty or whitespace means no overrides.</param>
    /// <returns>The overrides. Never null.</returns>
    /// <exception cref="CloudEventFormatException">Malformed JSON, a non-string value, an invalid or core name, or an invalid String.</exception>
    public static CloudEventOverrides Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Empty;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new CloudEventFormatException($"{EnvironmentVariable} is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new CloudEventFormatException($"{EnvironmentVariable} must be a JSON object like {{\"extensions\":{{\"name\":\"value\"}}}}");
            }

            if (!root.TryGetProperty("extensions", out JsonElement map) || map.ValueKind == JsonValueKind.Null)
            {
                return Empty;
            }

            if (map.ValueKind != JsonValueKind.Object)
            {
                throw new CloudEventFormatException($"{EnvironmentVariable}: 'extensions' must be an object of name/string pairs");
            }

            var result = new List<KeyValuePair<string, string>>();
            foreach (JsonProperty property in map.EnumerateObject())
            {
                string name = property.Name;
                if (!TextRules.IsValidAttributeName(name))
                {
                    throw new CloudEventFormatException(name, $"{EnvironmentVariable}: {TextRules.DescribeInvalidName(name)}");
                }

                if (CloudEventAttributes.GetCore(name) != null)
                {
                    throw new CloudEventFormatException(name, $"{EnvironmentVariable}: core attribute '{name}' cannot be overridden");
                }

                if (property.Value.ValueKind != JsonValueKind.String)
                {
                    throw new CloudEventFormatException(name, $"{EnvironmentVariable}: the value of '{name}' must be a JSON string, not {property.Value.ValueKind}");
                }

                string value = property.Value.GetString()!;
                CloudEventAttribute attribute = CloudEventAttributes.GetKnownExtension(name) ?? CloudEventAttribute.CreateExtension(name, CloudEventAttributeType.String);
                attribute.Validate(value);
                result.RemoveAll(p => p.Key == name);
                result.Add(new KeyValuePair<string, string>(name, value));
            }

            return result.Count == 0 ? Empty : new CloudEventOverrides([.. result]);
        }
    }

    /// <summary>Sets every override on the event, replacing existing values.</summary>
    /// <param name="cloudEvent">The event. Must not be null.</param>
    public void ApplyTo(CloudEvent cloudEvent)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        foreach (KeyValuePair<string, string> extension in extensions)
        {
            cloudEvent.RemoveExtension(extension.Key);
            cloudEvent.SetExtension(extension.Key, extension.Value);
        }
    }
}
