using Bridge.CloudEvents.Kafka;
using Bridge.Server.Kafka;

namespace Bridge.Server.Tests.Kafka;

public sealed class KafkaOptionsValidatorTests
{
    private readonly KafkaOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        var result = _validator.Validate(null, new KafkaOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_RealClusterWithSecurityProperties_Succeeds()
    {
        var options = new KafkaOptions { BootstrapServers = "kafka-0.kafka:9092, kafka-1.kafka:9093" };
        options.Common["security.protocol"] = "SASL_SSL";
        options.Common["sasl.mechanism"] = "SCRAM-SHA-512";
        options.Common["sasl.username"] = "bridge";
        options.Producer["compression.type"] = "zstd";
        options.Producer["acks"] = "all";
        options.Producer["enable.idempotence"] = "true";
        options.Consumer["fetch.wait.max.ms"] = "50";
        options.Consumer["enable.auto.commit"] = "false";

        var result = _validator.Validate(null, options);

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    // Each case: how the options are broken, and what the message must say. Keyed by the expected text.
    private static readonly Dictionary<string, Action<KafkaOptions>> InvalidCases = new()
    {
        ["Kafka:Partitions must be between 1 and 10000, got 0"] = o => o.Partitions = 0,
        ["Kafka:Partitions must be between 1 and 10000, got 10001"] = o => o.Partitions = 10_001,
        ["Kafka:ReplicationFactor must be between 1 and 32767, got 0"] = o => o.ReplicationFactor = 0,
        ["Kafka:EmbeddedBrokers must be between 1 and 32, got 0"] = o => o.EmbeddedBrokers = 0,
        ["Kafka:LingerMs must be between 0 and 900000, got -1"] = o => o.LingerMs = -1,
        ["Kafka:ProduceTimeout must be between 00:00:00.1000000 and 01:00:00, got 00:00:00"] = o => o.ProduceTimeout = TimeSpan.Zero,
        ["Kafka:LingerMs (5000) must be below Kafka:ProduceTimeout (5000 ms)"] = o => o.LingerMs = 5000,
        ["Kafka:ConnectTimeout must be between 00:00:00.1000000 and 00:05:00, got 00:00:00.0500000"] = o => o.ConnectTimeout = TimeSpan.FromMilliseconds(50),
        ["Kafka:RetryBackoff must be between 00:00:00.0100000 and 00:01:00, got 00:00:00"] = o => o.RetryBackoff = TimeSpan.Zero,
        ["Kafka:MaxRetryBackoff must be between 00:00:00.0100000 and 00:10:00, got 01:00:00"] = o => o.MaxRetryBackoff = TimeSpan.FromHours(1),
        ["Kafka:MaxRetryBackoff (00:00:00.5000000) must not be below Kafka:RetryBackoff (00:00:01)."] = o => o.MaxRetryBackoff = TimeSpan.FromMilliseconds(500),
        ["Kafka:CheckInterval must be between 00:00:00.1000000 and 00:10:00, got -00:00:01"] = o => o.CheckInterval = TimeSpan.FromSeconds(-1),
        ["Kafka:Topic must not be empty."] = o => o.Topic = "",
        ["Kafka:Topic 'flagger events' is not a valid Kafka topic name"] = o => o.Topic = "flagger events",
        ["Kafka:Topic '..' is not a valid Kafka topic name"] = o => o.Topic = "..",
        ["is not a valid Kafka topic name"] = o => o.Topic = new string('a', 250),
        ["Kafka:ClientId must not be empty."] = o => o.ClientId = " ",
        ["Kafka:ContentMode must be Binary or Structured, got '7'"] = o => o.ContentMode = (KafkaContentMode)7,
        ["Kafka:BootstrapServers must be a comma-separated list of host:port (port 1-65535), but 'kafka:abc' is not"] = o => o.BootstrapServers = "kafka:abc",
        ["but 'kafka' is not"] = o => o.BootstrapServers = "kafka:9092,kafka",
        ["but 'kafka:70000' is not"] = o => o.BootstrapServers = "kafka:70000",
        ["Kafka:Producer:enable.idempotence=false is not allowed"] = o => o.Producer["enable.idempotence"] = "false",
        ["Kafka:Common:enable.idempotence=False is not allowed"] = o => o.Common["enable.idempotence"] = "False",
        ["Kafka:Producer:acks=1 is not allowed"] = o => o.Producer["acks"] = "1",
        ["Kafka:Producer:request.required.acks=0 is not allowed"] = o => o.Producer["request.required.acks"] = "0",
        ["Kafka:Producer:partitioner=consistent_random is not allowed"] = o => o.Producer["partitioner"] = "consistent_random",
        ["Kafka:Consumer:enable.auto.commit=true is not allowed"] = o => o.Consumer["enable.auto.commit"] = "true",
        ["Kafka:Common:enable.auto.offset.store=true is not allowed"] = o => o.Common["enable.auto.offset.store"] = "true",
        ["Kafka:Producer:bootstrap.servers is not allowed here: it is set by Kafka:BootstrapServers"] = o => o.Producer["bootstrap.servers"] = "x:1",
        ["Kafka:Producer:linger.ms is not allowed here: it is set by Kafka:LingerMs"] = o => o.Producer["linger.ms"] = "5",
        ["Kafka:Producer:message.timeout.ms is not allowed here: it is set by Kafka:ProduceTimeout"] = o => o.Producer["message.timeout.ms"] = "5",
        ["Kafka:Consumer:group.id is not allowed here"] = o => o.Consumer["group.id"] = "g",
        ["Kafka:Common:client.id is not allowed here: it is set by Kafka:ClientId"] = o => o.Common["client.id"] = "c",
        ["Kafka:Producer:no.such.property: librdkafka rejects it: No such configuration property"] = o => o.Producer["no.such.property"] = "1",
        ["Kafka:Consumer:fetch.wait.max.ms: librdkafka rejects it: Invalid value"] = o => o.Consumer["fetch.wait.max.ms"] = "soon",
        ["Kafka:Common has a property with an empty or blank-padded name"] = o => o.Common[" "] = "x",
        ["Kafka:Common:security.protocol is 'SASL_SSL', but the embedded cluster (Kafka:BootstrapServers empty) speaks plaintext only"] = o => o.Common["security.protocol"] = "SASL_SSL",
        ["Kafka:SaslPasswordFile names '/no/such/password', which does not exist or is not a file."] = o => o.SaslPasswordFile = "/no/such/password",
        ["Kafka:SslKeyPasswordFile must name a file"] = o => o.SslKeyPasswordFile = "",
    };

    public static TheoryData<string> InvalidMessages => new(InvalidCases.Keys);

    [Theory]
    [MemberData(nameof(InvalidMessages))]
    public void Validate_InvalidValue_FailsNamingTheKey(string expected)
    {
        var options = new KafkaOptions();
        InvalidCases[expected](options);

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEveryOne()
    {
        var options = new KafkaOptions { Partitions = 0, Topic = "", EmbeddedBrokers = 99 };

        var result = _validator.Validate(null, options);

        Assert.Equal(3, result.Failures!.Count());
    }

    [Fact]
    public void Validate_SaslPasswordFileAndSaslPasswordProperty_FailsAskingToKeepOne()
    {
        var file = Path.GetTempFileName();
        try
        {
            var options = new KafkaOptions { BootstrapServers = "kafka:9092", SaslPasswordFile = file };
            options.Common["sasl.password"] = "inline";

            var result = _validator.Validate(null, options);

            Assert.Contains("Kafka:Common:sasl.password and Kafka:SaslPasswordFile are both set; keep one.", result.FailureMessage, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Validate_ExistingSaslPasswordFile_Succeeds()
    {
        var file = Path.GetTempFileName();
        try
        {
            var result = _validator.Validate(null, new KafkaOptions { BootstrapServers = "kafka:9092", SaslPasswordFile = file });

            Assert.True(result.Succeeded, result.FailureMessage);
        }
        finally
        {
            File.Delete(file);
        }
    }
}
