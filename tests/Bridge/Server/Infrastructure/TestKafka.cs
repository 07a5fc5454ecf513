using Bridge.Server.Kafka;
using Confluent.Kafka;
using Testcontainers.Kafka;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace Bridge.Server.Tests.Infrastructure;

/// <summary>Which Kafka the tests run against.</summary>
public enum TestKafkaKind
{
    /// <summary>The cluster named by <c>KAFKA_BOOTSTRAP_SERVERS</c>.</summary>
    External,

    /// <summary>Kafka in a container started through Testcontainers, one per test run.</summary>
    Container,

    /// <summary>librdkafka's in-process cluster, one per test class.</summary>
    Embedded,
}

/// <summary>
/// The choice of Kafka for the whole test run, made once: <c>KAFKA_BOOTSTRAP_SERVERS</c> set → that
/// cluster; else a Docker engine answering → Kafka in a container (Testcontainers.Kafka); else the
/// embedded cluster. The external cluster and the container are shared by every test class, which
/// therefore each create topics of their own.
/// </summary>
internal static class TestKafka
{
    /// <summary>Environment variable naming an external cluster (<c>host:port,...</c>, plaintext).</summary>
    public const string BootstrapServersVariable = "KAFKA_BOOTSTRAP_SERVERS";

    /// <summary>Image of the container (Confluent's Kafka in KRaft mode, one broker).</summary>
    public const string ContainerImage = "confluentinc/cp-kafka:7.5.12";

    private static readonly TimeSpan DockerPingTimeout = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan ContainerStartTimeout = TimeSpan.FromMinutes(5);

    private static readonly Lazy<(TestKafkaKind Kind, string Why)> Choice = new(() =>
    {
        var configured = Environment.GetEnvironmentVariable(BootstrapServersVariable);
        var docker = DockerEngine.Endpoints().FirstOrDefault(e => DockerEngine.Answers(e, DockerPingTimeout));
        var kind = Choose(configured, docker is not null);
        var why = kind switch
        {
            TestKafkaKind.External => $"{BootstrapServersVariable} is set",
            TestKafkaKind.Container => $"{BootstrapServersVariable} is unset and a Docker engine answers at {docker}",
            _ => $"{BootstrapServersVariable} is unset and no Docker engine answers at {string.Join(" or ", DockerEngine.Endpoints())}",
        };
        return (kind, why);
    });

    private static readonly Lazy<string> SharedContainer = new(StartContainer);
    private static int _announced;

    /// <summary>The Kafka of this test run.</summary>
    public static TestKafkaKind Kind => Choice.Value.Kind;

    /// <summary>Why <see cref="Kind"/> was chosen, for the test output.</summary>
    public static string Reason => Choice.Value.Why;

    /// <summary>The pure rule behind <see cref="Kind"/>.</summary>
    public static TestKafkaKind Choose(string? bootstrapServers, bool dockerAnswers) =>
        !string.IsNullOrWhiteSpace(bootstrapServers) ? TestKafkaKind.External
        : dockerAnswers ? TestKafkaKind.Container
        : TestKafkaKind.Embedded;

    /// <summary>Bootstrap servers of the shared external cluster or container (starting the container on first use).</summary>
    /// <exception cref="InvalidOperationException">The run uses the embedded cluster, which is not shared.</exception>
    public static string SharedBootstrapServers => Kind switch
    {
        TestKafkaKind.External => Environment.GetEnvironmentVariable(BootstrapServersVariable)!.Trim(),
        TestKafkaKind.Container => SharedContainer.Value,
        _ => throw new InvalidOperationException("The embedded cluster is not shared: each fixture starts its own."),
    };

    /// <summary>Says once per test run, in the test output, which Kafka the tests use and why.</summary>
    public static void Announce(IMessageSink? sink, string description)
    {
        if (sink is not null && Interlocked.Exchange(ref _announced, 1) == 0)
        {
            sink.OnMessage(new DiagnosticMessage($"Kafka for the tests: {description} ({Reason})."));
        }
    }

    private static string StartContainer()
    {
        var container = new KafkaBuilder(ContainerImage).Build();
        try
        {
            using var timeout = new CancellationTokenSource(ContainerStartTimeout);
            container.StartAsync(timeout.Token).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            throw new InvalidOperationException(
                $"A Docker engine answers, but Kafka ({ContainerImage}) did not start in a container: {e.Message}. "
                + $"Set {BootstrapServersVariable} to use a running cluster instead.", e);
        }

        // Testcontainers' resource reaper removes the container if the process dies before this runs.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().Wait(TimeSpan.FromSeconds(30));
        // The address reads like plaintext://127.0.0.1:32768/; clients want host:port.
        var address = new Uri(container.GetBootstrapAddress());
        return $"{address.Host}:{address.Port}";
    }

    /// <summary>The librdkafka version of this process, for descriptions.</summary>
    public static string LibrdkafkaVersion => KafkaNativeLibrary.Load().Version;

    /// <summary>Brokers in the cluster at <paramref name="bootstrapServers"/>.</summary>
    public static int BrokerCount(string bootstrapServers, TimeSpan timeout)
    {
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = bootstrapServers }).Build();
        return admin.GetMetadata(timeout).Brokers.Count;
    }
}
