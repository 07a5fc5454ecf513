using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Bridge.Deploy.Tests;

/// <summary>The chart's values.schema.json, and checks of values against it as Helm makes them.</summary>
internal static class ChartSchema
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(File.ReadAllText(SchemaPath)));

    public static string SchemaPath => Path.Combine(Repo.Chart, "values.schema.json");

    public static string ValuesPath => Path.Combine(Repo.Chart, "values.yaml");

    public static JsonObject SchemaDocument() => JsonNode.Parse(File.ReadAllText(SchemaPath))!.AsObject();

    /// <summary>The problems the schema finds in <paramref name="values"/>, as "location: message"; empty when valid.</summary>
    public static IReadOnlyList<string> Problems(JsonNode values)
    {
        var instance = JsonSerializer.SerializeToElement(values);
        var results = Schema.Value.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        var problems = (results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{(d.InstanceLocation.ToString() is "" ? "/" : d.InstanceLocation.ToString())}: {e.Key}: {e.Value}"))
            .ToList();
        if (results.Errors is { Count: > 0 } top)
        {
            problems.AddRange(top.Select(e => $"/: {e.Key}: {e.Value}"));
        }

        return problems.Count > 0 ? problems : ["invalid, without details"];
    }

    /// <summary>values.yaml merged with an override file the way Helm merges -f files: maps key by key, everything else replaced.</summary>
    public static JsonObject Merge(JsonObject defaults, JsonObject overrides)
    {
        var merged = defaults.DeepClone().AsObject();
        foreach (var (key, value) in overrides)
        {
            merged[key] = merged[key] is JsonObject inner && value is JsonObject over
                ? Merge(inner, over)
                : value?.DeepClone();
        }

        return merged;
    }

    /// <summary>Follows a dotted values path (bridge.spool.enabled) through the schema's properties.</summary>
    /// <returns>The subschema, or null when the schema does not declare the path.</returns>
    public static JsonObject? Declared(JsonObject schema, IEnumerable<string> path)
    {
        JsonObject? current = schema;
        foreach (var key in path)
        {
            current = current?["properties"]?[key] as JsonObject;
            if (current is null)
            {
                return null;
            }
        }

        return current;
    }
}
