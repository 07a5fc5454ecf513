using System.Net;
using Bridge.Notifier.Configuration;
using Bridge.Notifier.Observability;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Bridge.Notifier.Delivery;

/// <summary>
/// The HTTP client sinks send with: one named client from <see cref="IHttpClientFactory"/> whose resilience pipeline
/// (total timeout, retries with exponential backoff and jitter honouring <c>Retry-After</c>, a circuit breaker,
/// per-attempt timeout) is instantiated per sink, so one failing destination opens only its own circuit.
/// </summary>
internal static class SinkResilience
{
    public const string ClientName = "Bridge.Notifier.Sinks";

    public static IServiceCollection AddSinkHttpClient(this IServiceCollection services)
    {
        IHttpClientBuilder client = services.AddHttpClient(ClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        client
            .AddResilienceHandler("sink", static (builder, context) =>
            {
                DeliveryOptions o = context.ServiceProvider.GetRequiredService<IOptions<DeliveryOptions>>().Value;
                NotifierMetrics metrics = context.ServiceProvider.GetRequiredService<NotifierMetrics>();
                builder.AddTimeout(o.TotalTimeout);
                if (o.MaxRetries > 0)
                {
                    builder.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.MaxRetries,
                        Delay = o.RetryDelay,
                        MaxDelay = o.MaxRetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                        ShouldRetryAfterHeader = true,
                        OnRetry = args =>
                        {
                            if (DeliveryContext.Current is { } delivery)
                            {
                                metrics.Retried(delivery.Sink, delivery.Route);
                            }
                            return default;
                        },
                    });
                }
                builder
                    .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
                    {
                        FailureRatio = o.BreakerFailureRatio,
                        MinimumThroughput = o.BreakerMinimumThroughput,
                        SamplingDuration = o.BreakerSamplingDuration,
                        BreakDuration = o.BreakerBreakDuration,
                    })
                    .AddTimeout(o.AttemptTimeout);
            })
            // Requests outside a delivery (none today) share one pipeline.
            .SelectPipelineBy(static _ => static _ => DeliveryContext.Current?.Sink ?? "-");
        client.AddHttpMessageHandler(static () => new AttemptCounter());
        return services;
    }

    /// <summary>Innermost handler: sees every attempt, so the failure event can say how many were made and how the last ended.</summary>
    private sealed class AttemptCounter : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            DeliveryContext? delivery = DeliveryContext.Current;
            delivery?.CountAttempt();
            HttpResponseMessage response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            delivery?.SetStatus((int)response.StatusCode);
            return response;
        }
    }

    /// <summary>
    /// The client a sink keeps for as long as its configuration is in use. Each request takes the current handler
    /// chain from the factory, so pooled connections are still recycled (DNS changes of a destination are seen) even
    /// though the sink holds one client for hours.
    /// </summary>
    public static HttpClient CreateSinkClient(IHttpMessageHandlerFactory handlers) =>
        new(new CurrentHandler(handlers), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };

    private sealed class CurrentHandler(IHttpMessageHandlerFactory handlers) : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            // The factory owns the handler's lifetime; the invoker must not dispose it.
            using var invoker = new HttpMessageInvoker(handlers.CreateHandler(ClientName), disposeHandler: false);
            return await invoker.SendAsync(request, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>True for statuses worth another try later (the same set the retry strategy handles).</summary>
    public static bool IsTransient(HttpStatusCode status) => (int)status is 408 or 429 or >= 500;
}
