namespace Bridge.Server.Spool;

/// <summary>
/// The local store-and-forward spool that keeps events while Kafka does not answer. Section <c>Spool</c>, for example:
/// <code>
/// "Spool": { "Enabled": true, "Directory": "/var/lib/bridge/spool", "MaxBytes": 268435456, "KafkaBudget": "00:00:02" }
/// </code>
/// </summary>
internal sealed class SpoolOptions
{
    public const string SectionName = "Spool";

    /// <summary>Whether events Kafka does not acknowledge in time are spooled to disk. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Directory of the spool's files, absolute or relative to the content root. Default <c>data/spool</c>.
    /// One bridge process at a time may use it (a lock file enforces it).
    /// </summary>
    public string Directory { get; set; } = "data/spool";

    /// <summary>Bytes the spool may hold on disk (records not yet forwarded); beyond it events are refused with 503. Default 256 MiB.</summary>
    public long MaxBytes { get; set; } = 256L * 1024 * 1024;

    /// <summary>Size at which a segment file is closed and a new one started. Default 16 MiB.</summary>
    public long SegmentBytes { get; set; } = 16L * 1024 * 1024;

    /// <summary>
    /// How long a request waits for Kafka's acknowledgement before its event is spooled instead. Default 2 s,
    /// well under the 10 s Flagger waits for an answer. 50 ms to 8 s; a budget above half of
    /// <c>Kafka:ProduceTimeout</c> is shortened to that (see <see cref="EffectiveKafkaBudget"/>).
    /// </summary>
    public TimeSpan KafkaBudget { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Spooled events the forwarder has on their way to Kafka at once (each canary's one at a time). Default 256.</summary>
    public int MaxForwardsInFlight { get; set; } = 256;

    /// <summary>First wait before the forwarder retries after Kafka refused an event; doubles up to <see cref="MaxRetryBackoff"/>. Default 200 ms.</summary>
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest wait between the forwarder's retries. Default 5 s.</summary>
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// The budget used: <see cref="KafkaBudget"/>, at most half of <paramref name="produceTimeout"/>. An event
    /// spooled after the budget is still in librdkafka's queue; a later event of its canary acknowledged directly
    /// cannot overtake it only while the first cannot time out (after the produce timeout) before the second's
    /// budget ends.
    /// </summary>
    public TimeSpan EffectiveKafkaBudget(TimeSpan produceTimeout) =>
        KafkaBudget * 2 <= produceTimeout ? KafkaBudget : produceTimeout / 2;
}
