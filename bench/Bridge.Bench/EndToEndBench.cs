using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Bridge.Client;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Bridge.Server.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Bench;

/// <summary>
/// End to end: HTTP POST accepted (202 after the Kafka ack) to delivery on a gRPC subscription, at a
/// steady request rate; then how many deliveries per second one subscriber receives (acks batched by
/// the client) from a backlog.
/// </summary>
internal static class EndToEndBench
{
    private const int Rate = 1000;

    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        await using var bridge = await BenchHost.StartBridgeAsync(options);
        await LatencyAsync(bridge, options, report);
        await ThroughputAsync(bridge, options, report);
    }

    private static async Task LatencyAsync(Microsoft.AspNetCore.Builder.WebApplication bridge, BenchOptions options, BenchReport report)
    {
        using var client = new EventBridgeClient(BenchHost.GrpcAddress(bridge));
        await using var subscription = client.Subscribe(new OpenSubscription
        {
            Subscription = "bench-latency",
            Start = StartPositions.Earliest(),
            MaxInFlight = 1000,
        });
        await subscription.ResponseHeadersAsync;

        var total = (int)(Rate * options.Duration.TotalSeconds);
        var sentAt = new long[total];
        var latencies = new List<double>(total);
        var received = 0;
        var joined = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var receiver = Task.Run(async () =>
        {
            await foreach (var delivery in subscription.ReadAllAsync())
            {
                var now = Stopwatch.GetTimestamp();
                if (!joined.Task.IsCompleted)
                {
                    // The warm-up event: the subscription holds its partitions now.
                    joined.TrySetResult();
                    _ = subscription.AckAsync(delivery.AckId);
                    continue;
                }

                var seq = ReadSequence(delivery.Event);
                if (seq >= 0 && seq < total && Volatile.Read(ref sentAt[seq]) != 0)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(sentAt[seq], now).TotalMilliseconds);
                }

                // Not awaited: the client coalesces acks, and awaiting each would serialize deliveries on the ack delay.
                _ = subscription.AckAsync(delivery.AckId);
                if (++received == total)
                {
                    return;
                }
            }
        });

        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = BenchHost.IngressAddress(bridge) };
        using (var warmup = new ByteArrayContent(Payload(-1)))
        {
            // Joining the consumer group takes a while (seconds on Kafka brokers); measure steady state, not the join.
            warmup.Headers.ContentType = new("application/json");
            using var accepted = await http.PostAsync("/v1/flagger/events", warmup);
            accepted.EnsureSuccessStatusCode();
            await joined.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }

        using var inFlight = new SemaphoreSlim(256);
        var failures = 0;
        var pacing = Stopwatch.StartNew();
        var posts = new List<Task>(total);
        for (var seq = 0; seq < total; seq++)
        {
            var due = TimeSpan.FromSeconds((double)seq / Rate);
            var wait = due - pacing.Elapsed;
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait);
            }

            await inFlight.WaitAsync();
            var n = seq;
            posts.Add(Task.Run(async () =>
            {
                try
                {
                    Volatile.Write(ref sentAt[n], Stopwatch.GetTimestamp());
                    using var content = new ByteArrayContent(Payload(n));
                    content.Headers.ContentType = new("application/json");
                    using var response = await http.PostAsync("/v1/flagger/events", content);
                    if (response.StatusCode != HttpStatusCode.Accepted)
                    {
                        Interlocked.Increment(ref failures);
                    }
                }
                finally
                {
                    inFlight.Release();
                }
            }));
        }

        await Task.WhenAll(posts);
        var finished = await Task.WhenAny(receiver, Task.Delay(TimeSpan.FromSeconds(30)));
        var name = string.Create(CultureInfo.InvariantCulture, $"end to end at {Rate} req/s");
        if (finished != receiver || failures > 0)
        {
            report.Fail($"{name}: received {received} of {total} deliveries, {failures} POSTs not accepted");
            return;
        }

        report.Add(name, "POST sent → gRPC delivery", Percentiles.Describe(latencies));
        await subscription.CompleteAsync();
    }

    private static async Task ThroughputAsync(Microsoft.AspNetCore.Builder.WebApplication bridge, BenchOptions options, BenchReport report)
    {
        // A backlog written straight to Kafka, so the measurement is the subscription path alone.
        var publisher = bridge.Services.GetRequiredService<IEventPublisher>();
        var backlog = options.Events;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 64).Select(async _ =>
        {
            int n;
            while ((n = Interlocked.Increment(ref next)) < backlog)
            {
                await publisher.PublishAsync(NewEvent(n), CancellationToken.None);
            }
        }));

        // librdkafka's in-process cluster keeps a bounded log per partition and drops the oldest records
        // beyond it, so the expected count comes from the partitions' watermarks, not from what was written.
        var expected = StoredRecords(bridge);
        using var client = new EventBridgeClient(BenchHost.GrpcAddress(bridge));
        await using var subscription = client.Subscribe(new OpenSubscription
        {
            Subscription = "bench-throughput",
            Start = StartPositions.Earliest(),
            MaxInFlight = 1000,
        });

        var received = 0;
        Stopwatch? clock = null;
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        try
        {
            await foreach (var delivery in subscription.ReadAllAsync(limit.Token))
            {
                clock ??= Stopwatch.StartNew();
                _ = subscription.AckAsync(delivery.AckId);
                if (++received >= expected)
                {
                    break;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Grpc.Core.RpcException e) when (e.StatusCode == Grpc.Core.StatusCode.Cancelled)
        {
        }

        // The topic also holds the latency run's events; the rate counts everything received.
        var elapsed = clock?.Elapsed ?? TimeSpan.Zero;
        if (received < expected)
        {
            var sessions = bridge.Services.GetRequiredService<Bridge.Server.Subscriptions.SubscriptionRegistry>().Streams("bench-throughput");
            var state = string.Join("; ", sessions.Select(s => $"partitions [{string.Join(",", s.Partitions)}], in flight {s.InFlight}, paused {s.IsPaused}, lag {s.Lag}"));
            report.Fail($"subscriber throughput: received {received} of {expected} stored events within 120 s (stream status {subscription.GetStatus()}, skipped invalid {subscription.InvalidEventsSkipped}; server: {state})");
            return;
        }

        report.Add("one subscriber, max in flight 1000", "deliveries/s",
            string.Create(CultureInfo.InvariantCulture, $"{received / elapsed.TotalSeconds:0} ({received} events in {elapsed.TotalSeconds:0.0} s)"));
    }

    private static long StoredRecords(Microsoft.AspNetCore.Builder.WebApplication bridge)
    {
        var kafka = bridge.Services.GetRequiredService<KafkaConnection>();
        using var consumer = new Confluent.Kafka.ConsumerBuilder<byte[], byte[]>(kafka.CreateConsumerConfig("bench-watermarks")).Build();
        using var admin = new Confluent.Kafka.DependentAdminClientBuilder(consumer.Handle).Build();
        var metadata = admin.GetMetadata(kafka.Topic, TimeSpan.FromSeconds(10));
        long stored = 0;
        foreach (var partition in metadata.Topics[0].Partitions)
        {
            var marks = consumer.QueryWatermarkOffsets(new Confluent.Kafka.TopicPartition(kafka.Topic, partition.PartitionId), TimeSpan.FromSeconds(10));
            stored += marks.High.Value - marks.Low.Value;
        }

        return stored;
    }

    private static long ReadSequence(CloudEvent cloudEvent)
    {
        if (cloudEvent.Data.Kind != CloudEventDataKind.Json)
        {
            return -1;
        }

        using var document = JsonDocument.Parse(cloudEvent.Data.Bytes);
        return document.RootElement.TryGetProperty("metadata", out var metadata)
               && metadata.TryGetProperty("benchseq", out var seq)
               && long.TryParse(seq.GetString(), NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : -1;
    }

    private static byte[] Payload(int seq)
    {
        var canary = Math.Abs(seq % 64);
        var ts = (1736500000000L + seq).ToString(CultureInfo.InvariantCulture);
        var c = canary.ToString(CultureInfo.InvariantCulture);
        var n = seq.ToString(CultureInfo.InvariantCulture);
        return Encoding.UTF8.GetBytes(
            "{\"name\":\"podinfo-" + c + "\",\"namespace\":\"bench\",\"phase\":\"Progressing\",\"checksum\":\"85d557f47b\"," +
            "\"metadata\":{\"benchseq\":\"" + n + "\",\"eventMessage\":\"Advance podinfo-" + c + ".bench canary weight 10\"," +
            "\"eventType\":\"Normal\",\"timestamp\":\"" + ts + "\"}}");
    }

    private static CloudEvent NewEvent(int n)
    {
        var cloudEvent = new CloudEvent
        {
            Id = "backlog-" + n.ToString(CultureInfo.InvariantCulture),
            Source = "/bench",
            Type = "app.flagger.canary.weight.advanced",
            Subject = "bench/podinfo",
            DataContentType = "application/json",
            Data = CloudEventData.FromJson(Payload(n)),
        };
        cloudEvent.SetExtension("partitionkey", "bench/podinfo-" + (n % 64).ToString(CultureInfo.InvariantCulture));
        return cloudEvent;
    }
}
