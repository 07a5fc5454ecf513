using Bridge.Server.Observability;
using Bridge.Server.Tests.Flagger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Tests.Observability;

/// <summary>
/// A web host with the bridge's metrics registrations (and subscriptions' metrics), a manual clock and
/// <c>/metrics</c> served by <see cref="MetricsEndpoint"/> on 127.0.0.1, scraped over real HTTP.
/// </summary>
internal sealed class MetricsTestHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _client;

    private MetricsTestHost(WebApplication app, ManualTimeProvider time)
    {
        _app = app;
        Time = time;
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _client = new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(30) };
    }

    public ManualTimeProvider Time { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<MetricsTestHost> StartAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var time = new ManualTimeProvider();
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(settings ?? new Dictionary<string, string?>());
        builder.Services.AddSingleton<TimeProvider>(time);
        builder.Services.AddBridgeMetrics();
        builder.Services.AddBridgeSubscriptions();
        var app = builder.Build();
        var endpoint = app.Services.GetRequiredService<MetricsEndpoint>();
        app.Map("/metrics", endpoint.WriteAsync);
        await app.StartAsync();
        return new MetricsTestHost(app, time);
    }

    public Task<HttpResponseMessage> GetAsync() => _client.GetAsync("/metrics");

    public async Task<string> ScrapeTextAsync()
    {
        using var response = await GetAsync();
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET /metrics answered {(int)response.StatusCode}: {text}");
        return text;
    }

    public async Task<IReadOnlyList<PrometheusSample>> ScrapeAsync() => PrometheusText.Parse(await ScrapeTextAsync());

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
