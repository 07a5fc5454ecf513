namespace Bridge.Server.Ingress;

/// <summary>
/// Something the bridge needs before it can accept events (Kafka; a durable spool), asked by
/// <c>/readyz</c>. Register any number; the bridge is ready when all are.
/// </summary>
internal interface IReadinessCheck
{
    /// <summary>Short name for the 503 detail, e.g. <c>kafka</c>.</summary>
    string Name { get; }

    /// <summary>Checks the dependency within <paramref name="timeout"/>.</summary>
    /// <returns>Null when ready, else why not (a sentence a person can act on).</returns>
    ValueTask<string?> CheckAsync(TimeSpan timeout, CancellationToken cancellationToken);
}
