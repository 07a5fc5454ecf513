using Bridge.CloudEvents;
using Bridge.Server.Kafka;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Kafka;

public sealed class KafkaServiceCollectionExtensionsTests
{
    [Fact]
    public async Task AddBridgeKafka_HostStarts_EmbeddedClusterTopicAndPublisherAreReady()
    {
        using var host = Build(new()
        {
            ["Kafka:Partitions"] = "2",
            ["Kafka:EmbeddedBrokers"] = "1",
            ["Kafka:Common:socket.keepalive.enable"] = "true",
            ["Kafka:Producer:compression.type"] = "lz4",
        });

        await host.StartAsync();
        var publisher = host.Services.GetRequiredService<IEventPublisher>();
        var receipt = await publisher.PublishAsync(
            new CloudEvent { Id = "1", Source = "/test", Type = "app.flagger.canary.event" }, CancellationToken.None);
        var connection = host.Services.GetRequiredService<KafkaConnection>();
        var config = connection.CreateProducerConfig();
        await host.StopAsync();

        Assert.Same(host.Services.GetRequiredService<KafkaEventPublisher>(), publisher);
        Assert.Equal("flagger-events", receipt.Topic);
        Assert.InRange(receipt.Partition, 0, 1);
        Assert.Equal(1, connection.EmbeddedCluster!.BrokerCount);
        Assert.Equal("true", config.Get("socket.keepalive.enable"));
        Assert.Equal("lz4", config.Get("compression.type"));
    }

    [Fact]
    public async Task AddBridgeKafka_InvalidConfiguration_StartFailsNamingTheKey()
    {
        using var host = Build(new() { ["Kafka:Partitions"] = "0", ["Kafka:Producer:acks"] = "1" });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains("Kafka:Partitions must be between 1 and 10000, got 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("Kafka:Producer:acks=1 is not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddBridgeKafka_CalledTwice_RegistersConnectionBeforePublisherOnce()
    {
        var services = new ServiceCollection().AddLogging();
        var configuration = new ConfigurationBuilder().Build();

        services.AddBridgeKafka(configuration).AddBridgeKafka(configuration);
        using var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();

        Assert.Equal(2, hosted.Count);
        Assert.IsType<KafkaConnection>(hosted[0]);
        Assert.IsType<KafkaEventPublisher>(hosted[1]);
        Assert.Single(provider.GetServices<IEventPublisher>());
    }

    private static IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Services.AddBridgeKafka(builder.Configuration);
        return builder.Build();
    }
}
