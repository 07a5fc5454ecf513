using System.Text.Json.Nodes;

namespace Bridge.Deploy.Tests;

/// <summary>values.schema.json against values.yaml, the examples' values files and values that must be refused.</summary>
public sealed class ChartValuesTests
{
    public static TheoryData<string> ExampleValuesFiles()
    {
        var data = new TheoryData<string>();
        foreach (var file in Directory.EnumerateFiles(Repo.PathOf("examples"), "values*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            data.Add(Repo.Relative(file));
        }

        return data;
    }

    [Fact]
    public void ValuesYaml_MatchesTheSchema()
    {
        var problems = ChartSchema.Problems(YamlJson.ReadObject(ChartSchema.ValuesPath));
        Assert.True(problems.Count == 0, "values.yaml does not match values.schema.json:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void Examples_HaveValuesFiles() =>
        Assert.True(ExampleValuesFiles().Count >= 2, "examples/helm should hold values files for the chart (values-*.yaml).");

    [Theory]
    [MemberData(nameof(ExampleValuesFiles))]
    public void ExampleValuesFile_MergedOverValuesYaml_MatchesTheSchema(string file)
    {
        var merged = ChartSchema.Merge(YamlJson.ReadObject(ChartSchema.ValuesPath), YamlJson.ReadObject(Repo.PathOf(file)));
        var problems = ChartSchema.Problems(merged);
        Assert.True(problems.Count == 0, $"{file} over values.yaml does not match values.schema.json:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void NotifierRoutesExample_IsAValidNotifierConfig()
    {
        var values = YamlJson.ReadObject(ChartSchema.ValuesPath);
        values["notifier"]!["config"] = YamlJson.ReadObject(Repo.PathOf("examples", "notifier", "slack-teams-dingtalk.yaml"));
        var problems = ChartSchema.Problems(values);
        Assert.True(problems.Count == 0, "examples/notifier/slack-teams-dingtalk.yaml as notifier.config:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void ProductionExample_EmbedsTheNotifierRoutesExample()
    {
        var production = YamlJson.ReadObject(Repo.PathOf("examples", "helm", "values-production.yaml"));
        var routes = YamlJson.ReadObject(Repo.PathOf("examples", "notifier", "slack-teams-dingtalk.yaml"));
        Assert.True(JsonNode.DeepEquals(routes, production["notifier"]?["config"]),
            "examples/helm/values-production.yaml notifier.config differs from examples/notifier/slack-teams-dingtalk.yaml.");
    }

    // Each case: a values path, a JSON value put there, and the location the schema must name.
    [Theory]
    [InlineData("bridge.replicaCount", "0", "/bridge/replicaCount")]
    [InlineData("bridge.replicas", "3", "/bridge/replicas")]
    [InlineData("kafka.contentMode", "\"Avro\"", "/kafka/contentMode")]
    [InlineData("kafka.bootstrapServers", "\"kafka\"", "/kafka/bootstrapServers")]
    [InlineData("kafka.sasl.mechanism", "\"GSSAPI\"", "/kafka/sasl/mechanism")]
    [InlineData("kafka.common", "{\"linger.ms\": 5}", "/kafka/common/linger.ms")]
    [InlineData("bridge.spool.kafkaBudget", "\"2s\"", "/bridge/spool/kafkaBudget")]
    [InlineData("bridge.spool.persistence.size", "\"lots\"", "/bridge/spool/persistence/size")]
    [InlineData("bridge.service.grpcPort", "70000", "/bridge/service/grpcPort")]
    [InlineData("bridge.readinessProbe", "\"tcp\"", "/bridge/readinessProbe")]
    [InlineData("auth.tokens", "[{\"name\": \"flagger\", \"secretName\": \"tokens\"}]", "/auth/tokens/0")]
    [InlineData("auth.tokens", "[{\"name\": \"Flagger Token\", \"secretName\": \"t\", \"secretKey\": \"k\"}]", "/auth/tokens/0/name")]
    [InlineData("audit.storage.provider", "\"mysql\"", "/audit/storage/provider")]
    [InlineData("notifier.config.routes", "[{\"name\": \"all\"}]", "/notifier/config/routes/0")]
    [InlineData("notifier.config.sinks", "{\"slack\": {\"url\": \"https://hooks.slack.com/x\"}}", "/notifier/config/sinks/slack")]
    [InlineData("notifier.sinkSecrets", "[\"Slack_Secret\"]", "/notifier/sinkSecrets/0")]
    [InlineData("metrics.prometheusRule.spoolFillingRatio", "1.5", "/metrics/prometheusRule/spoolFillingRatio")]
    [InlineData("image", "{\"repository\": \"x\"}", "/image")]
    public void Schema_RefusesBadValues(string path, string json, string location)
    {
        var values = YamlJson.ReadObject(ChartSchema.ValuesPath);
        var segments = path.Split('.');
        var parent = segments[..^1].Aggregate((JsonNode)values, (node, key) => node[key]!);
        parent[segments[^1]] = JsonNode.Parse(json);

        var problems = ChartSchema.Problems(values);

        Assert.True(problems.Count > 0, $"values.schema.json accepts {path}={json}.");
        Assert.True(problems.Any(p => p.StartsWith(location + ":", StringComparison.Ordinal)),
            $"Expected a problem at {location} for {path}={json}; got:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void EveryKeyOfValuesYaml_IsDeclaredInTheSchema()
    {
        var schema = ChartSchema.SchemaDocument();
        var undeclared = new List<string>();
        Walk(YamlJson.ReadObject(ChartSchema.ValuesPath), schema, "");
        Assert.True(undeclared.Count == 0, "values.yaml keys missing from values.schema.json: " + string.Join(", ", undeclared));

        void Walk(JsonObject values, JsonObject subschema, string prefix)
        {
            foreach (var (key, value) in values)
            {
                var declared = subschema["properties"]?[key] as JsonObject;
                if (declared is null)
                {
                    // Free-form maps (labels, librdkafka properties, securityContext) declare no properties.
                    if (subschema["properties"] is not null || subschema["additionalProperties"] is JsonValue)
                    {
                        undeclared.Add(prefix + key);
                    }

                    continue;
                }

                if (value is JsonObject inner)
                {
                    Walk(inner, declared, prefix + key + ".");
                }
            }
        }
    }

    [Fact]
    public void Defaults_FollowTheRestrictedPodSecurityStandard()
    {
        var values = YamlJson.ReadObject(ChartSchema.ValuesPath);
        var pod = values["podSecurityContext"]!;
        var container = values["securityContext"]!;
        Assert.True(pod["runAsNonRoot"]!.GetValue<bool>(), "podSecurityContext.runAsNonRoot");
        Assert.NotEqual(0, pod["runAsUser"]!.GetValue<long>());
        Assert.Equal("RuntimeDefault", pod["seccompProfile"]?["type"]?.GetValue<string>());
        Assert.False(container["allowPrivilegeEscalation"]!.GetValue<bool>(), "securityContext.allowPrivilegeEscalation");
        Assert.True(container["readOnlyRootFilesystem"]!.GetValue<bool>(), "securityContext.readOnlyRootFilesystem");
        Assert.Equal(["ALL"], container["capabilities"]!["drop"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.False(values["development"]!["embeddedKafka"]!.GetValue<bool>(), "the embedded cluster must need an explicit switch");
    }
}
