namespace Bridge.Server.Ingress;

/// <summary>The HTTP ingress: where it listens and what it accepts.</summary>
/// <example>
/// <code>
/// "Ingress": { "Port": 8080, "BindAddress": "0.0.0.0", "MaxBodyBytes": 1000000, "ReadinessTimeout": "00:00:02",
///              "RateLimit": { "PermitsPerSecond": 0, "Burst": 0 } }
/// </code>
/// </example>
internal sealed class IngressOptions
{
    public const string SectionName = "Ingress";

    /// <summary>TCP port of the HTTP/1.1 ingress. Default 8080; 0 picks a free port (tests).</summary>
    public int Port { get; set; } = 8080;

    /// <summary>IP address to listen on. Default <c>0.0.0.0</c> (every IPv4 interface); <c>::</c> for IPv6.</summary>
    public string BindAddress { get; set; } = "0.0.0.0";

    /// <summary>
    /// Largest request body accepted, in bytes; larger ones get 413. Default 1,000,000: the largest Kafka
    /// record librdkafka produces by default (<c>message.max.bytes</c>), so no body the ingress reads is
    /// refused by Kafka for its size alone (a body close to it still is, with 413, once the event's headers
    /// are added).
    /// </summary>
    public int MaxBodyBytes { get; set; } = Kafka.KafkaRecordLimit.DefaultMaxBytes;

    /// <summary>How long <c>/readyz</c> waits for Kafka metadata before answering 503. Default 2 s.</summary>
    public TimeSpan ReadinessTimeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Optional rate limit of the POST routes. Default off.</summary>
    public RateLimitOptions RateLimit { get; set; } = new();
}

/// <summary>A token bucket over all POST routes of the ingress; 429 with <c>Retry-After</c> when empty.</summary>
internal sealed class RateLimitOptions
{
    /// <summary>Requests per second refilled into the bucket. Default 0: no rate limit.</summary>
    public int PermitsPerSecond { get; set; }

    /// <summary>Bucket size: requests accepted at once after a quiet period. Default 0: same as <see cref="PermitsPerSecond"/>.</summary>
    public int Burst { get; set; }
}
