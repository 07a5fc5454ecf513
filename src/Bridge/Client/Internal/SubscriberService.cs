using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Bridge.Client.Internal;

/// <summary>
/// The hosted subscriber of <typeparamref name="THandler"/>: keeps one subscription stream open, reconnecting with
/// exponential backoff and full jitter after every end or failure, until the host stops.
/// </summary>
internal sealed class SubscriberService<THandler> : BackgroundService
    where THandler : class, ICloudEventHandler
{
    private readonly SubscriberOptions _options;
    private readonly IServiceScopeFactory _scopes;
    private readonly ILogger _logger;
    private readonly SubscriberHealth _health;
    private readonly ClientMetrics _metrics;
    private readonly TimeProvider _time;

    public SubscriberService(string optionsName, IOptionsMonitor<SubscriberOptions> options, IServiceScopeFactory scopes,
        ILoggerFactory loggerFactory, SubscriberHealth health, ClientMetrics metrics, TimeProvider time)
    {
        _options = options.Get(optionsName);
        _scopes = scopes;
        _logger = loggerFactory.CreateLogger("Bridge.Client.Subscriber");
        _health = health;
        _metrics = metrics;
        _time = time;
    }

    /// <summary>Source of the backoff jitter; replaceable so tests can seed it.</summary>
    internal Random Random { get; set; } = Random.Shared;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Startup of the other hosted services must not wait for the first connect.
        await Task.Yield();
        string name = _options.Subscription!;
        ClientLog.SubscriberStarting(_logger, name, _options.Address!, typeof(THandler).FullName ?? typeof(THandler).Name, _options.MaxInFlight);
        using var client = new EventBridgeClient(new Uri(_options.Address!), new EventBridgeClientOptions { AckDelay = _options.AckDelay, Logger = _logger });
        var backoff = new ReconnectBackoff(_options.InitialBackoff, _options.MaxBackoff, Random);
        string? previousFailure = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            SessionResult result;
            using (var session = new SubscriberSession(client, _options, InvokeHandlerAsync, _health, _metrics, _logger, _time) { PreviousFailure = previousFailure })
            {
                result = await session.RunAsync(stoppingToken).ConfigureAwait(false);
            }
            _health.SetDisconnected(result.Reason ?? "stopped");
            if (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            if (result.ConnectedFor >= _options.BackoffResetAfter)
            {
                backoff.Reset();
            }
            TimeSpan delay = backoff.Next();
            _health.CountReconnect();
            _metrics.Reconnect(name);
            bool repeated = result.ConnectedFor == TimeSpan.Zero && result.Reason is not null && string.Equals(result.Reason, previousFailure, StringComparison.Ordinal);
            if (repeated)
            {
                ClientLog.ReconnectScheduledAgain(_logger, name, (long)delay.TotalMilliseconds);
            }
            else
            {
                ClientLog.ReconnectScheduled(_logger, name, (long)delay.TotalMilliseconds);
            }
            // A stream that connected starts a new outage; one that never did repeats the failure it ended with.
            previousFailure = result.ConnectedFor == TimeSpan.Zero ? result.Reason : null;
            try
            {
                await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }
        ClientLog.Stopped(_logger, name);
    }

    private async Task InvokeHandlerAsync(CloudEventDelivery delivery, CancellationToken cancellationToken)
    {
        AsyncServiceScope scope = _scopes.CreateAsyncScope();
        await using (scope.ConfigureAwait(false))
        {
            THandler handler = scope.ServiceProvider.GetRequiredService<THandler>();
            await handler.HandleAsync(delivery, cancellationToken).ConfigureAwait(false);
        }
    }
}
