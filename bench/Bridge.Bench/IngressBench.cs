using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Bridge.Bench;

/// <summary>
/// Ingress throughput with acks=all: wrk posts Flagger event payloads to the bridge, each answered 202
/// only after Kafka acknowledged it; a bare Kestrel endpoint that reads the body and answers 202 runs in
/// the same process and the same way first, so the ratio is comparable across machines.
/// </summary>
internal static class IngressBench
{
    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        var script = Wrk.WriteFlaggerScript();
        try
        {
            await using (var bare = await StartBareAsync())
            {
                var url = new Uri(bare.Urls.First() + "/v1/flagger/events");
                await Wrk.RunAsync(url, script, options.Threads, options.Connections, options.Warmup);
                var baseline = await MeasureAsync(url, script, options, report, "bare Kestrel POST → 202");
                await using var bridge = await BenchHost.StartBridgeAsync(options);
                var bridgeUrl = new Uri(BenchHost.IngressAddress(bridge), "/v1/flagger/events");
                await Wrk.RunAsync(bridgeUrl, script, options.Threads, options.Connections, options.Warmup);
                var measured = await MeasureAsync(bridgeUrl, script, options, report, "bridge POST /v1/flagger/events → Kafka ack → 202");
                report.Add("ingress", "bridge ÷ bare throughput", string.Create(CultureInfo.InvariantCulture, $"{measured / baseline:0.00}"));
            }
        }
        finally
        {
            File.Delete(script);
        }
    }

    private static async Task<double> MeasureAsync(Uri url, string script, BenchOptions options, BenchReport report, string name)
    {
        var process = Process.GetCurrentProcess();
        var cpuBefore = process.TotalProcessorTime;
        var result = await Wrk.RunAsync(url, script, options.Threads, options.Connections, options.Duration);
        process.Refresh();
        var cpu = process.TotalProcessorTime - cpuBefore;
        report.Add(name, "requests/s", result.RequestsPerSecond.ToString("0", CultureInfo.InvariantCulture));
        report.Add(name, "latency", string.Create(CultureInfo.InvariantCulture,
            $"p50 {result.LatencyMillis.GetValueOrDefault(50):0.00} ms, p90 {result.LatencyMillis.GetValueOrDefault(90):0.00} ms, p99 {result.LatencyMillis.GetValueOrDefault(99):0.00} ms"));
        report.Add(name, "server CPU per request", string.Create(CultureInfo.InvariantCulture,
            $"{cpu.TotalMilliseconds * 1000 / Math.Max(1, result.Requests):0.0} µs"));
        if (result.Non2xx > 0 || result.SocketErrors > 0)
        {
            report.Fail($"{name}: {result.Non2xx} non-2xx responses, {result.SocketErrors} socket errors");
        }

        return result.RequestsPerSecond;
    }

    private static async Task<WebApplication> StartBareAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http1);
        });
        var app = builder.Build();
        var accepted = "{\"ids\":[\"00000000000000000000000000000000\"]}"u8.ToArray();
        app.MapPost("/v1/flagger/events", async (HttpContext context) =>
        {
            // Read the body like the bridge does, so the baseline pays for the same bytes.
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            context.Response.StatusCode = StatusCodes.Status202Accepted;
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(accepted, context.RequestAborted);
        });
        await app.StartAsync();
        return app;
    }
}
