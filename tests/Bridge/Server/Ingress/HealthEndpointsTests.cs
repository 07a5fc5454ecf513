using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Bridge.Server.Kafka;
using Bridge.Server.Tests.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Ingress;

public sealed partial class HealthEndpointsTests(IngressHostFixture fixture) : IClassFixture<IngressHostFixture>
{
    private BridgeTestServer Server => fixture.Server;

    [Fact]
    public async Task LivenessAsync_Get_200Ok()
    {
        var response = await Server.Client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadinessAsync_KafkaReachable_200Ready()
    {
        var response = await Server.Client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ready", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ReadinessAsync_SpoolDisabledAllBrokersDown_503ThenReadyAgain()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Kafka:EmbeddedBrokers"] = "2",
            ["Ingress:ReadinessTimeout"] = "00:00:01",
            ["Spool:Enabled"] = "false",
        });
        var cluster = server.Services.GetRequiredService<KafkaConnection>().EmbeddedCluster!;
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/readyz")).StatusCode);

        cluster.SetBrokerDown(1);
        cluster.SetBrokerDown(2);
        var started = Stopwatch.StartNew();
        var down = await server.Client.GetAsync("/readyz");
        var elapsed = started.Elapsed;

        var problem = await BridgeTestServer.ReadProblemAsync(down, 503);
        Assert.True(elapsed < TimeSpan.FromSeconds(5), $"readyz took {elapsed}");
        Assert.Contains("kafka", problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("Not ready", problem.GetProperty("title").GetString());

        cluster.SetBrokerUp(1);
        cluster.SetBrokerUp(2);
        await Eventually(async () => (await server.Client.GetAsync("/readyz")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(20));
    }

    [Fact]
    public async Task MetricsAsync_AfterRequests_CountersAndHistogramMoved()
    {
        var before = Parse(await Server.Client.GetStringAsync("/metrics"));
        await Server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(timestamp: 1736500002001));
        await Server.PostJsonAsync("/v1/flagger/events", "{", "application/json");
        await Server.Client.GetAsync("/nowhere");

        var response = await Server.Client.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        var after = Parse(text);

        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        Assert.Equal(1, Delta(before, after, "bridge_ingress_requests_total{route=\"flagger-events\",status=\"202\"}"));
        Assert.Equal(1, Delta(before, after, "bridge_ingress_requests_total{route=\"flagger-events\",status=\"400\"}"));
        Assert.Equal(1, Delta(before, after, "bridge_ingress_requests_total{route=\"unmatched\",status=\"404\"}"));
        Assert.Equal(2, Delta(before, after, "bridge_ingress_request_duration_seconds_count{route=\"flagger-events\"}"));
        Assert.Equal(1, Delta(before, after, "bridge_ingress_events_accepted_total{type=\"app.flagger.canary.weight.advanced\"}"));
        Assert.Contains("# TYPE bridge_ingress_request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE bridge_ingress_requests_total counter\n", text, StringComparison.Ordinal);
        Assert.Contains("bridge_ingress_request_duration_seconds_bucket{route=\"flagger-events\",le=\"+Inf\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MetricsAsync_Text_EverySampleLineIsWellFormed()
    {
        await Server.Client.GetAsync("/healthz");

        var text = await Server.Client.GetStringAsync("/metrics");

        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            Assert.True(
                line.StartsWith("# HELP ", StringComparison.Ordinal) || line.StartsWith("# TYPE ", StringComparison.Ordinal) || SampleLine().IsMatch(line),
                $"Not a Prometheus text line: {line}");
        }
    }

    internal static async Task Eventually(Func<Task<bool>> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Condition not met within {timeout}.");
            await Task.Delay(100);
        }
    }

    private static Dictionary<string, double> Parse(string text) =>
        text.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Where(line => !line.StartsWith('#'))
            .Select(line => (Series: line[..line.LastIndexOf(' ')], Value: double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture)))
            .ToDictionary(s => s.Series, s => s.Value, StringComparer.Ordinal);

    private static double Delta(Dictionary<string, double> before, Dictionary<string, double> after, string series) =>
        after.GetValueOrDefault(series) - before.GetValueOrDefault(series);

    [GeneratedRegex("""^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*",?)*\})? (-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$""")]
    private static partial Regex SampleLine();
}
