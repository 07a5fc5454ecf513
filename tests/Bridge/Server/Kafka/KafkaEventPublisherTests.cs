using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Bridge.CloudEvents;
using Bridge.CloudEvents.Kafka;
using Bridge.Server.Kafka;
using Bridge.Server.Tests.Infrastructure;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using System.Diagnostics.Metrics;

namespace Bridge.Server.Tests.Kafka;

/// <summary>
/// The publisher against the run's Kafka (<see cref="KafkaClusterFixture"/>), a fresh topic per test; tests
/// that take brokers down or make Kafka refuse events run the bridge's own embedded cluster instead.
/// </summary>
public sealed class KafkaEventPublisherTests(KafkaClusterFixture kafkaCluster) : IClassFixture<KafkaClusterFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task PublishAsync_BinaryMode_RecordCarriesCeHeadersContentTypeKeyAndData()
    {
        await using var kafka = await Harness.StartAsync(OnRunsKafka(new KafkaOptions { Partitions = 3 }));

        var receipt = await kafka.Publisher.PublishAsync(Event("prod/podinfo"), CancellationToken.None);
        var record = Assert.Single(await KafkaClusterFixture.ConsumeAsync(kafka.BootstrapServers, kafka.Topic, 1, Timeout));

        Assert.Equal(new PublishReceipt(kafka.Topic, record.Partition.Value, record.Offset.Value), receipt);
        Assert.Equal("prod/podinfo", Encoding.UTF8.GetString(record.Message.Key!));
        Assert.Equal("""{"name":"podinfo"}""", Encoding.UTF8.GetString(record.Message.Value!));
        var headers = record.Message.Headers.ToDictionary(h => h.Key, h => Encoding.UTF8.GetString(h.GetValueBytes()));
        Assert.Equal("1.0", headers["ce_specversion"]);
        Assert.Equal("e1", headers["ce_id"]);
        Assert.Equal("/flagger/prod", headers["ce_source"]);
        Assert.Equal("app.flagger.canary.promoted", headers["ce_type"]);
        Assert.Equal("prod/podinfo", headers["ce_subject"]);
        Assert.Equal("prod/podinfo", headers["ce_partitionkey"]);
        Assert.Equal("application/json", headers["content-type"]);
        Assert.False(headers.ContainsKey("ce_datacontenttype"));
        var decoded = KafkaBinding.FromRecord(KafkaMessageMapper.ToRecord(record));
        Assert.Equal("e1", decoded.Id);
    }

    [Fact]
    public async Task PublishAsync_StructuredMode_ValueIsTheJsonEventWithCloudEventsContentType()
    {
        await using var kafka = await Harness.StartAsync(OnRunsKafka(new KafkaOptions { Partitions = 1, ContentMode = KafkaContentMode.Structured }));

        await kafka.Publisher.PublishAsync(Event("prod/podinfo"), CancellationToken.None);
        var record = Assert.Single(await KafkaClusterFixture.ConsumeAsync(kafka.BootstrapServers, kafka.Topic, 1, Timeout));

        Assert.Equal("prod/podinfo", Encoding.UTF8.GetString(record.Message.Key!));
        Assert.StartsWith("application/cloudevents+json", Encoding.UTF8.GetString(record.Message.Headers.GetLastBytes("content-type")), StringComparison.Ordinal);
        Assert.DoesNotContain(record.Message.Headers, h => h.Key.StartsWith("ce_", StringComparison.Ordinal));
        using var json = JsonDocument.Parse(record.Message.Value);
        Assert.Equal("e1", json.RootElement.GetProperty("id").GetString());
        Assert.Equal("prod/podinfo", json.RootElement.GetProperty("partitionkey").GetString());
        Assert.Equal("podinfo", json.RootElement.GetProperty("data").GetProperty("name").GetString());
    }

    [Fact]
    public async Task PublishAsync_NoPartitionKey_RecordHasNoKey()
    {
        await using var kafka = await Harness.StartAsync(OnRunsKafka(new KafkaOptions { Partitions = 1 }));

        await kafka.Publisher.PublishAsync(Event(partitionKey: null), CancellationToken.None);
        var record = Assert.Single(await KafkaClusterFixture.ConsumeAsync(kafka.BootstrapServers, kafka.Topic, 1, Timeout));

        Assert.Null(record.Message.Key);
        Assert.DoesNotContain(record.Message.Headers, h => h.Key == "ce_partitionkey");
    }

    [Fact]
    public async Task PublishAsync_SameKey_AlwaysLandsOnTheJavaClientsMurmur2Partition()
    {
        // Vectors of Kafka's own murmur2 tests: they pin the reference implementation used below.
        Assert.Equal(-973932308, Murmur2.Hash("21"u8));
        Assert.Equal(-790332482, Murmur2.Hash("foobar"u8));
        Assert.Equal(-985981536, Murmur2.Hash("a-little-bit-long-string"u8));
        Assert.Equal(-1486304829, Murmur2.Hash("a-little-bit-longer-string"u8));
        Assert.Equal(-58897971, Murmur2.Hash("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"u8));
        Assert.Equal(479470107, Murmur2.Hash("abc"u8));
        const int partitions = 6;
        await using var kafka = await Harness.StartAsync(OnRunsKafka(new KafkaOptions { Partitions = partitions }));
        var keys = Enumerable.Range(0, 24).Select(i => $"team-{i % 5}/app-{i}").ToArray();

        var receipts = new List<(string Key, int Partition)>();
        for (var round = 0; round < 2; round++)
        {
            foreach (var key in keys)
            {
                var receipt = await kafka.Publisher.PublishAsync(Event(key, id: $"{key}-{round}"), CancellationToken.None);
                receipts.Add((key, receipt.Partition));
            }
        }

        Assert.All(receipts, r => Assert.Equal(Murmur2.Partition(Encoding.UTF8.GetBytes(r.Key), partitions), r.Partition));
        Assert.True(receipts.Select(r => r.Partition).Distinct().Count() > 1, "keys should spread over partitions");
        var records = await KafkaClusterFixture.ConsumeAsync(kafka.BootstrapServers, kafka.Topic, receipts.Count, Timeout);
        Assert.All(records, r => Assert.Equal(Murmur2.Partition(r.Message.Key, partitions), r.Partition.Value));
    }

    [Fact]
    public async Task PublishAsync_AllBrokersDown_ThrowsPublishFailedWithinTimeoutThenSucceedsOnceBrokersAreBack()
    {
        // Takes brokers down: the bridge's own embedded cluster, whatever Kafka the other tests use.
        var options = new KafkaOptions { Partitions = 2, EmbeddedBrokers = 2, ProduceTimeout = TimeSpan.FromSeconds(1.5) };
        await using var kafka = await Harness.StartAsync(options);
        await kafka.Publisher.PublishAsync(Event("prod/podinfo", id: "before"), CancellationToken.None);
        var cluster = kafka.Connection.EmbeddedCluster!;

        cluster.SetBrokerDown(1);
        cluster.SetBrokerDown(2);
        var stopwatch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<PublishFailedException>(() => kafka.Publisher.PublishAsync(Event("prod/podinfo", id: "during"), CancellationToken.None).AsTask());
        stopwatch.Stop();
        var reachableWhileDown = await kafka.Publisher.IsBrokerReachableAsync(TimeSpan.FromMilliseconds(500));
        cluster.SetBrokerUp(1);
        cluster.SetBrokerUp(2);
        var after = await EventuallyAsync(() => kafka.Publisher.PublishAsync(Event("prod/podinfo", id: "after"), CancellationToken.None).AsTask(), TimeSpan.FromSeconds(10));

        Assert.StartsWith("Kafka did not acknowledge the event within 1.5 s: Local: Message timed out", failure.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorCode.Local_MsgTimedOut, Assert.IsAssignableFrom<KafkaException>(failure.InnerException).Error.Code);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5 + 2));
        Assert.False(reachableWhileDown);
        Assert.Equal("flagger-events", after.Topic);
        Assert.True(await kafka.Publisher.IsBrokerReachableAsync(Timeout));
        Assert.Contains(kafka.Metrics.Of("bridge.kafka.publish.errors"), m => m.Tags == "reason=Local_MsgTimedOut");
        Assert.Contains(kafka.Logs.Entries, e => e.EventId.Id == 1021 && e.Message.Contains("during", StringComparison.Ordinal));
    }

    [Fact]
    public async Task PublishAsync_BrokerRejectsTheEvent_ThrowsPublishFailedNamingTheError()
    {
        // Makes the broker fail a request: the bridge's own embedded cluster, whatever Kafka the other tests use.
        await using var kafka = await Harness.StartAsync(new KafkaOptions { Partitions = 1, EmbeddedBrokers = 1 });
        await kafka.Publisher.PublishAsync(Event("a/b", id: "first"), CancellationToken.None);

        kafka.Connection.EmbeddedCluster!.PushRequestErrors(0, ErrorCode.TopicAuthorizationFailed);
        var failure = await Assert.ThrowsAsync<PublishFailedException>(() => kafka.Publisher.PublishAsync(Event("a/b", id: "second"), CancellationToken.None).AsTask());

        Assert.Equal("Kafka did not take the event: Broker: Topic authorization failed (TopicAuthorizationFailed).", failure.Message);
        Assert.Contains(kafka.Metrics.Of("bridge.kafka.publish.errors"), m => m.Tags == "reason=TopicAuthorizationFailed");
    }

    [Fact]
    public async Task PublishAsync_Acknowledged_CountsByTypeAndRecordsLatency()
    {
        await using var kafka = await Harness.StartAsync(OnRunsKafka(new KafkaOptions { Partitions = 1 }));

        await kafka.Publisher.PublishAsync(Event("a/b"), CancellationToken.None);

        Assert.Equal([("bridge.kafka.events.published", 1.0, "type=app.flagger.canary.promoted")], kafka.Metrics.Of("bridge.kafka.events.published"));
        var duration = Assert.Single(kafka.Metrics.Of("bridge.kafka.publish.duration"));
        Assert.InRange(duration.Value, 0, Timeout.TotalSeconds);
    }

    [Fact]
    public async Task PublishAsync_BeforeStart_ThrowsSayingItHasNotStarted()
    {
        await using var kafka = await Harness.StartAsync(OnRunsKafka(new KafkaOptions()), startPublisher: false);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => kafka.Publisher.PublishAsync(Event("a/b"), CancellationToken.None).AsTask());

        Assert.Contains("has not started", error.Message, StringComparison.Ordinal);
        Assert.False(await kafka.Publisher.IsBrokerReachableAsync(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task PublishAsync_InvalidEvent_ThrowsCloudEventFormatExceptionAndPublishesNothing()
    {
        await using var kafka = await Harness.StartAsync(OnRunsKafka(new KafkaOptions { Partitions = 1 }));

        await Assert.ThrowsAsync<CloudEventFormatException>(() => kafka.Publisher.PublishAsync(new CloudEvent { Id = "x" }, CancellationToken.None).AsTask());

        Assert.Empty(kafka.Metrics.Of("bridge.kafka.events.published"));
    }

    [Fact]
    public async Task StopAsync_EventsInFlight_WaitsUntilKafkaAnsweredThem()
    {
        await using var kafka = await Harness.StartAsync(OnRunsKafka(new KafkaOptions { Partitions = 2, LingerMs = 200 }));
        var pending = Enumerable.Range(0, 100).Select(i => kafka.Publisher.PublishAsync(Event("a/b", id: $"e{i}"), CancellationToken.None).AsTask()).ToArray();

        await kafka.Publisher.StopAsync(CancellationToken.None);

        // Kafka answered every event before StopAsync returned; the callers' continuations may still be
        // on their way through the thread pool, which the short wait allows for (not a second flush).
        Assert.Contains(kafka.Logs.Entries, e => e.EventId.Id == 1030);
        var receipts = await Task.WhenAll(pending).WaitAsync(TimeSpan.FromSeconds(2));
        Assert.Equal(100, receipts.Length);
    }

    [Fact]
    public async Task PublishAsync_AfterFatalProducerError_ProducerIsReplacedAndPublishingWorks()
    {
        await using var kafka = await Harness.StartAsync(OnRunsKafka(new KafkaOptions { Partitions = 1 }));
        await kafka.Publisher.PublishAsync(Event("a/b", id: "before"), CancellationToken.None);
        var before = kafka.Publisher.ProducerName;

        var handle = (SafeHandle)typeof(Handle).GetProperty("LibrdkafkaHandle", BindingFlags.Instance | BindingFlags.NonPublic)!.GetValue(kafka.Publisher.Handle)!;
        var testFatalError = Marshal.GetDelegateForFunctionPointer<TestFatalError>(NativeLibrary.GetExport(KafkaNativeLibrary.Load().Handle, "rd_kafka_test_fatal_error"));
        Assert.Equal(0, testFatalError(handle.DangerousGetHandle(), (int)ErrorCode.OutOfOrderSequenceNumber, "injected by test"u8.ToArray()));
        await EventuallyAsync(() => Task.FromResult(kafka.Publisher.ProducerName != before ? true : throw new TimeoutException("not replaced")), Timeout);
        var receipt = await kafka.Publisher.PublishAsync(Event("a/b", id: "after"), CancellationToken.None);

        Assert.Equal(1, receipt.Offset);
        Assert.Contains(kafka.Logs.Entries, e => e.EventId.Id == 1012);
    }

    [Fact]
    public async Task PublishAsync_KafkaNotReachedSinceStart_FailsAtOnceWithTheConnectionsReasonThenPublishesOnceKafkaAnswers()
    {
        var port = TcpForwarder.FreePort();
        var options = new KafkaOptions
        {
            BootstrapServers = $"127.0.0.1:{port}",
            Topic = "late",
            Partitions = 3,
            ProduceTimeout = TimeSpan.FromSeconds(10),
            ConnectTimeout = TimeSpan.FromMilliseconds(500),
            RetryBackoff = TimeSpan.FromMilliseconds(100),
            MaxRetryBackoff = TimeSpan.FromMilliseconds(300),
        };
        await using var kafka = await Harness.StartAsync(options);
        await kafka.Connection.FirstAttempt.WaitAsync(Timeout);

        var stopwatch = Stopwatch.StartNew();
        var failure = await Assert.ThrowsAsync<PublishFailedException>(() => kafka.Publisher.PublishAsync(Event("prod/podinfo", id: "early"), CancellationToken.None).AsTask());
        stopwatch.Stop();
        await using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("late", 3, 1);
        using var forwarder = new TcpForwarder(port, cluster.BootstrapServers);
        await Wait.UntilAsync(() => kafka.Connection.HasConnected, "the connection reached Kafka");
        var receipt = await kafka.Publisher.PublishAsync(Event("prod/podinfo", id: "later"), CancellationToken.None);

        Assert.StartsWith($"Kafka at 127.0.0.1:{port} is not reachable: ", failure.Message, StringComparison.Ordinal);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(2), $"Failing took {stopwatch.Elapsed}, not at once (the produce timeout is 10 s).");
        Assert.Contains(kafka.Metrics.Of("bridge.kafka.publish.errors"), m => m.Tags == "reason=Unreachable");
        Assert.Equal("late", receipt.Topic);
        Assert.Equal(0, receipt.Offset);
        var records = await KafkaClusterFixture.ConsumeAsync(cluster.BootstrapServers, "late", 1, Timeout);
        Assert.Equal("later", Encoding.UTF8.GetString(Assert.Single(records).Message.Headers.GetLastBytes("ce_id")));
    }

    [Fact]
    public async Task PublishAsync_WhileTheFirstAttemptIsUnderWay_WaitsForItAndPublishes()
    {
        var options = OnRunsKafka(new KafkaOptions { Partitions = 1 });
        await using var kafka = await Harness.StartAsync(options);

        // Straight after start: the connection has not answered yet, the publish waits for it instead of failing.
        var receipt = await kafka.Publisher.PublishAsync(Event("a/b", id: "first"), CancellationToken.None);

        Assert.Equal(0, receipt.Offset);
        Assert.True(kafka.Connection.HasConnected);
    }

    // rd_kafka_test_fatal_error of the librdkafka the producer runs on: the same handle Confluent.Kafka is bound to.
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    private delegate int TestFatalError(IntPtr rk, int error, byte[] reason);

    /// <summary><paramref name="options"/> on the run's Kafka, with a fresh topic of <see cref="KafkaOptions.Partitions"/> partitions.</summary>
    private KafkaOptions OnRunsKafka(KafkaOptions options)
    {
        options.BootstrapServers = kafkaCluster.BootstrapServers;
        options.Topic = kafkaCluster.CreateTopic(options.Partitions, prefix: "publisher");
        return options;
    }

    private static CloudEvent Event(string? partitionKey, string id = "e1")
    {
        var cloudEvent = new CloudEvent
        {
            Id = id,
            Source = "/flagger/prod",
            Type = "app.flagger.canary.promoted",
            Subject = "prod/podinfo",
            DataContentType = "application/json",
            Data = CloudEventData.FromJson("""{"name":"podinfo"}"""),
        };
        if (partitionKey is not null)
        {
            cloudEvent.SetExtension("partitionkey", partitionKey);
        }

        return cloudEvent;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T>> attempt, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            try
            {
                return await attempt();
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    /// <summary>A started connection (to the given servers, or the embedded cluster) and publisher, with captured logs and metrics.</summary>
    private sealed class Harness : IAsyncDisposable
    {
        private readonly ServiceProvider _services;

        private Harness(KafkaOptions options)
        {
            _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
            var factory = _services.GetRequiredService<IMeterFactory>();
            Metrics = new KafkaMetricsTests.MetricRecorder(factory);
            Connection = new KafkaConnection(Options.Create(options), Logs.CreateLogger<KafkaConnection>());
            Publisher = new KafkaEventPublisher(Connection, Options.Create(options), new KafkaMetrics(factory), Logs.CreateLogger<KafkaEventPublisher>());
        }

        public LogCollector Logs { get; } = new();

        public KafkaMetricsTests.MetricRecorder Metrics { get; }

        public KafkaConnection Connection { get; }

        public KafkaEventPublisher Publisher { get; }

        public string BootstrapServers => Connection.BootstrapServers;

        public string Topic => Connection.Topic;

        public static async Task<Harness> StartAsync(KafkaOptions options, bool startPublisher = true)
        {
            var result = new KafkaOptionsValidator().Validate(null, options);
            Assert.True(result.Succeeded, result.FailureMessage);
            var harness = new Harness(options);
            await harness.Connection.StartAsync(CancellationToken.None);
            if (startPublisher)
            {
                await harness.Publisher.StartAsync(CancellationToken.None);
            }

            return harness;
        }

        public async ValueTask DisposeAsync()
        {
            Publisher.Dispose();
            await Connection.DisposeAsync();
            Metrics.Dispose();
            await _services.DisposeAsync();
        }
    }
}
