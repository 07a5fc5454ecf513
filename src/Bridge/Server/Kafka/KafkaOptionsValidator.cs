using System.Globalization;
using Bridge.CloudEvents.Kafka;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Kafka;

/// <summary>
/// Checks <see cref="KafkaOptions"/> at start. Besides ranges it refuses librdkafka properties that would
/// quietly break the bridge's promises (no loss after 202, per-key order, the same partition as Java clients,
/// commits only after acks), and asks librdkafka itself whether every pass-through property exists.
/// </summary>
internal sealed class KafkaOptionsValidator : IValidateOptions<KafkaOptions>
{
    private const string S = KafkaOptions.SectionName;
    private static readonly TimeSpan MinProduceTimeout = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxProduceTimeout = TimeSpan.FromHours(1);

    // Properties with their own option: setting them twice would leave one of the two silently ignored.
    private static readonly Dictionary<string, string> OwnedProperties = new(StringComparer.Ordinal)
    {
        ["bootstrap.servers"] = $"{S}:BootstrapServers",
        ["metadata.broker.list"] = $"{S}:BootstrapServers",
        ["client.id"] = $"{S}:ClientId",
        ["message.timeout.ms"] = $"{S}:ProduceTimeout",
        ["delivery.timeout.ms"] = $"{S}:ProduceTimeout",
        ["linger.ms"] = $"{S}:LingerMs",
        ["queue.buffering.max.ms"] = $"{S}:LingerMs",
        ["group.id"] = "the subscription (each subscription is its own consumer group)",
    };

    public ValidateOptionsResult Validate(string? name, KafkaOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();

        ValidateBootstrapServers(options.BootstrapServers, errors);
        ValidateTopic(options.Topic, errors);
        Range(errors, "Partitions", options.Partitions, 1, 10_000);
        Range(errors, "ReplicationFactor", options.ReplicationFactor, 1, short.MaxValue);
        Range(errors, "EmbeddedBrokers", options.EmbeddedBrokers, 1, 32);
        if (!Enum.IsDefined(options.ContentMode))
        {
            errors.Add($"{S}:ContentMode must be Binary or Structured, got '{options.ContentMode}'.");
        }

        if (options.ProduceTimeout < MinProduceTimeout || options.ProduceTimeout > MaxProduceTimeout)
        {
            errors.Add($"{S}:ProduceTimeout must be between {MinProduceTimeout} and {MaxProduceTimeout}, got {options.ProduceTimeout}.");
        }

        Duration(errors, "ConnectTimeout", options.ConnectTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(5));
        Duration(errors, "RetryBackoff", options.RetryBackoff, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
        Duration(errors, "MaxRetryBackoff", options.MaxRetryBackoff, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        if (options.MaxRetryBackoff < options.RetryBackoff)
        {
            errors.Add($"{S}:MaxRetryBackoff ({options.MaxRetryBackoff}) must not be below {S}:RetryBackoff ({options.RetryBackoff}).");
        }

        Duration(errors, "CheckInterval", options.CheckInterval, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));

        Range(errors, "LingerMs", options.LingerMs, 0, 900_000);
        if (options.LingerMs >= options.ProduceTimeout.TotalMilliseconds && options.ProduceTimeout >= MinProduceTimeout)
        {
            errors.Add($"{S}:LingerMs ({options.LingerMs}) must be below {S}:ProduceTimeout ({options.ProduceTimeout.TotalMilliseconds:0} ms), or no event could ever be acknowledged in time.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            errors.Add($"{S}:ClientId must not be empty.");
        }

        ValidateProperties("Common", options.Common, producer: true, consumer: true, errors);
        ValidateProperties("Producer", options.Producer, producer: true, consumer: false, errors);
        ValidateProperties("Consumer", options.Consumer, producer: false, consumer: true, errors);
        ValidateSecretFile("SaslPasswordFile", options.SaslPasswordFile, "sasl.password", options, errors);
        ValidateSecretFile("SslKeyPasswordFile", options.SslKeyPasswordFile, "ssl.key.password", options, errors);

        if (options.UsesEmbeddedCluster)
        {
            foreach (var (section, properties) in Sections(options))
            {
                if (properties.TryGetValue("security.protocol", out var protocol) && !protocol.Equals("plaintext", StringComparison.OrdinalIgnoreCase))
                {
                    errors.Add($"{S}:{section}:security.protocol is '{protocol}', but the embedded cluster ({S}:BootstrapServers empty) speaks plaintext only; set {S}:BootstrapServers to use a secured cluster.");
                }
            }
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    private static void ValidateBootstrapServers(string servers, List<string> errors)
    {
        if (string.IsNullOrWhiteSpace(servers))
        {
            return;
        }

        foreach (var entry in servers.Split(',', StringSplitOptions.TrimEntries))
        {
            var colon = entry.LastIndexOf(':');
            var host = colon > 0 ? entry[..colon] : string.Empty;
            var port = colon > 0 ? entry[(colon + 1)..] : string.Empty;
            if (host.Length == 0 || host.Any(char.IsWhiteSpace)
                || !int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number is < 1 or > 65535)
            {
                errors.Add($"{S}:BootstrapServers must be a comma-separated list of host:port (port 1-65535), but '{entry}' is not; leave it empty to run the embedded cluster.");
            }
        }
    }

    private static void ValidateTopic(string topic, List<string> errors)
    {
        if (string.IsNullOrEmpty(topic))
        {
            errors.Add($"{S}:Topic must not be empty.");
        }
        else if (topic.Length > 249 || topic is "." or ".." || !topic.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            errors.Add($"{S}:Topic '{topic}' is not a valid Kafka topic name: use 1-249 of a-z, A-Z, 0-9, '.', '_', '-' (and not '.' or '..').");
        }
    }

    private static void Range(List<string> errors, string key, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{S}:{key} must be between {min} and {max}, got {value}.");
        }
    }

    private static void Duration(List<string> errors, string key, TimeSpan value, TimeSpan min, TimeSpan max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{S}:{key} must be between {min} and {max}, got {value}.");
        }
    }

    private static void ValidateProperties(string section, Dictionary<string, string> properties, bool producer, bool consumer, List<string> errors)
    {
        foreach (var (key, value) in properties)
        {
            var path = $"{S}:{section}:{key}";
            if (string.IsNullOrWhiteSpace(key) || key != key.Trim())
            {
                errors.Add($"{S}:{section} has a property with an empty or blank-padded name ('{key}').");
                continue;
            }

            if (value is null)
            {
                errors.Add($"{path} has no value; remove it or give it one.");
                continue;
            }

            if (OwnedProperties.TryGetValue(key, out var owner))
            {
                errors.Add($"{path} is not allowed here: it is set by {owner}.");
                continue;
            }

            if (producer)
            {
                if (key is "enable.idempotence" && !IsTrue(value))
                {
                    errors.Add($"{path}={value} is not allowed: without the idempotent producer retries can duplicate or reorder events of a canary.");
                }

                if (key is "acks" or "request.required.acks" && value is not ("all" or "-1"))
                {
                    errors.Add($"{path}={value} is not allowed: the bridge answers 202 only for events every in-sync replica stored, which needs acks=all.");
                }

                if (key is "partitioner" && value is not ("murmur2_random" or "murmur2"))
                {
                    errors.Add($"{path}={value} is not allowed: keys must land on the partition Java, Go and Kafka Streams clients choose (murmur2_random or murmur2).");
                }
            }

            if (consumer)
            {
                if (key is "enable.auto.commit" && IsTrue(value))
                {
                    errors.Add($"{path}={value} is not allowed: subscriptions commit offsets only after subscribers acknowledged the events.");
                }

                if (key is "enable.auto.offset.store" && IsTrue(value))
                {
                    errors.Add($"{path}={value} is not allowed: subscriptions store offsets only after subscribers acknowledged the events.");
                }
            }

            if (!key.StartsWith("dotnet.", StringComparison.Ordinal) && LibrdkafkaRejects(key, value) is { } reason)
            {
                errors.Add($"{path}: librdkafka rejects it: {reason}");
            }
        }
    }

    private static void ValidateSecretFile(string key, string? path, string property, KafkaOptions options, List<string> errors)
    {
        if (path is null)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(path))
        {
            errors.Add($"{S}:{key} must name a file; remove it to not use one.");
            return;
        }

        if (!File.Exists(path))
        {
            errors.Add($"{S}:{key} names '{path}', which does not exist or is not a file.");
        }

        foreach (var (section, properties) in Sections(options))
        {
            if (properties.ContainsKey(property))
            {
                errors.Add($"{S}:{section}:{property} and {S}:{key} are both set; keep one.");
            }
        }
    }

    private static IEnumerable<(string Section, Dictionary<string, string> Properties)> Sections(KafkaOptions options) =>
        [("Common", options.Common), ("Producer", options.Producer), ("Consumer", options.Consumer)];

    private static bool IsTrue(string value) =>
        value.Equals("true", StringComparison.OrdinalIgnoreCase) || value == "1";

    // librdkafka knows its properties and their value syntax; a throwaway configuration object asks it.
    private static string? LibrdkafkaRejects(string key, string value)
    {
        var conf = LibrdkafkaNativeMethods.ConfNew();
        try
        {
            var errors = new byte[512];
            return LibrdkafkaNativeMethods.ConfSet(conf, LibrdkafkaNativeMethods.ToUtf8z(key), LibrdkafkaNativeMethods.ToUtf8z(value), errors, (UIntPtr)errors.Length) == 0
                ? null
                : LibrdkafkaNativeMethods.FromUtf8z(errors);
        }
        finally
        {
            LibrdkafkaNativeMethods.ConfDestroy(conf);
        }
    }
}
