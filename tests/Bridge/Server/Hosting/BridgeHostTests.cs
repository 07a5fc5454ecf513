using Bridge.Server.Hosting;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Bridge.Server.Kafka;
using Bridge.Server.Tests.Ingress;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Hosting;

public sealed class BridgeHostTests
{
    [Fact]
    public async Task RunAsync_InvalidConfiguration_OneLineNamingTheKeyAndExitCodeOne()
    {
        using var error = new StringWriter();

        var code = await BridgeHost.RunAsync(["--Kafka:Partitions=0", "--Ingress:Port=0", "--Grpc:Port=0"], error);

        Assert.Equal(1, code);
        Assert.Equal("The bridge did not start: invalid configuration: Kafka:Partitions must be between 1 and 10000, got 0.", error.ToString().TrimEnd());
    }

    [Fact]
    public void DescribeStartFailure_PortInUse_NamesTheAddressAndTheSettings()
    {
        var inUse = new IOException("Failed to bind to address http://0.0.0.0:8080: address already in use.",
            new Microsoft.AspNetCore.Connections.AddressInUseException("Address already in use"));

        var reason = BridgeHost.DescribeStartFailure(inUse);

        Assert.NotNull(reason);
        Assert.StartsWith("Failed to bind to address http://0.0.0.0:8080", reason, StringComparison.Ordinal);
        Assert.Contains("Ingress:Port / Grpc:Port", reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DescribeStartFailure_UnexpectedException_NullSoItIsNotHidden()
    {
        Assert.Null(BridgeHost.DescribeStartFailure(new InvalidOperationException("a bug")));
        Assert.Null(BridgeHost.DescribeStartFailure(new IOException("disk")));
    }

    [Fact]
    public async Task CreateBuilder_Port0_LogsBoundIngressAddressAndOpenWarningOnce()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?>());

        Assert.Equal("127.0.0.1", server.Address.Host);
        Assert.True(server.Address.Port > 0);
        var listening = Assert.Single(server.Logs.Entries, e => e.EventId.Id == 1400 && e.Message.StartsWith("Ingress ", StringComparison.Ordinal));
        Assert.Equal($"Ingress listening on http://127.0.0.1:{server.Address.Port}", listening.Message);
        Assert.Single(server.Logs.Entries, e => e.EventId.Id == 1450);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("/healthz")).StatusCode);
    }

    [Fact]
    public async Task CreateBuilder_Settings_ConfigureShutdownTimeoutAndJsonLogs()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Hosting:ShutdownTimeout"] = "00:00:07",
            ["Logging:Format"] = "JSON",
        });

        Assert.Equal(TimeSpan.FromSeconds(7), server.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout);
        Assert.Equal(ConsoleFormatterNames.Json, server.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Fact]
    public async Task CreateBuilder_DefaultLogFormat_IsSimple()
    {
        await using var server = await BridgeTestServer.StartAsync(new Dictionary<string, string?>());

        Assert.Equal(ConsoleFormatterNames.Simple, server.Services.GetRequiredService<IOptionsMonitor<ConsoleLoggerOptions>>().CurrentValue.FormatterName);
    }

    [Theory]
    [InlineData("Ingress:MaxBodyBytes", "0", "Ingress:MaxBodyBytes is 0")]
    [InlineData("Ingress:BindAddress", "not-an-ip", "Ingress:BindAddress 'not-an-ip'")]
    [InlineData("Logging:Format", "xml", "Logging:Format is 'xml'")]
    [InlineData("Hosting:ShutdownTimeout", "-00:00:01", "Hosting:ShutdownTimeout")]
    [InlineData("Auth:Tokens:0:Name", "short", "Auth:Tokens:0")]
    public async Task StartAsync_InvalidSetting_FailsNamingTheKey(string key, string value, string expected)
    {
        // Options are validated when the routes are mapped or, at the latest, when the host starts.
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = BridgeTestServer.Build(new Dictionary<string, string?> { [key] = value }, null, out _);
            await app.StartAsync();
        });

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StopAsync_RequestInFlight_CompletesBeforeShutdown()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var server = await BridgeTestServer.StartAsync(
            new Dictionary<string, string?> { ["Kafka:EmbeddedBrokers"] = "1" },
            builder => builder.Services.AddSingleton<IStartupFilter>(new SignalingStartupFilter(arrived)));
        var cluster = server.Services.GetRequiredService<KafkaConnection>().EmbeddedCluster!;
        cluster.SetBrokerRtt(1, TimeSpan.FromMilliseconds(500));

        var request = server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event());
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var stopping = server.App.StopAsync();
        var response = await request;
        await stopping;

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Contains(server.Logs.Entries, e => e.EventId.Id == 1401);
        await server.DisposeAsync();
    }

    /// <summary>Signals when the first request reaches the pipeline.</summary>
    private sealed class SignalingStartupFilter(TaskCompletionSource arrived) : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (HttpMethods.IsPost(context.Request.Method))
                {
                    arrived.TrySetResult();
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
