using Bridge.Server.Kafka;
using Bridge.Server.Subscriptions;
using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// The health check behind the gRPC health service: healthy while a Kafka broker answers a metadata request for the
/// events topic (what subscriptions and Publish need), unhealthy otherwise and from the moment the host starts stopping.
/// Before Kafka first answered since start, the connection's reason (unreachable, topic not usable) is the answer,
/// without asking Kafka again. Registered under <see cref="Name"/> with tag <see cref="Tag"/>; run every
/// <c>Subscriptions:HealthCheckInterval</c>.
/// </summary>
internal sealed class KafkaHealthCheck(
    KafkaConnection kafka,
    IOptions<SubscriptionOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<KafkaHealthCheck> logger) : IHealthCheck, IDisposable
{
    /// <summary>The check's registration name.</summary>
    public const string Name = "kafka";

    /// <summary>The tag of the checks the gRPC health status is made of.</summary>
    public const string Tag = "grpc";

    private readonly Lock _lock = new();

    // A check must not outlast the interval it runs at; Kafka answers in milliseconds when it answers at all.
    private readonly TimeSpan _timeout = options.Value.HealthCheckInterval < TimeSpan.FromSeconds(5) ? options.Value.HealthCheckInterval : TimeSpan.FromSeconds(5);
    private IAdminClient? _admin;
    private bool? _healthy;

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var problem = lifetime.ApplicationStopping.IsCancellationRequested ? "the server is stopping"
            : !kafka.HasConnected ? kafka.Problem?.TrimEnd('.')
            : await CheckKafkaAsync(_timeout, cancellationToken).ConfigureAwait(false);
        Report(problem);
        return problem is null ? HealthCheckResult.Healthy("Kafka answers.") : new HealthCheckResult(context.Registration.FailureStatus, problem);
    }

    public void Dispose() => _admin?.Dispose();

    /// <summary>Null when Kafka answers, else why not.</summary>
    private Task<string?> CheckKafkaAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        // GetMetadata blocks its thread for up to the timeout.
        Task.Run<string?>(() =>
        {
            try
            {
                IAdminClient admin;
                lock (_lock)
                {
                    admin = _admin ??= new AdminClientBuilder(kafka.CreateAdminClientConfig())
                        .SetLogHandler((_, message) => KafkaLog.Forward(logger, message))
                        .SetErrorHandler((_, error) => KafkaLog.ClientError(logger, error))
                        .Build();
                }

                var metadata = admin.GetMetadata(kafka.Topic, timeout);
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

    private void Report(string? problem)
    {
        lock (_lock)
        {
            if (_healthy != (problem is null))
            {
                _healthy = problem is null;
                SubscriptionLog.HealthChanged(logger, problem is null ? ServingStatus.Serving : ServingStatus.NotServing, problem is null ? string.Empty : $" ({problem})");
            }
        }
    }
}
