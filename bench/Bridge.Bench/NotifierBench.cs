using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridge.Bench;

/// <summary>
/// Flagger POST to the bridge → notification received by a local webhook sink, through the notifier as deployed
/// (Bridge.Notifier.dll, a process of its own, subscribed over gRPC): latency at a steady rate, then notifications per
/// second for a burst of posts.
/// </summary>
internal static class NotifierBench
{
    private const int Rate = 200;
    private const int Burst = 2000;

    public static async Task RunAsync(BenchOptions options, BenchReport report)
    {
        await using var bridge = await BenchHost.StartBridgeAsync(options);
        var arrivals = new ConcurrentDictionary<long, long>();
        await using var sink = await StartSinkAsync(arrivals);
        string directory = Directory.CreateTempSubdirectory("notifier-bench-").FullName;
        string config = Path.Combine(directory, "notifier.yaml");
        await File.WriteAllTextAsync(config, $$$"""
            sinks:
              sink: { type: webhook, url: "{{{SinkAddress(sink)}}}" }
            routes:
              - sinks: [sink]
                body: '{"seq": "{{ metadata.benchseq }}"}'
            """);
        int port = FreePort();
        using Process notifier = StartNotifier(BenchHost.GrpcAddress(bridge), port, config, directory);
        try
        {
            using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 64 }) { BaseAddress = BenchHost.IngressAddress(bridge) };
            if (!await ReadyAsync(new Uri($"http://127.0.0.1:{port}/readyz"), TimeSpan.FromSeconds(60)))
            {
                report.Fail("notifier: not ready within 60 s");
                return;
            }
            await PostAsync(http, -1);
            if (!await UntilAsync(() => arrivals.ContainsKey(-1), TimeSpan.FromSeconds(60)))
            {
                report.Fail("notifier: the warm-up notification did not arrive within 60 s");
                return;
            }

            int total = (int)(Rate * options.Duration.TotalSeconds);
            var sentAt = new long[total];
            var pacing = Stopwatch.StartNew();
            var posts = new List<Task>(total);
            for (int seq = 0; seq < total; seq++)
            {
                TimeSpan wait = TimeSpan.FromSeconds((double)seq / Rate) - pacing.Elapsed;
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait);
                }
                int n = seq;
                sentAt[n] = Stopwatch.GetTimestamp();
                posts.Add(PostAsync(http, n));
            }
            await Task.WhenAll(posts);
            if (!await UntilAsync(() => Enumerable.Range(0, total).All(i => arrivals.ContainsKey(i)), TimeSpan.FromSeconds(60)))
            {
                report.Fail($"notifier: {Enumerable.Range(0, total).Count(i => arrivals.ContainsKey(i))} of {total} notifications arrived");
                return;
            }
            var latencies = Enumerable.Range(0, total).Select(i => Stopwatch.GetElapsedTime(sentAt[i], arrivals[i]).TotalMilliseconds).ToList();
            report.Add(string.Create(CultureInfo.InvariantCulture, $"notifier at {Rate} req/s"), "Flagger POST → webhook notification", Percentiles.Describe(latencies));

            var clock = Stopwatch.StartNew();
            using var inFlight = new SemaphoreSlim(64);
            await Task.WhenAll(Enumerable.Range(total, Burst).Select(async n =>
            {
                await inFlight.WaitAsync();
                try
                {
                    await PostAsync(http, n);
                }
                finally
                {
                    inFlight.Release();
                }
            }));
            if (!await UntilAsync(() => Enumerable.Range(total, Burst).All(i => arrivals.ContainsKey(i)), TimeSpan.FromSeconds(120)))
            {
                report.Fail($"notifier burst: {Enumerable.Range(total, Burst).Count(i => arrivals.ContainsKey(i))} of {Burst} notifications arrived");
                return;
            }
            double seconds = clock.Elapsed.TotalSeconds;
            report.Add("notifier burst of " + Burst.ToString(CultureInfo.InvariantCulture), "notifications/s (POST to webhook received)",
                string.Create(CultureInfo.InvariantCulture, $"{Burst / seconds:0} ({Burst} in {seconds:0.0} s)"));
        }
        finally
        {
            notifier.Kill(entireProcessTree: true);
            await notifier.WaitForExitAsync();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static Process StartNotifier(Uri grpc, int port, string config, string directory)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "Bridge.Notifier.dll"),
            "--contentRoot", directory,
            $"--Urls=http://127.0.0.1:{port}",
            $"--Subscriber:Address={grpc}",
            "--Subscriber:Subscription=bench-notifier",
            "--Subscriber:Start=earliest",
            $"--Notifier:ConfigFile={config}",
            "--Logging:LogLevel:Default=Warning",
        })
        {
            info.ArgumentList.Add(argument);
        }
        var process = Process.Start(info)!;
        // Drained so that a full pipe never blocks the notifier.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<WebApplication> StartSinkAsync(ConcurrentDictionary<long, long> arrivals)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        WebApplication app = builder.Build();
        app.Run(async context =>
        {
            using JsonDocument body = await JsonDocument.ParseAsync(context.Request.Body);
            long now = Stopwatch.GetTimestamp();
            if (long.TryParse(body.RootElement.GetProperty("seq").GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long seq))
            {
                arrivals.TryAdd(seq, now);
            }
            context.Response.StatusCode = StatusCodes.Status200OK;
        });
        await app.StartAsync();
        return app;
    }

    private static Uri SinkAddress(WebApplication sink) =>
        new(sink.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    private static async Task PostAsync(HttpClient http, long seq)
    {
        string c = (Math.Abs(seq) % 64).ToString(CultureInfo.InvariantCulture);
        string n = seq.ToString(CultureInfo.InvariantCulture);
        string payload = "{\"name\":\"podinfo-" + c + "\",\"namespace\":\"bench\",\"phase\":\"Progressing\",\"checksum\":\"85d557f47b\","
            + "\"metadata\":{\"benchseq\":\"" + n + "\",\"eventMessage\":\"Advance podinfo-" + c + ".bench canary weight 10\",\"eventType\":\"Normal\",\"timestamp\":\""
            + (1836500000000L + seq).ToString(CultureInfo.InvariantCulture) + "\"}}";
        using var content = new StringContent(payload, Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync(new Uri("/v1/flagger/events", UriKind.Relative), content);
        response.EnsureSuccessStatusCode();
    }

    private static async Task<bool> ReadyAsync(Uri readyz, TimeSpan timeout)
    {
        using var http = new HttpClient();
        return await UntilAsync(() =>
        {
            try
            {
                using HttpResponseMessage response = http.GetAsync(readyz).GetAwaiter().GetResult();
                return response.IsSuccessStatusCode;
            }
            catch (HttpRequestException)
            {
                return false;
            }
        }, timeout);
    }

    private static async Task<bool> UntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }
            await Task.Delay(10);
        }
        return true;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
