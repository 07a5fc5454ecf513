using System.Text.Json.Nodes;

namespace Bridge.Deploy.Tests;

/// <summary>The manifests the chart renders from the examples' values (see <see cref="ChartRenderer"/>).</summary>
public sealed class RenderedChartTests
{
    private const string Dev = "examples/helm/values-dev.yaml";
    private const string Production = "examples/helm/values-production.yaml";
    private const string Tokens = "examples/helm/values-tokens.yaml";

    private static async Task<(IReadOnlyList<JsonObject> Objects, string Notes)> RenderAsync(params string[] files)
    {
        var (exitCode, output) = await ChartRenderer.RenderAsync(files);
        Assert.True(exitCode == 0, $"The chart does not render with {string.Join(", ", files)}:\n{output}");
        return ChartRenderer.Parse(output);
    }

    private static JsonObject Single(IEnumerable<JsonObject> objects, string kind, string name) =>
        Assert.Single(objects, o => Str(o, "kind") == kind && Str(o["metadata"], "name") == name);

    private static string? Str(JsonNode? node, string key) => node?[key]?.GetValue<string>();

    private static IEnumerable<JsonObject> Containers(JsonObject workload) =>
        workload["spec"]!["template"]!["spec"]!["containers"]!.AsArray().Cast<JsonObject>();

    private static Dictionary<string, string?> Env(JsonObject container) =>
        container["env"]!.AsArray().ToDictionary(e => Str(e, "name")!, e => e!["value"]?.ToString());

    [Fact]
    public async Task Defaults_DoNotRenderWithoutKafka_NamingTheValue()
    {
        var (exitCode, output) = await ChartRenderer.RenderAsync();
        Assert.NotEqual(0, exitCode);
        Assert.Contains("kafka.bootstrapServers is empty", output, StringComparison.Ordinal);
        Assert.Contains("development.embeddedKafka=true", output, StringComparison.Ordinal);
    }

    public static TheoryData<string> Renders() => new() { Dev, Production, Tokens };

    [Theory]
    [MemberData(nameof(Renders))]
    public async Task EveryWorkload_IsLockedDown_AndMountsOnlyVolumesItHas(string example)
    {
        var files = example == Tokens ? new[] { example, await BootstrapFileAsync() } : [example];
        var (objects, _) = await RenderAsync(files);

        Assert.All(objects, o =>
        {
            Assert.False(string.IsNullOrEmpty(Str(o, "apiVersion")), $"an object without apiVersion: {o}");
            Assert.False(string.IsNullOrEmpty(Str(o["metadata"], "name")), $"an object without a name: {o}");
        });
        Assert.Equal(objects.Count, objects.Select(o => $"{Str(o, "kind")}/{Str(o["metadata"], "name")}").Distinct().Count());

        var workloads = objects.Where(o => Str(o, "kind") is "Deployment" or "StatefulSet").ToList();
        Assert.Equal(3, workloads.Count);
        foreach (var workload in workloads)
        {
            var name = Str(workload["metadata"], "name");
            var pod = workload["spec"]!["template"]!["spec"]!.AsObject();
            Assert.True(pod["securityContext"]!["runAsNonRoot"]!.GetValue<bool>(), $"{name}: runAsNonRoot");
            Assert.False(pod["automountServiceAccountToken"]!.GetValue<bool>(), $"{name}: automountServiceAccountToken");
            var volumes = pod["volumes"]!.AsArray().Select(v => Str(v, "name")!)
                .Concat(workload["spec"]!["volumeClaimTemplates"]?.AsArray().Select(v => Str(v!["metadata"], "name")!) ?? [])
                .ToHashSet(StringComparer.Ordinal);
            foreach (var container in Containers(workload))
            {
                var security = container["securityContext"]!;
                Assert.True(security["readOnlyRootFilesystem"]!.GetValue<bool>(), $"{name}: readOnlyRootFilesystem");
                Assert.False(security["allowPrivilegeEscalation"]!.GetValue<bool>(), $"{name}: allowPrivilegeEscalation");
                Assert.Equal("ALL", Assert.Single(security["capabilities"]!["drop"]!.AsArray())!.GetValue<string>());
                Assert.NotNull(container["readinessProbe"]);
                Assert.NotNull(container["livenessProbe"]);
                var envNames = container["env"]!.AsArray().Select(e => Str(e, "name")).ToList();
                Assert.Equal(envNames.Count, envNames.Distinct().Count());
                foreach (var mount in container["volumeMounts"]!.AsArray())
                {
                    Assert.Contains(Str(mount, "name")!, volumes);
                }

                Assert.Contains(container["volumeMounts"]!.AsArray(), m => Str(m, "mountPath") == "/tmp");
            }
        }
    }

    [Fact]
    public async Task DevExample_RunsOneBridgeWithTheEmbeddedCluster()
    {
        var (objects, notes) = await RenderAsync(Dev);
        var bridge = Single(objects, "Deployment", "flagger-bridge-bridge");
        Assert.Equal(1, bridge["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal(string.Empty, Env(Containers(bridge).Single())["Kafka__BootstrapServers"]);
        Assert.DoesNotContain(objects, o => Str(o, "kind") == "PodDisruptionBudget");
        Assert.DoesNotContain(objects, o => Str(o, "kind") == "NetworkPolicy");
        Assert.Contains("development.embeddedKafka is on", notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProductionExample_RendersEveryPartTheValuesAskFor()
    {
        var (objects, notes) = await RenderAsync(Production);

        var bridge = Single(objects, "StatefulSet", "flagger-bridge-bridge");
        Assert.Equal(3, bridge["spec"]!["replicas"]!.GetValue<long>());
        Assert.Equal("2Gi", bridge["spec"]!["volumeClaimTemplates"]![0]!["spec"]!["resources"]!["requests"]!["storage"]!.GetValue<string>());
        Assert.Equal(2, bridge["spec"]!["template"]!["spec"]!["topologySpreadConstraints"]!.AsArray().Count);
        var env = Env(Containers(bridge).Single());
        Assert.Equal("SASL_SSL", env["Kafka__Common__security.protocol"]);
        Assert.Equal("/var/run/secrets/kafka/sasl/password", env["Kafka__SaslPasswordFile"]);
        Assert.Equal("/var/run/secrets/kafka/ca/ca.crt", env["Kafka__Common__ssl.ca.location"]);
        Assert.Equal("/var/run/secrets/bridge/ci/ci", env["Auth__Tokens__3__TokenFile"]);
        Assert.Equal("prod-search", env["Auth__Tokens__3__Namespaces__1"]);

        var service = Single(objects, "Service", "flagger-bridge-bridge");
        var ports = service["spec"]!["ports"]!.AsArray();
        Assert.Equal("kubernetes.io/h2c", Str(ports.Single(p => Str(p, "name") == "grpc"), "appProtocol"));
        Assert.Equal("http", Str(ports.Single(p => Str(p, "name") == "http"), "appProtocol"));
        Single(objects, "PodDisruptionBudget", "flagger-bridge-bridge");

        var notifier = Single(objects, "Deployment", "flagger-bridge-notifier");
        var notifierEnv = Env(Containers(notifier).Single());
        Assert.Equal("http://flagger-bridge-bridge:8081", notifierEnv["Subscriber__Address"]);
        Assert.Equal("/var/run/secrets/subscriber/notifier", notifierEnv["Subscriber__TokenFile"]);
        Assert.Equal("/etc/notifier/notifier.yaml", notifierEnv["Notifier__ConfigFile"]);
        var mounts = Containers(notifier).Single()["volumeMounts"]!.AsArray().Select(m => Str(m, "mountPath")).ToList();
        Assert.Contains("/var/run/secrets/notifier/dingtalk", mounts);
        var config = Single(objects, "ConfigMap", "flagger-bridge-notifier");
        var routes = YamlJson.ParseAll(config["data"]!["notifier.yaml"]!.GetValue<string>()).Single();
        Assert.True(JsonNode.DeepEquals(YamlJson.ReadObject(Repo.PathOf("examples", "notifier", "slack-teams-dingtalk.yaml")), routes),
            "The ConfigMap's notifier.yaml differs from notifier.config.");
        Single(objects, "PersistentVolumeClaim", "flagger-bridge-notifier");

        var audit = Single(objects, "StatefulSet", "flagger-bridge-audit");
        var auditEnv = Env(Containers(audit).Single());
        Assert.Equal("postgres", auditEnv["Audit__Storage__Provider"]);
        Assert.Equal("/var/run/secrets/audit/postgres/connectionString", auditEnv["Audit__Storage__ConnectionStringFile"]);
        Assert.Null(audit["spec"]!["volumeClaimTemplates"]);
        var ingress = Single(objects, "Ingress", "flagger-bridge-audit");
        Assert.Equal("deployments.example.com", Str(ingress["spec"]!["rules"]![0], "host"));

        var policy = Single(objects, "NetworkPolicy", "flagger-bridge-bridge");
        Assert.Contains(policy["spec"]!["ingress"]!.AsArray(),
            rule => Str(rule!["from"]![0]!["namespaceSelector"]?["matchLabels"], "kubernetes.io/metadata.name") == "flagger-system");
        Single(objects, "ServiceMonitor", "flagger-bridge");
        var alerts = Single(objects, "PrometheusRule", "flagger-bridge")["spec"]!["groups"]![0]!["rules"]!.AsArray()
            .Select(r => Str(r, "alert")).ToList();
        Assert.Equal(["CanaryFailed", "BridgeSpoolFilling", "BridgeSubscriptionLag", "BridgeKafkaPublishFailures", "NotifierDeliveryFailures"], alerts);

        Assert.Contains("--set eventWebhook=http://flagger-bridge-bridge.flagger-system:8080/v1/flagger/events?token=<token>", notes, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NotifierWithoutRoutes_LogsEveryEvent_AndUserSinksGetNoDefaultSink()
    {
        var (objects, _) = await RenderAsync(Tokens, await BootstrapFileAsync());
        var routes = YamlJson.ParseAll(Single(objects, "ConfigMap", "flagger-bridge-notifier")["data"]!["notifier.yaml"]!.GetValue<string>()).Single()!;
        Assert.Equal("console", Str(routes["sinks"]!["console"], "type"));
        Assert.Equal("everything", Str(routes["routes"]![0], "name"));

        // Helm merges maps: a sink in values.yaml would join the user's sinks.
        (objects, _) = await RenderAsync(Production);
        routes = YamlJson.ParseAll(Single(objects, "ConfigMap", "flagger-bridge-notifier")["data"]!["notifier.yaml"]!.GetValue<string>()).Single()!;
        Assert.Equal(["dingtalk", "slack-prod", "teams"], routes["sinks"]!.AsObject().Select(s => s.Key).Order(StringComparer.Ordinal));
    }

    // Stands for `--set kafka.bootstrapServers=...` of the README's install commands.
    private static Task<string> BootstrapFileAsync() =>
        Task.FromResult(Path.Combine(AppContext.BaseDirectory, "Render", "values-kafka.yaml"));
}
