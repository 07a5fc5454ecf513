using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Bridge.Deploy.Tests;

/// <summary>What can be checked of the templates without helm: every value they read is declared.</summary>
public sealed partial class ChartTemplateTests
{
    [GeneratedRegex(@"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")]
    private static partial Regex ValuesPath();

    private static SortedDictionary<string, SortedSet<string>> PathsUsed()
    {
        var used = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Repo.Chart, "templates")))
        {
            foreach (Match match in ValuesPath().Matches(File.ReadAllText(file)))
            {
                var path = match.Groups[1].Value.TrimStart('.');
                if (!used.TryGetValue(path, out var files))
                {
                    used[path] = files = new SortedSet<string>(StringComparer.Ordinal);
                }

                files.Add(Path.GetFileName(file));
            }
        }

        return used;
    }

    [Fact]
    public void EveryValuesPathOfTheTemplates_IsInValuesYamlAndTheSchema()
    {
        var values = YamlJson.ReadObject(ChartSchema.ValuesPath);
        var schema = ChartSchema.SchemaDocument();
        var used = PathsUsed();
        Assert.True(used.Count >= 50, $"Found only {used.Count} .Values paths in templates/: is the pattern still right?");

        var problems = new List<string>();
        foreach (var (path, files) in used)
        {
            var keys = path.Split('.');
            if (!Contains(values, keys))
            {
                problems.Add($"{path} (used in {string.Join(", ", files)}) is not in values.yaml");
            }

            if (ChartSchema.Declared(schema, keys) is null)
            {
                problems.Add($"{path} (used in {string.Join(", ", files)}) is not declared in values.schema.json");
            }
        }

        Assert.True(problems.Count == 0, string.Join("\n", problems));
    }

    // A key counts even when its value is null (`key:` or `key: ~`).
    private static bool Contains(JsonObject values, string[] keys)
    {
        JsonObject? map = values;
        for (var i = 0; i < keys.Length - 1; i++)
        {
            map = map?[keys[i]] as JsonObject;
        }

        return map is not null && map.ContainsKey(keys[^1]);
    }

    [Fact]
    public void Templates_ReadNoValueThatTheTestCannotSee()
    {
        // `index .Values "x"` and `.Values | ...` would hide paths from the check above.
        var hidden = Directory.EnumerateFiles(Path.Combine(Repo.Chart, "templates"))
            .SelectMany(f => File.ReadAllLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line)))
            .Where(l => Regex.IsMatch(l.Text, @"\.Values(\s|\)|\}|$)") || l.Text.Contains("index .Values", StringComparison.Ordinal))
            .Select(l => $"{l.File}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(hidden.Count == 0, "Templates read values by a path the check cannot follow:\n" + string.Join("\n", hidden));
    }

    [Fact]
    public void Notes_NameTheFlaggerEventWebhookAndEveryHookType()
    {
        var notes = File.ReadAllText(Path.Combine(Repo.Chart, "templates", "NOTES.txt"));
        Assert.Contains("eventWebhook=", notes, StringComparison.Ordinal);
        Assert.Contains("/v1/flagger/events", notes, StringComparison.Ordinal);
        foreach (var hook in new[] { "confirm-rollout", "pre-rollout", "rollout", "confirm-traffic-increase", "confirm-promotion", "post-rollout", "rollback" })
        {
            Assert.Contains($"\"{hook}\"", notes, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void PodinfoCanary_PointsEveryHookTypeAtTheBridge()
    {
        var canary = YamlJson.ReadAll(Repo.PathOf("examples", "flagger", "podinfo-canary.yaml")).OfType<JsonObject>().Single();
        var hooks = canary["spec"]!["analysis"]!["webhooks"]!.AsArray()
            .Select(h => (Type: h!["type"]!.GetValue<string>(), Url: h["url"]!.GetValue<string>()))
            .ToList();
        string[] types = ["event", "confirm-rollout", "pre-rollout", "rollout", "confirm-traffic-increase", "confirm-promotion", "post-rollout", "rollback"];
        Assert.Equal(types.Order(StringComparer.Ordinal), hooks.Select(h => h.Type).Order(StringComparer.Ordinal));
        foreach (var (type, url) in hooks)
        {
            var route = type == "event" ? "/v1/flagger/events" : $"/v1/flagger/hooks/{type}";
            Assert.StartsWith($"http://flagger-bridge-bridge.flagger-system:8080{route}?", url, StringComparison.Ordinal);
        }
    }
}
