using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Bridge.Server.Kafka;
using Bridge.Server.Spool;
using Bridge.Server.Tests.Hosting;
using Bridge.Server.Tests.Infrastructure;
using Bridge.Server.Tests.Ingress;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Spool;

/// <summary>
/// The spool through the real HTTP ingress and librdkafka's cluster, with every broker taken down through the
/// cluster's fault injection.
/// </summary>
public sealed class SpoolIngressTests
{
    private static readonly Dictionary<string, string?> OutageSettings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["Kafka:EmbeddedBrokers"] = "2",
        ["Kafka:ProduceTimeout"] = "00:00:02",
        ["Spool:KafkaBudget"] = "00:00:01",
        ["Spool:RetryBackoff"] = "00:00:00.100",
        ["Spool:MaxRetryBackoff"] = "00:00:00.500",
        ["Ingress:ReadinessTimeout"] = "00:00:01",
    };

    [Fact]
    public async Task FlaggerEvents_AllBrokersDown_Answered202SpooledThenOnKafkaInPerCanaryOrder()
    {
        await using var server = await BridgeTestServer.StartAsync(OutageSettings);
        var cluster = server.Services.GetRequiredService<KafkaConnection>().EmbeddedCluster!;
        var canaries = new[] { "alpha", "beta", "gamma" };
        var sent = canaries.ToDictionary(c => c, _ => new List<string>());
        var store = server.Services.GetRequiredService<SpoolStore>();
        foreach (var canary in canaries)
        {
            // With Kafka up; a busy machine may still spool one if the producer's first connection takes long.
            sent[canary].Add((await PostEventAsync(server, canary, 0)).Id);
        }

        await Wait.UntilAsync(() => store.Count == 0, "nothing waits in the spool before the outage", TimeSpan.FromSeconds(30));
        cluster.SetBrokerDown(1);
        cluster.SetBrokerDown(2);
        var started = Stopwatch.StartNew();
        await Task.WhenAll(canaries.Select(async canary =>
        {
            // Like Flagger: one canary's events one after another, each once.
            for (var step = 1; step <= 5; step++)
            {
                var answer = await PostEventAsync(server, canary, step);
                Assert.True(answer.Spooled, $"{canary} step {step} was not spooled: {answer.Body}");
                sent[canary].Add(answer.Id);
            }
        }));
        var elapsed = started.Elapsed;
        var gate = await server.PostJsonAsync("/v1/flagger/hooks/confirm-promotion", FlaggerPayloads.Hook(name: "delta"));
        var gateBody = await BridgeTestServer.ReadJsonAsync(gate);
        var ready = await server.Client.GetAsync("/readyz");
        var metrics = await server.Client.GetStringAsync("/metrics");

        Assert.True(elapsed < TimeSpan.FromSeconds(8), $"15 events took {elapsed}: only the first of each canary should wait for the budget.");
        Assert.Equal(HttpStatusCode.OK, gate.StatusCode);
        Assert.Equal("open", gateBody.GetProperty("gate").GetString());
        Assert.True(gateBody.GetProperty("spooled").GetBoolean());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(16, Gauge(metrics, "bridge_spool_events"));
        Assert.Contains("bridge_spool_events_spooled_total{reason=\"kafka_slow\"}", metrics, StringComparison.Ordinal);
        Assert.Contains("bridge_spool_events_spooled_total{reason=\"behind_canary\"} 12\n", metrics, StringComparison.Ordinal);
        Assert.True(Gauge(metrics, "bridge_spool_size_bytes") > 0);
        Assert.True(Gauge(metrics, "bridge_spool_oldest_age_seconds") > 0);

        cluster.SetBrokerUp(1);
        cluster.SetBrokerUp(2);
        await Wait.UntilAsync(() => store.Count == 0, "the spool drained to Kafka", TimeSpan.FromSeconds(30));

        var topic = server.Services.GetRequiredService<KafkaConnection>().Topic;
        var onKafka = await ReadIdsByKeyAsync(cluster.BootstrapServers, topic, sent.Values.Sum(v => v.Count) + 1, TimeSpan.FromSeconds(20));
        foreach (var canary in canaries)
        {
            AssertInOrder(sent[canary], onKafka.GetValueOrDefault($"test/{canary}", []), canary);
        }

        Assert.Contains(gateBody.GetProperty("ids")[0].GetString(), onKafka["test/delta"]);
        Assert.False(store.HasPending("test/alpha"));
        var direct = false;
        for (var step = 6; step < 9 && !direct; step++)
        {
            // A busy machine may take longer than the budget for one acknowledgement; not for three in a row.
            direct = !(await PostEventAsync(server, "alpha", step)).Spooled;
        }

        Assert.True(direct, "Once its spooled events are on Kafka, a canary's events go straight to Kafka again.");
        var after = await server.Client.GetStringAsync("/metrics");
        Assert.Equal(0, Gauge(after, "bridge_spool_events"));
        Assert.True(Counter(after, "bridge_spool_events_forwarded_total") >= 16);
    }

    [Fact]
    public async Task Event_SpoolFullDuringOutage_503AsWithoutSpoolAndNotReadyNamingBoth()
    {
        var settings = new Dictionary<string, string?>(OutageSettings, StringComparer.OrdinalIgnoreCase)
        {
            ["Spool:MaxBytes"] = "65536",
            ["Spool:SegmentBytes"] = "65536",
        };
        await using var server = await BridgeTestServer.StartAsync(settings);
        var cluster = server.Services.GetRequiredService<KafkaConnection>().EmbeddedCluster!;
        cluster.SetBrokerDown(1);
        cluster.SetBrokerDown(2);
        var data = new string('x', 8 * 1024);

        HttpResponseMessage? refused = null;
        for (var i = 0; i < 20 && refused is null; i++)
        {
            var response = await server.Client.PostAsync("/v1/events", CloudEvent($"big-{i}", "test/big", data));
            if (response.StatusCode != HttpStatusCode.Accepted)
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        var problem = await BridgeTestServer.ReadProblemAsync(refused, 503);
        Assert.Contains("Spool:MaxBytes", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("5", refused.Headers.RetryAfter?.ToString());
        var notReady = await BridgeTestServer.ReadProblemAsync(await server.Client.GetAsync("/readyz"), 503);
        var detail = notReady.GetProperty("detail").GetString()!;
        Assert.Contains("Kafka", detail, StringComparison.Ordinal);
        Assert.Contains("full", detail, StringComparison.Ordinal);
        Assert.Contains("bridge_spool_events_refused_total{reason=\"full\"}", await server.Client.GetStringAsync("/metrics"), StringComparison.Ordinal);

        cluster.SetBrokerUp(1);
        cluster.SetBrokerUp(2);
        var store = server.Services.GetRequiredService<SpoolStore>();
        await Wait.UntilAsync(() => store.Count == 0, "the spool drained to Kafka", TimeSpan.FromSeconds(30));
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task ConfirmGate_KafkaDownAndSpoolDisabled_AnsweredOpenFromGateStateAndPublishedAtNextPoll()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Kafka:EmbeddedBrokers"] = "2",
            ["Kafka:ProduceTimeout"] = "00:00:01",
            ["Spool:Enabled"] = "false",
        });
        var cluster = server.Services.GetRequiredService<KafkaConnection>().EmbeddedCluster!;
        cluster.SetBrokerDown(1);
        cluster.SetBrokerDown(2);

        var gate = await server.PostJsonAsync("/v1/flagger/hooks/confirm-rollout", FlaggerPayloads.Hook(name: "gated"));
        var gateBody = await BridgeTestServer.ReadJsonAsync(gate);
        var rollback = await server.PostJsonAsync("/v1/flagger/hooks/rollback", FlaggerPayloads.Hook(name: "gated"));

        Assert.Equal(HttpStatusCode.OK, gate.StatusCode);
        Assert.Equal("open", gateBody.GetProperty("gate").GetString());
        Assert.False(gateBody.GetProperty("published").GetBoolean());
        Assert.False(gateBody.TryGetProperty("events", out _));
        await BridgeTestServer.ReadProblemAsync(rollback, 403);
        Assert.True(server.Logs.Has(1108), "A gate answered without its event stored is logged.");

        cluster.SetBrokerUp(1);
        cluster.SetBrokerUp(2);
        JsonElement next = default;
        await HealthEndpointsTests.Eventually(async () =>
        {
            next = await BridgeTestServer.ReadJsonAsync(await server.PostJsonAsync("/v1/flagger/hooks/confirm-rollout", FlaggerPayloads.Hook(name: "gated")));
            return next.TryGetProperty("events", out _);
        }, TimeSpan.FromSeconds(20));
        Assert.Equal(gateBody.GetProperty("ids")[0].GetString(), next.GetProperty("events")[0].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Restart_DuringOutage_NextBridgeStartsWithoutKafkaAndForwardsEverySpooledEventInOrder()
    {
        using var cluster = EmbeddedKafkaCluster.Start(2);
        var topic = $"spool-restart-{Guid.NewGuid():N}";
        cluster.CreateTopic(topic, 3, 2);
        var spool = Directory.CreateTempSubdirectory("bridge-spool-restart-").FullName;
        try
        {
            var settings = new Dictionary<string, string?>(OutageSettings, StringComparer.OrdinalIgnoreCase)
            {
                ["Kafka:BootstrapServers"] = cluster.BootstrapServers,
                ["Kafka:Topic"] = topic,
                ["Spool:Directory"] = spool,
            };
            var sent = new List<string>();
            cluster.SetBrokerDown(1);
            cluster.SetBrokerDown(2);
            await using (var first = await BridgeTestServer.StartAsync(settings))
            {
                for (var step = 0; step < 4; step++)
                {
                    var answer = await PostEventAsync(first, "restarted", step);
                    Assert.True(answer.Spooled);
                    sent.Add(answer.Id);
                }
            }

            await using var second = await BridgeTestServer.StartAsync(settings);
            await Wait.UntilAsync(() => second.Logs.Has(1007), "starting without Kafka is logged (Kafka is not reachable)");
            for (var step = 4; step < 6; step++)
            {
                var answer = await PostEventAsync(second, "restarted", step);
                Assert.True(answer.Spooled, "Events of a canary with spooled events queue behind them after a restart too.");
                sent.Add(answer.Id);
            }

            cluster.SetBrokerUp(1);
            cluster.SetBrokerUp(2);
            var store = second.Services.GetRequiredService<SpoolStore>();
            await Wait.UntilAsync(() => store.Count == 0, "the spool drained to Kafka", TimeSpan.FromSeconds(30));
            var onKafka = await ReadIdsByKeyAsync(cluster.BootstrapServers, topic, sent.Count, TimeSpan.FromSeconds(20));
            AssertInOrder(sent, onKafka["test/restarted"], "restarted");
        }
        finally
        {
            Directory.Delete(spool, recursive: true);
        }
    }

    private static async Task<(string Id, bool Spooled, string Body)> PostEventAsync(BridgeTestServer server, string canary, int step)
    {
        var response = await server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(
            name: canary, message: $"Advance {canary}.test canary weight {step * 10}", timestamp: 1736500000000 + step));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Accepted, $"Expected 202 for {canary} step {step}, got {(int)response.StatusCode}: {body}");
        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        var spooled = root.TryGetProperty("spooled", out var flag) && flag.GetBoolean();
        var stored = root.GetProperty("events")[0];
        if (spooled)
        {
            Assert.True(stored.GetProperty("spooled").GetBoolean());
            Assert.False(stored.TryGetProperty("offset", out _), "A spooled event has no Kafka offset yet.");
        }

        return (root.GetProperty("ids")[0].GetString()!, spooled, body);
    }

    private static StringContent CloudEvent(string id, string key, string data)
    {
        var json = JsonSerializer.Serialize(new Dictionary<string, string>
        {
            ["specversion"] = "1.0",
            ["id"] = id,
            ["source"] = "/test",
            ["type"] = "test.big",
            ["partitionkey"] = key,
            ["data"] = data,
        });
        return BridgeTestServer.Json(json, "application/cloudevents+json");
    }

    /// <summary>Each key's event ids in partition order, read from the beginning until <paramref name="distinct"/> distinct ids arrived (or the timeout passed).</summary>
    internal static Task<Dictionary<string, List<string>>> ReadIdsByKeyAsync(string bootstrapServers, string topic, int distinct, TimeSpan timeout) =>
        ReadIdsByKeyAsync(bootstrapServers, topic, seen => seen.Count >= distinct, timeout);

    /// <summary>
    /// Each key's event ids in partition order, read from the beginning until <paramref name="done"/> holds for the
    /// ids seen, or what was read when <paramref name="timeout"/> passed first.
    /// </summary>
    internal static Task<Dictionary<string, List<string>>> ReadIdsByKeyAsync(string bootstrapServers, string topic, Func<IReadOnlySet<string>, bool> done, TimeSpan timeout) =>
        Task.Run(() =>
        {
            var partitions = KafkaClusterFixture.PartitionsOf(bootstrapServers, topic, timeout);
            using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
            {
                BootstrapServers = bootstrapServers,
                GroupId = $"spool-reader-{Guid.NewGuid():N}",
                EnableAutoCommit = false,
            }).Build();
            consumer.Assign(partitions.Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            var byKey = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var deadline = DateTime.UtcNow + timeout;
            while (!done(seen))
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    // What arrived: the caller's assertions name what is missing.
                    break;
                }

                var result = consumer.Consume(left);
                if (result is not { IsPartitionEOF: false, Message: not null })
                {
                    continue;
                }

                var key = result.Message.Key is null ? string.Empty : Encoding.UTF8.GetString(result.Message.Key);
                var id = IngressHostFixture.Header(result, "ce_id");
                seen.Add(id);
                if (!byKey.TryGetValue(key, out var ids))
                {
                    byKey[key] = ids = [];
                }

                ids.Add(id);
            }

            return byKey;
        });

    /// <summary>
    /// Every sent id is on Kafka, and in the order sent when each is taken at its first occurrence (what a
    /// consumer that drops duplicates by id sees).
    /// </summary>
    internal static void AssertInOrder(IReadOnlyList<string> sent, IReadOnlyList<string> onKafka, string canary)
    {
        var missing = sent.Except(onKafka).ToList();
        Assert.True(missing.Count == 0, $"{canary}: {missing.Count} answered event(s) are not on Kafka: {string.Join(", ", missing)}");
        var firstSeen = onKafka.Where(sent.Contains).Distinct().ToList();
        Assert.True(sent.SequenceEqual(firstSeen), $"{canary}: sent {string.Join(",", sent)} but Kafka has {string.Join(",", onKafka)}");
    }

    private static double Gauge(string metrics, string name)
    {
        // An unlabelled series is written "name value" or, by OpenTelemetry's exporter, "name{} value".
        var line = metrics.Split('\n').Single(l => l.StartsWith(name + " ", StringComparison.Ordinal) || l.StartsWith(name + "{} ", StringComparison.Ordinal));
        return double.Parse(line[(line.IndexOf(' ', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static double Counter(string metrics, string name) =>
        metrics.Split('\n')
            .Where(l => l.StartsWith(name, StringComparison.Ordinal) && (l.Length > name.Length && l[name.Length] is ' ' or '{'))
            .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));
}
