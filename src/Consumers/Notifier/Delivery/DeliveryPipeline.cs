using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Threading.RateLimiting;
using Bridge.CloudEvents;
using Bridge.Notifier.Configuration;
using Bridge.Notifier.Model;
using Bridge.Notifier.Observability;
using Bridge.Notifier.Routing;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Templates;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Polly.CircuitBreaker;

namespace Bridge.Notifier.Delivery;

/// <summary>
/// Delivers one event to every (route, sink) pair whose route matches, concurrently across sinks and in order per
/// sink and canary, and returns only when each has delivered or given up. Each give-up is published as an
/// <c>app.flagger.bridge.delivery.failed</c> event; when that publish fails the whole call throws, so the event is
/// not acknowledged and comes back.
/// </summary>
/// <remarks>
/// <code>
/// event ─► duplicate? ─yes─► drop (counted)
///            │no
///            ▼
///   routes that match ─► per sink: repeated in this rollout+phase? ─yes─► suppress (counted)
///                                     │no
///                                     ▼
///                        lock (sink, canary) ─► rate limit ─► render ─► send (HTTP retries, breaker)
///                                     │
///                        delivered ◄──┴──► gave up ─► publish delivery.failed ─fails─► throw (no ack)
/// </code>
/// </remarks>
internal sealed class DeliveryPipeline
{
    public const string DeliveryFailedType = "app.flagger.bridge.delivery.failed";

    private readonly ConfigurationStore _configuration;
    private readonly NoiseControl _noise;
    private readonly IBridgePublisher _publisher;
    private readonly NotifierMetrics _metrics;
    private readonly ILogger<DeliveryPipeline> _logger;
    private readonly TimeProvider _time;
    private readonly DeliveryOptions _delivery;
    private readonly NotifierOptions _options;
    private readonly KeyedLock _locks = new();
    private readonly Dictionary<string, (int Rate, RateLimiter Limiter)> _limiters = new(StringComparer.Ordinal);

    public DeliveryPipeline(ConfigurationStore configuration, NoiseControl noise, IBridgePublisher publisher, NotifierMetrics metrics, ILogger<DeliveryPipeline> logger, TimeProvider time, IOptions<DeliveryOptions> delivery, IOptions<NotifierOptions> options)
    {
        _configuration = configuration;
        _noise = noise;
        _publisher = publisher;
        _metrics = metrics;
        _logger = logger;
        _time = time;
        _delivery = delivery.Value;
        _options = options.Value;
    }

    /// <summary>Handles one event; see the class remarks.</summary>
    public async Task HandleAsync(CloudEvent cloudEvent, CancellationToken cancellationToken)
    {
        NotifierSettings settings = _configuration.Current;
        Notification notification = Notification.From(cloudEvent, _time).WithDefaultCluster(settings.Cluster);
        TimeSpan window = settings.Noise.DuplicateWindow;
        if (_noise.IsDuplicate(notification.Source, notification.Id, window))
        {
            _metrics.Duplicate();
            NotifierLog.Duplicate(_logger, notification.Source, notification.Id);
            return;
        }

        IReadOnlyDictionary<string, string> links = await RenderLinksAsync(settings, notification).ConfigureAwait(false);
        var deliveries = new List<Task<Failure?>>();
        foreach (Route route in settings.Routes)
        {
            if (!route.Match.Matches(notification))
            {
                continue;
            }
            foreach (string sinkName in route.Sinks)
            {
                deliveries.Add(DeliverAsync(settings, route, settings.Sinks[sinkName], notification, links, cancellationToken));
            }
        }
        Failure?[] results = await Task.WhenAll(deliveries).ConfigureAwait(false);
        foreach (Failure failure in results.OfType<Failure>())
        {
            await PublishFailureAsync(notification, failure, cancellationToken).ConfigureAwait(false);
        }
        _noise.MarkHandled(notification.Source, notification.Id, window);
    }

    private async Task<Failure?> DeliverAsync(NotifierSettings settings, Route route, SinkEntry entry, Notification notification, IReadOnlyDictionary<string, string> links, CancellationToken cancellationToken)
    {
        ISink sink = entry.Sink;
        string? repeatKey = route.OncePerRollout && notification.IsFlagger && settings.Noise.IsRepeated(notification.ShortType)
            ? $"{route.Name}\n{sink.Name}\n{notification.RolloutKey}\n{notification.ShortType}"
            : null;
        string repeatState = notification.Phase + "\n" + notification.Message;
        if (repeatKey is not null && _noise.WasSent(repeatKey, repeatState))
        {
            _metrics.Suppressed(sink.Name, route.Name);
            NotifierLog.Suppressed(_logger, notification.Id, notification.Type, sink.Name);
            return null;
        }

        // Concurrent routes (and a future concurrent subscriber) must not reorder one canary's messages within a sink.
        using IDisposable held = await _locks.AcquireAsync(sink.Name + "\n" + notification.CanaryKey, cancellationToken).ConfigureAwait(false);
        if (Limiter(sink.Name, entry.RatePerMinute) is { } limiter)
        {
            using RateLimitLease lease = await limiter.AcquireAsync(1, cancellationToken).ConfigureAwait(false);
        }

        Dictionary<string, object?> model = TemplateModel.Create(notification, route.Name, links);
        var message = new SinkMessage
        {
            Notification = notification,
            Route = route.Name,
            Text = await RenderAsync(route.Message, model, Escaping(sink.Escaping), notification).ConfigureAwait(false),
            Body = await RenderAsync(route.Body, model, OutputEscaping.Json, notification).ConfigureAwait(false),
            IdempotencyKey = IdempotencyKey(notification, route.Name, sink.Name),
        };

        var context = new DeliveryContext(sink.Name, route.Name);
        DeliveryContext? previous = DeliveryContext.Current;
        DeliveryContext.Current = context;
        long started = _time.GetTimestamp();
        using Activity? activity = NotifierTracing.StartDelivery(sink.Name, sink.Kind, route.Name, notification.Id);
        try
        {
            await SendWithBodyRetriesAsync(sink, message, context, cancellationToken).ConfigureAwait(false);
            _metrics.Sent(sink.Name, route.Name, _time.GetElapsedTime(started));
            NotifierLog.Delivered(_logger, notification.Id, sink.Name, route.Name);
            if (repeatKey is not null)
            {
                _noise.MarkSent(repeatKey, repeatState);
            }
            return null;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            activity?.SetStatus(ActivityStatusCode.Error, e.Message);
            _metrics.Failed(sink.Name, route.Name, _time.GetElapsedTime(started));
            int attempts = Math.Max(1, context.Attempts);
            int? status = e is SinkException { StatusCode: { } code } ? (int)code : context.LastStatus > 0 ? context.LastStatus : null;
            string error = e switch
            {
                BrokenCircuitException => $"the circuit of sink '{sink.Name}' is open after repeated failures",
                Polly.Timeout.TimeoutRejectedException => $"timed out: {e.Message}",
                _ => e.Message,
            };
            NotifierLog.GaveUp(_logger, notification.Id, notification.Type, sink.Name, route.Name, attempts, error);
            return new Failure(sink.Name, sink.Kind, route.Name, attempts, status, error);
        }
        finally
        {
            DeliveryContext.Current = previous;
        }
    }

    private async Task SendWithBodyRetriesAsync(ISink sink, SinkMessage message, DeliveryContext context, CancellationToken cancellationToken)
    {
        // HTTP failures are retried inside the client's pipeline; a rate limit reported in a 200 body (Slack's
        // ok:false ratelimited, WeCom's errcode) reaches here as a transient SinkException and is retried the same way.
        for (int retry = 0; ; retry++)
        {
            try
            {
                await sink.DeliverAsync(message, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SinkException e) when (e.IsTransient && (e.StatusCode is null || (int)e.StatusCode < 300) && retry < _delivery.MaxRetries)
            {
                _metrics.Retried(sink.Name, context.Route);
                double factor = Math.Pow(2, retry);
                TimeSpan delay = TimeSpan.FromTicks((long)Math.Min(_delivery.MaxRetryDelay.Ticks, _delivery.RetryDelay.Ticks * factor));
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task PublishFailureAsync(Notification notification, Failure failure, CancellationToken cancellationToken)
    {
        CloudEvent original = notification.Event;
        var failed = new CloudEvent
        {
            Id = IdempotencyKey(notification, failure.Route, failure.Sink),
            Source = _options.Source,
            Type = DeliveryFailedType,
            Time = _time.GetUtcNow(),
            DataContentType = "application/json",
        };
        if (original.Subject is { } subject)
        {
            failed.Subject = subject;
        }
        // Copied so the failure lands in the canary's partition, after the event it reports, and routes like it.
        foreach (string name in new[] { "partitionkey", "namespace", "canary", "cluster", "checksum", "severity", "traceparent", "tracestate" })
        {
            if (original[name] is { } value)
            {
                failed.SetExtension(name, Convert.ToString(value, CultureInfo.InvariantCulture)!);
            }
        }
        if (notification.Cluster.Length > 0 && failed["cluster"] is null)
        {
            failed.SetExtension("cluster", notification.Cluster);
        }
        var data = new Dictionary<string, object?>
        {
            ["sink"] = failure.Sink,
            ["sinkType"] = failure.Kind,
            ["route"] = failure.Route,
            ["attempts"] = failure.Attempts,
            ["lastStatus"] = failure.Status,
            ["error"] = failure.Error,
            ["id"] = original.Id,
            ["source"] = original.Source,
            ["type"] = original.Type,
            ["subject"] = original.Subject,
        };
        failed.Data = CloudEventData.FromJson(JsonSerializer.SerializeToUtf8Bytes(data));
        await _publisher.PublishAsync(failed, cancellationToken).ConfigureAwait(false);
        NotifierLog.FailurePublished(_logger, DeliveryFailedType, notification.Id, failure.Sink, failure.Route);
    }

    private async Task<IReadOnlyDictionary<string, string>> RenderLinksAsync(NotifierSettings settings, Notification notification)
    {
        if (settings.Links.Count == 0)
        {
            return new Dictionary<string, string>();
        }
        Dictionary<string, object?> model = TemplateModel.Create(notification, string.Empty);
        var links = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (KeyValuePair<string, NotifierTemplate> link in settings.Links)
        {
            links[link.Key] = await RenderAsync(link.Value, model, OutputEscaping.None, notification).ConfigureAwait(false) ?? string.Empty;
        }
        return links;
    }

    private async Task<string?> RenderAsync(NotifierTemplate? template, Dictionary<string, object?> model, OutputEscaping escaping, Notification notification)
    {
        if (template is null)
        {
            return null;
        }
        try
        {
            return await template.RenderAsync(model, escaping).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            NotifierLog.TemplateFailed(_logger, template.Path, notification.Id, e.Message);
            return null;
        }
    }

    private RateLimiter? Limiter(string sink, int ratePerMinute)
    {
        if (ratePerMinute <= 0)
        {
            return null;
        }
        lock (_limiters)
        {
            if (_limiters.TryGetValue(sink, out var existing) && existing.Rate == ratePerMinute)
            {
                return existing.Limiter;
            }
            var limiter = new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
            {
                // A burst of one second's worth, then evenly spaced.
                TokenLimit = Math.Max(1, ratePerMinute / 60),
                TokensPerPeriod = 1,
                ReplenishmentPeriod = TimeSpan.FromMinutes(1) / ratePerMinute,
                QueueLimit = 100_000,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            });
            _limiters[sink] = (ratePerMinute, limiter);
            return limiter;
        }
    }

    private static OutputEscaping Escaping(TextEscaping escaping) => escaping switch
    {
        TextEscaping.Markdown => OutputEscaping.Markdown,
        TextEscaping.Html => OutputEscaping.Html,
        TextEscaping.Slack => OutputEscaping.Slack,
        _ => OutputEscaping.None,
    };

    /// <summary>Stable per (event, route, sink): the same on every redelivery.</summary>
    public static string IdempotencyKey(Notification notification, string route, string sink)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{notification.Source}\n{notification.Id}\n{route}\n{sink}"));
        return Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    private sealed record Failure(string Sink, string Kind, string Route, int Attempts, int? Status, string Error);
}
