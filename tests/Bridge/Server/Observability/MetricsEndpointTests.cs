using System.Net;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.Hosting;
using Bridge.Server.Tests.Ingress;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Observability;

/// <summary><c>GET /metrics</c> of the real bridge while canaries and subscriptions come and go.</summary>
public sealed class MetricsEndpointTests
{
    [Fact]
    public async Task Scrape_WhileCanariesAndSubscriptionsAppearAndGo_EveryScrape200AndParseable()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Metrics:MaxCanaries"] = "20",
            ["Metrics:MaxIdleSubscriptions"] = "5",
        });
        var subscriptions = server.Services.GetRequiredService<SubscriptionMetrics>();
        using var stop = new CancellationTokenSource();
        var scraped = new int[2];

        // Canaries keep coming until both scrapers have read several scrapes during the churn, however slow the machine.
        bool ScrapedEnough() => Volatile.Read(ref scraped[0]) >= 5 && Volatile.Read(ref scraped[1]) >= 5;
        var canaries = Enumerable.Range(0, 4).Select(worker => Task.Run(async () =>
        {
            for (var i = 0; i < 60 || (!ScrapedEnough() && !stop.IsCancellationRequested); i++)
            {
                var payload = FlaggerPayloads.Event(name: $"churn-{worker}-{i}", phase: i % 2 == 0 ? "Progressing" : "Failed", timestamp: 1736500000000 + (worker * 1_000_000) + i);
                using var response = await server.PostJsonAsync("/v1/flagger/events", payload);
                Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
            }
        })).ToArray();
        var streams = Enumerable.Range(0, 4).Select(worker => Task.Run(() =>
        {
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                var name = $"sub-{worker}-{i}";
                subscriptions.StreamOpened(name);
                subscriptions.Delivered(name, 1);
                subscriptions.Acked(name, 1);
                subscriptions.StreamClosed(name);
            }
        })).ToArray();
        var scrapes = Enumerable.Range(0, 2).Select(scraper => Task.Run(async () =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    using var response = await server.Client.GetAsync("/metrics");
                    var text = await response.Content.ReadAsStringAsync();
                    Assert.True(response.StatusCode == HttpStatusCode.OK, $"Scrape {scraped[scraper]} answered {(int)response.StatusCode}: {text}");
                    var samples = PrometheusText.Parse(text);
                    Assert.True(samples.Family("bridge_canary_status").Count() <= 20, "More canary series than Metrics:MaxCanaries.");
                    Interlocked.Increment(ref scraped[scraper]);
                }
            }
            catch
            {
                // The canaries stop waiting for this scraper; the failure is reported below.
                await stop.CancelAsync();
                throw;
            }

            return scraped[scraper];
        })).ToArray();

        await Task.WhenAll(canaries).WaitAsync(TimeSpan.FromSeconds(120));
        await stop.CancelAsync();
        await Task.WhenAll(streams);
        var counts = await Task.WhenAll(scrapes).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(counts, c => Assert.True(c >= 5, $"Only {c} scrapes ran."));
        var final = PrometheusText.Parse(await server.Client.GetStringAsync("/metrics"));
        Assert.Equal(20, final.Family("bridge_canary_status").Count());
        Assert.True(final.Family("bridge_subscriptions_acks_total").Count() <= 5, "Idle subscriptions beyond Metrics:MaxIdleSubscriptions kept.");
        Assert.DoesNotContain(final, s => s.Labels.ContainsKey("otel_metric_overflow"));
    }

    [Fact]
    public async Task Scrape_TwoHostsInOneProcess_EachSeesOnlyItsOwnSeries()
    {
        await using var first = await MetricsTestHost.StartAsync();
        await using var second = await MetricsTestHost.StartAsync();
        first.Services.GetRequiredService<Bridge.Server.Observability.IngressMetrics>().CanaryStatus("test", "first-only", 1);
        first.Services.GetRequiredService<SubscriptionMetrics>().StreamOpened("first-subscription");

        var text = await second.ScrapeTextAsync();

        Assert.DoesNotContain("first-only", text, StringComparison.Ordinal);
        Assert.DoesNotContain("first-subscription", text, StringComparison.Ordinal);
        Assert.Contains("first-only", await first.ScrapeTextAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Scrape_OtherHostsStoppedAndStartedInTheProcess_OwnAspNetCoreSeriesOnlyAndOnce()
    {
        await using var host = await MetricsTestHost.StartAsync();
        await host.ScrapeTextAsync();
        var stopped = await MetricsTestHost.StartAsync();
        await stopped.ScrapeTextAsync();
        await stopped.DisposeAsync();
        await using var started = await MetricsTestHost.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await started.ScrapeTextAsync();
        }

        // Parsing fails on a series written twice.
        var samples = await host.ScrapeAsync();

        // Routing counts a request before its endpoint runs: this scrape and the one before, none of the others' four.
        var routed = samples.Single(s => s.Name == "aspnetcore_routing_match_attempts_total" && s.Label("http_route") == "/metrics");
        Assert.Equal(2, routed.Value);
    }

    [Fact]
    public async Task Scrape_Host_ExportsAspNetCoreAndRuntimeInstrumentsWithoutScopeLabels()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?>());
        await server.Client.GetAsync("/healthz");

        var samples = PrometheusText.Parse(await PrometheusText.ScrapeUntilAsync(server.Client, "http_server_request_duration_seconds_count"));

        Assert.Contains(samples, s => s.Name.StartsWith("dotnet_", StringComparison.Ordinal));
        Assert.Contains(samples, s => s.Name == "http_server_request_duration_seconds_count" && s.Label("http_route") == "/healthz");
        Assert.DoesNotContain(samples, s => s.Labels.ContainsKey("otel_scope_name"));
    }
}
