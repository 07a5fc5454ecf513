using System.Globalization;
using Bridge.Server.Kafka;

// Hosts librdkafka's embedded Kafka cluster until standard input closes or says "quit".
//   dotnet Bridge.KafkaHost.dll [--brokers N] [--topic NAME --partitions N]
// Prints "BOOTSTRAP <servers>" once the cluster runs, then answers each command on a line of its own:
//   down [ID...]             take brokers down (all when no id is given)    -> "OK down 1,2,3"
//   up [ID...]               bring brokers up (all when no id is given)     -> "OK up 1,2,3"
//   topic NAME PARTITIONS    create a topic                                 -> "OK topic NAME"
//   quit                     stop the cluster and exit
// A command that fails prints "FAIL <reason>".
var brokers = 3;
string? topic = null;
var partitions = 6;
for (var i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--brokers":
            brokers = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--topic":
            topic = args[++i];
            break;
        case "--partitions":
            partitions = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Use --brokers N, --topic NAME, --partitions N.");
            return 2;
    }
}

using var cluster = EmbeddedKafkaCluster.Start(brokers);
if (topic is not null)
{
    cluster.CreateTopic(topic, partitions, Math.Min(3, brokers));
}

Console.WriteLine($"BOOTSTRAP {cluster.BootstrapServers}");
while (Console.ReadLine() is { } line)
{
    var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    if (words.Length == 0)
    {
        continue;
    }

    try
    {
        switch (words[0])
        {
            case "down" or "up":
                var ids = words.Length > 1 ? words[1..].Select(w => int.Parse(w, CultureInfo.InvariantCulture)).ToArray() : Enumerable.Range(1, cluster.BrokerCount).ToArray();
                foreach (var id in ids)
                {
                    if (words[0] == "down")
                    {
                        cluster.SetBrokerDown(id);
                    }
                    else
                    {
                        cluster.SetBrokerUp(id);
                    }
                }

                Console.WriteLine($"OK {words[0]} {string.Join(',', ids)}");
                break;
            case "topic" when words.Length == 3:
                cluster.CreateTopic(words[1], int.Parse(words[2], CultureInfo.InvariantCulture), Math.Min(3, cluster.BrokerCount));
                Console.WriteLine($"OK topic {words[1]}");
                break;
            case "quit":
                return 0;
            default:
                Console.WriteLine($"FAIL unknown command '{line}'");
                break;
        }
    }
    catch (Exception e) when (e is FormatException or ArgumentException or Confluent.Kafka.KafkaException)
    {
        Console.WriteLine($"FAIL {words[0]}: {e.Message}");
    }
}

return 0;
