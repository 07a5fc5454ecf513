using Bridge.Client;
using Bridge.Grpc.Health;
using Bridge.Server.Kafka;
using Bridge.Server.Subscriptions;
using Confluent.Kafka;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServingStatus = Bridge.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// Keeps the gRPC health status current: the whole server ("") and <c>bridge.v1.EventBridge</c> are SERVING
/// while a Kafka broker answers a metadata request for the topic, NOT_SERVING otherwise (and from the
/// moment the host starts stopping). Checked every <see cref="SubscriptionOptions.HealthCheckInterval"/>.
/// </summary>
internal sealed class GrpcHealthMonitor(
    HealthService health,
    KafkaConnection kafka,
    IOptions<SubscriptionOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<GrpcHealthMonitor> logger) : BackgroundService
{
    /// <summary>The service names whose status this monitor sets.</summary>
    public static readonly string[] Services = [string.Empty, EventBridgeMethods.ServiceName];

    private readonly TimeSpan _interval = options.Value.HealthCheckInterval;
    private IAdminClient? _admin;
    private readonly Lock _lock = new();
    private ServingStatus? _current;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Set(ServingStatus.NotServing, " (no Kafka check yet)");
        using var stopping = lifetime.ApplicationStopping.Register(() => Set(ServingStatus.NotServing, " (the server is stopping)"));
        using var timer = new PeriodicTimer(_interval);
        try
        {
            do
            {
                var problem = await CheckAsync(stoppingToken).ConfigureAwait(false);
                if (lifetime.ApplicationStopping.IsCancellationRequested)
                {
                    break;
                }

                Set(problem is null ? ServingStatus.Serving : ServingStatus.NotServing, problem is null ? string.Empty : $" ({problem})");
            }
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public override void Dispose()
    {
        _admin?.Dispose();
        base.Dispose();
    }

    /// <summary>Null when Kafka answers, else why not.</summary>
    private Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        var timeout = _interval < TimeSpan.FromSeconds(5) ? _interval : TimeSpan.FromSeconds(5);
        // GetMetadata blocks its thread for up to the timeout.
        return Task.Run<string?>(() =>
        {
            try
            {
                _admin ??= new AdminClientBuilder(kafka.CreateAdminClientConfig())
                    .SetLogHandler((_, message) => KafkaLog.Forward(logger, message))
                    .Build();
                var metadata = _admin.GetMetadata(kafka.Topic, timeout);
                var topic = metadata.Topics.Find(t => t.Topic == kafka.Topic);
                return topic switch
                {
                    null => $"Kafka did not report topic '{kafka.Topic}'",
                    { Error.IsError: true } => $"Kafka reports topic '{kafka.Topic}' as unusable: {topic.Error.Reason}",
                    { Partitions.Count: 0 } => $"Kafka reports no partitions for topic '{kafka.Topic}'",
                    _ => null,
                };
            }
            catch (KafkaException e)
            {
                return $"Kafka did not answer within {timeout.TotalSeconds:0.#} s: {e.Error.Reason}";
            }
            catch (InvalidOperationException e)
            {
                return e.Message;
            }
        }, cancellationToken);
    }

    private void Set(ServingStatus status, string reason)
    {
        lock (_lock)
        {
            foreach (var service in Services)
            {
                health.SetStatus(service, status);
            }

            if (_current != status)
            {
                _current = status;
                SubscriptionLog.HealthChanged(logger, status, reason);
            }
        }
    }
}
