namespace Bridge.Grpc;

/// <summary>Per-call settings of a client call.</summary>
/// <param name="Headers">Custom request metadata. May be null.</param>
/// <param name="Deadline">
/// When the call must be over, in UTC (or local time, converted). Sent as <c>grpc-timeout</c> and enforced locally:
/// past it the call fails with DEADLINE_EXCEEDED. Null (default) means no deadline.
/// </param>
/// <param name="CancellationToken">Cancels the whole call (the server sees the cancellation); it then fails with CANCELLED.</param>
public readonly record struct CallOptions(Metadata? Headers = null, DateTime? Deadline = null, CancellationToken CancellationToken = default);
