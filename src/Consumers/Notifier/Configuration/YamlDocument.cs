using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Bridge.Notifier.Configuration;

/// <summary>
/// Reads the notifier's YAML file into configuration keys (<c>routes:0:match:severity</c>), remembering the line of
/// every key so that errors can point into the file.
/// </summary>
internal static class YamlDocument
{
    /// <summary>Flattens <paramref name="yaml"/>; throws <see cref="NotifierConfigurationException"/> for YAML that does not parse or is not a mapping.</summary>
    public static (Dictionary<string, string?> Values, Dictionary<string, int> Lines) Flatten(string yaml, string fileName)
    {
        var values = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var lines = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(yaml));
        }
        catch (YamlException e)
        {
            throw new NotifierConfigurationException(fileName, $"line {e.Start.Line}: the YAML does not parse: {e.InnerException?.Message ?? e.Message}");
        }
        catch (InvalidOperationException e)
        {
            // YamlDotNet's scanner reports some malformed input (an unclosed flow sequence) this way, without a position.
            throw new NotifierConfigurationException(fileName, $"the YAML does not parse: {e.Message}");
        }
        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is YamlScalarNode { Value: null or "" })
        {
            return (values, lines);
        }
        if (stream.Documents.Count > 1)
        {
            throw new NotifierConfigurationException(fileName, "holds more than one YAML document; put everything in one");
        }
        if (stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            throw new NotifierConfigurationException(fileName, "must be a YAML mapping (cluster:, sinks:, routes:, ...)");
        }
        Visit(root, string.Empty, values, lines);
        return (values, lines);
    }

    private static void Visit(YamlNode node, string path, Dictionary<string, string?> values, Dictionary<string, int> lines)
    {
        if (path.Length > 0)
        {
            lines[path] = (int)node.Start.Line;
        }
        switch (node)
        {
            case YamlMappingNode mapping:
                foreach (KeyValuePair<YamlNode, YamlNode> entry in mapping.Children)
                {
                    string key = entry.Key is YamlScalarNode { Value: { } k } ? k : entry.Key.ToString();
                    string child = path.Length == 0 ? key : path + ":" + key;
                    if (values.ContainsKey(child) || lines.ContainsKey(child))
                    {
                        throw new NotifierConfigurationException(ToDisplayPath(child), $"line {entry.Key.Start.Line}: the key is given twice");
                    }
                    Visit(entry.Value, child, values, lines);
                }
                if (mapping.Children.Count == 0 && path.Length > 0)
                {
                    values[path] = string.Empty;
                }
                break;
            case YamlSequenceNode sequence:
                for (int i = 0; i < sequence.Children.Count; i++)
                {
                    Visit(sequence.Children[i], $"{path}:{i}", values, lines);
                }
                if (sequence.Children.Count == 0)
                {
                    values[path] = string.Empty;
                }
                break;
            case YamlScalarNode scalar:
                values[path] = scalar.Value;
                break;
            default:
                throw new NotifierConfigurationException(ToDisplayPath(path), $"line {node.Start.Line}: unsupported YAML node");
        }
    }

    /// <summary><c>routes:2:match:severity</c> as the file's readers see it: <c>routes[2].match.severity</c>.</summary>
    public static string ToDisplayPath(string configurationPath)
    {
        var parts = configurationPath.Split(':');
        var text = new System.Text.StringBuilder();
        foreach (string part in parts)
        {
            if (part.Length > 0 && part.All(char.IsAsciiDigit) && text.Length > 0)
            {
                text.Append('[').Append(part).Append(']');
            }
            else
            {
                if (text.Length > 0)
                {
                    text.Append('.');
                }
                text.Append(part);
            }
        }
        return text.ToString();
    }
}
