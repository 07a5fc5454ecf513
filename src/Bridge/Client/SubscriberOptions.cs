using Bridge.Client.V1;

namespace Bridge.Client;

/// <summary>
/// Settings of a hosted subscriber (<c>AddBridgeSubscriber</c>), bound from the <c>Subscriber</c> section by default
/// and validated at start with messages naming the key.
/// </summary>
/// <example>
/// <code>
/// "Subscriber": {
///   "Address": "http://bridge:8081",
///   "Subscription": "notifier",
///   "Types": [ "app.flagger.canary.rollout.*", "app.flagger.canary.promoted" ],
///   "Namespaces": [ "prod", "staging" ],
///   "Severities": [ "warn", "error" ],
///   "Start": "earliest",
///   "TokenFile": "/var/run/secrets/bridge/token",
///   "MaxInFlight": 100,
///   "MaxAttempts": 5
/// }
/// </code>
/// </example>
/// <remarks>
/// Filters: each non-empty list among <see cref="Types"/>, <see cref="Namespaces"/> and <see cref="Severities"/>
/// becomes one filter that matches any of its entries; an event must match every such filter (and every entry of
/// <see cref="Filters"/>). With all of them empty every event is delivered.
/// </remarks>
public sealed class SubscriberOptions
{
    /// <summary>The default configuration section name.</summary>
    public const string SectionName = "Subscriber";

    /// <summary>The bridge's gRPC address, an absolute http:// or https:// URI such as <c>http://bridge:8081</c>. Required.</summary>
    public string? Address { get; set; }

    /// <summary>
    /// The subscription name (the Kafka consumer group): 1-200 characters of <c>[A-Za-z0-9._-]</c>. Required.
    /// Replicas with the same name share the partitions; each distinct name receives every event.
    /// </summary>
    public string? Subscription { get; set; }

    /// <summary>
    /// CloudEvents <c>type</c>s to receive. An entry ending in <c>*</c> is a prefix (<c>app.flagger.canary.hook.*</c>);
    /// otherwise it must match exactly. Default empty: every type.
    /// </summary>
    public List<string> Types { get; set; } = [];

    /// <summary>Kubernetes namespaces (the <c>namespace</c> extension) to receive. Default empty: every namespace.</summary>
    public List<string> Namespaces { get; set; } = [];

    /// <summary>Severities (the <c>severity</c> extension: <c>info</c>, <c>warn</c>, <c>error</c>) to receive. Default empty: every severity.</summary>
    public List<string> Severities { get; set; } = [];

    /// <summary>
    /// Further filters built in code with <see cref="Client.Filters"/> (not read from configuration), added to
    /// those compiled from the lists above. Default empty.
    /// </summary>
    public IList<Filter> Filters { get; } = new List<Filter>();

    /// <summary>
    /// Where a new subscription (one without committed offsets) starts: <c>latest</c> (default), <c>earliest</c> or an
    /// RFC 3339 time such as <c>2024-05-01T10:00:00Z</c>.
    /// </summary>
    public string Start { get; set; } = "latest";

    /// <summary>Bearer token for the bridge. Default null. Set at most one of <see cref="Token"/> and <see cref="TokenFile"/>.</summary>
    public string? Token { get; set; }

    /// <summary>Path of a file holding the token (a mounted secret), read again on every connect so rotation needs no restart. Default null.</summary>
    public string? TokenFile { get; set; }

    /// <summary>Most deliveries handled or waiting at a time, across partitions (1-10000). Default 100.</summary>
    public int MaxInFlight { get; set; } = 100;

    /// <summary>
    /// Delivery attempt at which an event whose handler still fails is logged at Error and acknowledged to skip it
    /// (a poison event). Default 5; 0 retries forever, holding back the event's partition until the handler succeeds.
    /// </summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Ceiling of the first reconnect delay; it doubles after each failed attempt. Default 200 ms.</summary>
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Highest reconnect delay ceiling. Default 30 s.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>A connection that stayed up this long resets the backoff to <see cref="InitialBackoff"/>. Default 30 s.</summary>
    public TimeSpan BackoffResetAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a stop or reconnect waits for handlers in flight before canceling them. Default 10 s.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long acks wait to be sent together (0-1 s). Default 5 ms.</summary>
    public TimeSpan AckDelay { get; set; } = TimeSpan.FromMilliseconds(5);
}
