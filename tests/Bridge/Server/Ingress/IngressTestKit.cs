using System.Text;
using Bridge.CloudEvents;
using Bridge.Server.Kafka;
using Bridge.Server.Tests.Hosting;
using Bridge.Server.Tests.Infrastructure;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Ingress;

/// <summary>
/// One bridge host per test class, publishing to a fresh topic of a shared embedded cluster, with
/// helpers to read records back and to prove a request published nothing.
/// </summary>
public class IngressHostFixture : IAsyncLifetime
{
    private readonly KafkaClusterFixture _kafka = new();
    private readonly Lock _readerGate = new();
    private IConsumer<byte[]?, byte[]?>? _reader;

    // A consumer that is never assigned: queries on one that is fetching wait behind its fetches.
    private IConsumer<byte[]?, byte[]?>? _counter;
    private IReadOnlyList<int> _partitions = [];

    public string Topic { get; private set; } = string.Empty;

    internal BridgeTestServer Server { get; private set; } = null!;

    public string BootstrapServers => _kafka.BootstrapServers;

    public async Task InitializeAsync()
    {
        Topic = _kafka.CreateTopic(partitions: 6, prefix: "ingress");
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["Kafka:BootstrapServers"] = _kafka.BootstrapServers,
            ["Kafka:Topic"] = Topic,
            ["Kafka:ProduceTimeout"] = "00:00:10",
            ["Ingress:MaxBodyBytes"] = "4096",
        };
        foreach (var (key, value) in Settings())
        {
            settings[key] = value;
        }

        Server = await BridgeTestServer.StartAsync(settings);
        _partitions = KafkaClusterFixture.PartitionsOf(BootstrapServers, Topic, TimeSpan.FromSeconds(10));
        _reader = CreateConsumer();
        _counter = CreateConsumer();
    }

    public async Task DisposeAsync()
    {
        await Server.DisposeAsync();
        _reader?.Dispose();
        _counter?.Dispose();
        _kafka.Dispose();
    }

    /// <summary>Settings of this fixture's host on top of the defaults.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string?>> Settings() => [];

    private IConsumer<byte[]?, byte[]?> CreateConsumer() =>
        new ConsumerBuilder<byte[]?, byte[]?>(new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = $"reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
        }).Build();

    /// <summary>Reads the record at one offset.</summary>
    public Task<ConsumeResult<byte[]?, byte[]?>> ReadAsync(int partition, long offset) =>
        Task.Run(() =>
        {
            lock (_readerGate)
            {
                _reader!.Assign(new TopicPartitionOffset(Topic, partition, offset));
                var deadline = DateTime.UtcNow.AddSeconds(15);
                while (DateTime.UtcNow < deadline)
                {
                    var result = _reader.Consume(TimeSpan.FromSeconds(1));
                    if (result is { IsPartitionEOF: false, Message: not null })
                    {
                        return result;
                    }
                }

                throw new TimeoutException($"No record at {Topic}[{partition}]@{offset} within 15 s.");
            }
        });

    /// <summary>Sum of the partitions' high-water marks: the number of records ever written to the topic.</summary>
    public long RecordCount()
    {
        lock (_readerGate)
        {
            return _partitions.Sum(p => _counter!.QueryWatermarkOffsets(new TopicPartition(Topic, p), TimeSpan.FromSeconds(10)).High.Value);
        }
    }

    /// <summary>
    /// Runs <paramref name="request"/> and proves it published nothing: afterwards a marker event is
    /// published through the host's own publisher and must be the only new record.
    /// </summary>
    public async Task<T> AssertNothingPublishedAsync<T>(Func<Task<T>> request)
    {
        var before = RecordCount();
        var result = await request();
        var marker = new CloudEvent { Id = Guid.NewGuid().ToString("N"), Source = "/test", Type = "test.marker" };
        await Server.Services.GetRequiredService<IEventPublisher>().PublishAsync(marker, CancellationToken.None);
        Assert.Equal(before + 1, RecordCount());
        return result;
    }

    public static string Header(ConsumeResult<byte[]?, byte[]?> record, string name)
    {
        var header = record.Message.Headers.SingleOrDefault(h => h.Key == name);
        Assert.True(header is not null, $"Record has no header '{name}'.");
        return Encoding.UTF8.GetString(header.GetValueBytes());
    }

    public static string? Key(ConsumeResult<byte[]?, byte[]?> record) =>
        record.Message.Key is null ? null : Encoding.UTF8.GetString(record.Message.Key);
}

/// <summary>Flagger payloads shaped like Flagger's own (map keys sorted, as Go marshals them).</summary>
internal static class FlaggerPayloads
{
    public static string Event(string name = "podinfo", string ns = "test", string phase = "Progressing", string message = "Advance podinfo.test canary weight 10", long timestamp = 1736500000123) =>
        $$"""{"checksum":"85d557f47b","metadata":{"cluster":"flagger-test","environment":"test","eventMessage":"{{message}}","eventType":"Normal","timestamp":"{{timestamp}}"},"name":"{{name}}","namespace":"{{ns}}","phase":"{{phase}}"}""";

    public static string Hook(string name = "podinfo", string ns = "test", string phase = "Progressing") =>
        $$"""{"checksum":"85d557f47b","metadata":{"cmd":"test podinfo -n test","type":"helmv3"},"name":"{{name}}","namespace":"{{ns}}","phase":"{{phase}}"}""";
}
