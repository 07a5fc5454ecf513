using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Bridge.Client;
using Bridge.Server.GrpcApi;
using Bridge.Server.Hosting;
using Bridge.Server.Kafka;
using Bridge.Server.Observability;
using Bridge.Server.Tests.Hosting;
using Bridge.Server.Tests.Infrastructure;
using Bridge.Server.Tests.Ingress;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace Bridge.Server.Tests.Observability;

/// <summary>Activity listeners are process-wide: these tests run alone so no other test's events get traced.</summary>
[CollectionDefinition(nameof(TracingCollection), DisableParallelization = true)]
public sealed class TracingCollection;

/// <summary>One trace per event, from the HTTP request through Kafka to the subscriber's handler.</summary>
[Collection(nameof(TracingCollection))]
public sealed class EventTracingTests
{
    private const string CallerTraceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    private const string CallerSpanId = "00f067aa0ba902b7";

    [Fact]
    public async Task FlaggerEvent_PostedWithTraceparent_OneLinkedTraceFromRequestToHandler()
    {
        var serverSpans = new List<Activity>();
        await using var server = await StartServerAsync(builder =>
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(serverSpans)));
        var clientSpans = new List<Activity>();
        var handled = new HandledEvents();
        using var subscriber = await StartSubscriberAsync(server, "traced", handled, clientSpans);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/flagger/events")
        {
            Content = BridgeTestServer.Json(FlaggerPayloads.Event(name: "traced-canary", timestamp: 1736500009001)),
        };
        var caller = Caller();
        using (caller)
        {
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }

        await Wait.UntilAsync(() => handled.Events.Any(e => e.Subject == "test/traced-canary") && Snapshot(clientSpans).Length > 0, "the handler ran");

        var spans = Snapshot(serverSpans).Concat(Snapshot(clientSpans)).Where(s => s.TraceId.ToHexString() == CallerTraceId).ToArray();
        var call = Assert.Single(spans, s => s.Kind == ActivityKind.Client && s.ParentSpanId == caller.SpanId);
        var http = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.DisplayName.StartsWith("POST", StringComparison.Ordinal));
        var send = Assert.Single(spans, s => s.Source.Name == EventTracing.SourceName && s.Kind == ActivityKind.Producer && s.DisplayName.StartsWith("send ", StringComparison.Ordinal));
        var deliver = Assert.Single(spans, s => s.Source.Name == EventTracing.SourceName && s.DisplayName == "deliver traced");
        var process = Assert.Single(spans, s => s.Source.Name == BridgeClientTelemetry.ActivitySourceName && s.DisplayName == "process traced");
        Assert.Equal(call.SpanId, http.ParentSpanId);
        Assert.Equal(http.SpanId, send.ParentSpanId);
        Assert.Equal(send.SpanId, deliver.ParentSpanId);
        Assert.Equal(deliver.SpanId, process.ParentSpanId);
        Assert.Equal(ActivityKind.Consumer, process.Kind);
        Assert.Equal("test/traced-canary", send.GetTagItem("messaging.kafka.message.key"));

        // The stored record carries the send span's context as the distributed-tracing extension.
        var kafka = server.Services.GetRequiredService<KafkaConnection>();
        var record = (await KafkaClusterFixture.ConsumeAsync(kafka.BootstrapServers, kafka.Topic, 1, TimeSpan.FromSeconds(15))).Single();
        Assert.Equal($"00-{CallerTraceId}-{send.SpanId.ToHexString()}-01", IngressHostFixture.Header(record, "ce_traceparent"));
        Assert.Equal($"00-{CallerTraceId}-{deliver.SpanId.ToHexString()}-01", handled.Events.Single(e => e.Subject == "test/traced-canary")["traceparent"]);
    }

    [Fact]
    public async Task CloudEvent_CarryingItsOwnTraceparent_KeepsItAndTheRequestIsLinked()
    {
        var serverSpans = new List<Activity>();
        await using var server = await StartServerAsync(builder =>
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddInMemoryExporter(serverSpans)));
        const string EventTraceId = "0af7651916cd43dd8448eb211c80319c";
        var eventTraceParent = $"00-{EventTraceId}-b7ad6b7169203331-01";

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/events") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("ce-specversion", "1.0");
        request.Headers.Add("ce-id", "own-trace-1");
        request.Headers.Add("ce-source", "/test");
        request.Headers.Add("ce-type", "test.traced");
        request.Headers.Add("ce-traceparent", eventTraceParent);
        using (Caller())
        {
            using var response = await server.Client.SendAsync(request);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        }

        var kafka = server.Services.GetRequiredService<KafkaConnection>();
        var record = (await KafkaClusterFixture.ConsumeAsync(kafka.BootstrapServers, kafka.Topic, 1, TimeSpan.FromSeconds(15))).Single();
        Assert.Equal(eventTraceParent, IngressHostFixture.Header(record, "ce_traceparent"));
        var spans = Snapshot(serverSpans);
        var http = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.TraceId.ToHexString() == CallerTraceId);
        var send = Assert.Single(spans, s => s.Source.Name == EventTracing.SourceName && s.TraceId.ToHexString() == EventTraceId);
        Assert.Equal("b7ad6b7169203331", send.ParentSpanId.ToHexString());
        Assert.Contains(send.Links, link => link.Context.SpanId == http.SpanId && link.Context.TraceId == http.TraceId);
    }

    [Fact]
    public async Task FlaggerEvent_TracingOff_NoTracerAndTheEventIsUnchanged()
    {
        await using var server = await StartServerAsync(configure: null);

        using var response = await server.PostJsonAsync("/v1/flagger/events", FlaggerPayloads.Event(name: "untraced", timestamp: 1736500009002));
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

        Assert.Null(server.Services.GetService<TracerProvider>());
        var kafka = server.Services.GetRequiredService<KafkaConnection>();
        var record = (await KafkaClusterFixture.ConsumeAsync(kafka.BootstrapServers, kafka.Topic, 1, TimeSpan.FromSeconds(15))).Single();
        Assert.DoesNotContain(record.Message.Headers, h => h.Key is "ce_traceparent" or "ce_tracestate");
    }

    [Fact]
    public async Task FlaggerEvent_OtlpEndpointConfigured_SpansExportedThere()
    {
        var received = new ConcurrentQueue<string>();
        var collector = WebApplication.CreateSlimBuilder();
        collector.WebHost.UseSetting(Microsoft.AspNetCore.Hosting.WebHostDefaults.ServerUrlsKey, "http://127.0.0.1:0");
        collector.Logging.ClearProviders();
        await using var otlp = collector.Build();
        otlp.MapPost("/v1/traces", async context =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            received.Enqueue(Encoding.Latin1.GetString(body.ToArray()));
            context.Response.StatusCode = 200;
        });
        await otlp.StartAsync();
        var endpoint = otlp.Urls.First();

        // Command-line configuration, as the environment would give it: read when the host is composed.
        await using var app = BridgeHost.Build(
            ["--OTEL_EXPORTER_OTLP_ENDPOINT=" + endpoint, "--OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf", "--OTEL_BSP_SCHEDULE_DELAY=100"],
            builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Ingress:Port"] = "0",
                ["Ingress:BindAddress"] = "127.0.0.1",
                ["Grpc:Port"] = "0",
                ["Grpc:BindAddress"] = "127.0.0.1",
                ["Logging:Console:LogLevel:Default"] = "None",
            }));
        await app.StartAsync();
        try
        {
            using var client = new HttpClient { BaseAddress = app.Services.GetRequiredService<BridgeEndpoints>().Ingress };
            using var response = await client.PostAsync("/v1/flagger/events", BridgeTestServer.Json(FlaggerPayloads.Event(name: "exported", timestamp: 1736500009003)));
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);

            Assert.NotNull(app.Services.GetService<TracerProvider>());
            await Wait.UntilAsync(() => received.Any(body => body.Contains("send ", StringComparison.Ordinal) && body.Contains("flagger-bridge", StringComparison.Ordinal)),
                "the collector received the send span of the flagger-bridge service");
        }
        finally
        {
            await app.StopAsync();
        }
    }

    // The caller's span: the test's HttpClient is traced too (listeners are process-wide), so the request carries a
    // traceparent of the caller's trace naming the client span, as a traced caller's would.
    private static Activity Caller() =>
        new Activity("caller")
            .SetParentId(ActivityTraceId.CreateFromString(CallerTraceId), ActivitySpanId.CreateFromString(CallerSpanId), ActivityTraceFlags.Recorded)
            .Start();

    private static Activity[] Snapshot(List<Activity> spans)
    {
        lock (spans)
        {
            return [.. spans];
        }
    }

    private static Task<BridgeTestServer> StartServerAsync(Action<WebApplicationBuilder>? configure) =>
        BridgeTestServer.StartAsync(new Dictionary<string, string?>
        {
            ["Kafka:EmbeddedBrokers"] = "1",
            ["Kafka:Partitions"] = "2",
            ["Subscriptions:CommitInterval"] = "00:00:00.050",
            ["Subscriptions:SessionTimeout"] = "00:00:03",
            ["Subscriptions:HeartbeatInterval"] = "00:00:00.200",
        }, configure);

    private static async Task<IHost> StartSubscriberAsync(BridgeTestServer server, string subscription, HandledEvents handled, List<Activity> spans)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Subscriber:Address"] = server.Services.GetRequiredService<BridgeEndpoints>().GetAddress(GrpcKestrelSetup.EndpointName).ToString(),
            ["Subscriber:Subscription"] = subscription,
            ["Subscriber:Start"] = "earliest",
        });
        builder.Services.AddSingleton(handled);
        builder.Services.AddBridgeSubscriber<RecordingHandler>();
        builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddSource(BridgeClientTelemetry.ActivitySourceName).AddInMemoryExporter(spans));
        var host = builder.Build();
        await host.StartAsync();
        return host;
    }

    internal sealed class HandledEvents
    {
        public ConcurrentQueue<Bridge.CloudEvents.CloudEvent> Events { get; } = new();
    }

    internal sealed class RecordingHandler(HandledEvents handled) : ICloudEventHandler
    {
        public Task HandleAsync(CloudEventDelivery delivery, CancellationToken cancellationToken)
        {
            handled.Events.Enqueue(delivery.Event);
            return Task.CompletedTask;
        }
    }
}
