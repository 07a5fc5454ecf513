using System.Diagnostics;
using System.Globalization;
using System.Text;
using Bridge.CloudEvents;
using Bridge.Server.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Bench;

/// <summary>
/// Publish latency: the time from IEventPublisher.PublishAsync to Kafka's acknowledgement (acks=all,
/// idempotent producer), one at a time and with many publishes sharing producer batches.
/// </summary>
internal static class PublishBench
{
    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        await using var bridge = await BenchHost.StartBridgeAsync(options);
        var publisher = bridge.Services.GetRequiredService<IEventPublisher>();
        var counter = 0L;

        // Sequential: latency of one event alone, bounded below by linger.ms plus a broker round trip.
        for (var i = 0; i < 200; i++)
        {
            await publisher.PublishAsync(NewEvent(ref counter), CancellationToken.None);
        }

        var sequential = new List<double>();
        var until = Stopwatch.StartNew();
        while (until.Elapsed < TimeSpan.FromSeconds(Math.Min(5, options.Duration.TotalSeconds)))
        {
            var start = Stopwatch.GetTimestamp();
            await publisher.PublishAsync(NewEvent(ref counter), CancellationToken.None);
            sequential.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        report.Add("publish, 1 at a time", "latency", Percentiles.Describe(sequential));
        report.Add("publish, 1 at a time", "events/s", (sequential.Count / until.Elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));

        // Concurrent: as many outstanding publishes as the ingress has connections.
        var latencies = new List<double>[options.Connections];
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, options.Connections).Select(async w =>
        {
            var mine = latencies[w] = [];
            while (clock.Elapsed < options.Duration)
            {
                var cloudEvent = NewEvent(ref counter);
                var start = Stopwatch.GetTimestamp();
                await publisher.PublishAsync(cloudEvent, CancellationToken.None);
                mine.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
            }
        }).ToArray();
        await Task.WhenAll(workers);
        var all = latencies.SelectMany(l => l).ToList();
        var name = string.Create(CultureInfo.InvariantCulture, $"publish, {options.Connections} concurrent");
        report.Add(name, "latency", Percentiles.Describe(all));
        report.Add(name, "events/s", (all.Count / clock.Elapsed.TotalSeconds).ToString("0", CultureInfo.InvariantCulture));
    }

    private static CloudEvent NewEvent(ref long counter)
    {
        var n = Interlocked.Increment(ref counter);
        var canary = string.Create(CultureInfo.InvariantCulture, $"podinfo-{n % 64}");
        var cloudEvent = new CloudEvent
        {
            Id = n.ToString(CultureInfo.InvariantCulture),
            Source = "/bench",
            Type = "app.flagger.canary.weight.advanced",
            Subject = "bench/" + canary,
            Time = DateTimeOffset.UtcNow,
            DataContentType = "application/json",
            Data = CloudEventData.FromJson(Encoding.UTF8.GetBytes(
                $$"""{"name":"{{canary}}","namespace":"bench","phase":"Progressing","checksum":"85d557f47b"}""")),
        };
        cloudEvent.SetExtension("partitionkey", "bench/" + canary);
        return cloudEvent;
    }
}
