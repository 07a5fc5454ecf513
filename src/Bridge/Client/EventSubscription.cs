using System.Runtime.CompilerServices;
using Bridge.Client.Internal;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bridge.Client;

/// <summary>
/// An open <c>Subscribe</c> stream: read deliveries (<c>await foreach</c> or <see cref="ReadAsync"/>), acknowledge
/// them with <see cref="AckAsync(ulong[])"/>, end cleanly with <see cref="CompleteAsync"/>, and dispose.
/// </summary>
/// <remarks>
/// <para>Reading is for one reader at a time; acks may come from any thread. Acks are coalesced: ids acknowledged
/// within <see cref="EventBridgeClientOptions.AckDelay"/> of each other travel in one message (sooner once half of
/// the stream's in-flight window is waiting), because every ack message costs a write on both sides.</para>
/// <para>An event the server sends that is not a valid CloudEvent can never be handled; it is logged, acknowledged
/// and skipped, so it does not hold back the offsets of its partition.</para>
/// <para>Disposing cancels the stream: unacknowledged and unsent acks are lost and those events are delivered again.</para>
/// </remarks>
public sealed class EventSubscription : IAsyncEnumerable<CloudEventDelivery>, IAsyncDisposable
{
    private const int DefaultServerMaxInFlight = 100;

    private readonly AsyncDuplexStreamingCall<SubscribeRequest, SubscribeResponse> _call;
    private readonly Task _openWrite;
    private readonly AckBatcher _acks;
    private readonly ILogger _logger;
    private long _invalidEvents;
    private int _disposed;

    internal EventSubscription(AsyncDuplexStreamingCall<SubscribeRequest, SubscribeResponse> call, OpenSubscription open, TimeSpan ackDelay, ILogger logger)
    {
        _call = call;
        _logger = logger;
        Name = open.Subscription;
        // Written before anything else: servers send no response headers before they have seen `open`.
        _openWrite = call.RequestStream.WriteAsync(new SubscribeRequest { Open = open });
        int window = open.MaxInFlight > 0 ? open.MaxInFlight : DefaultServerMaxInFlight;
        _acks = new AckBatcher(WriteAckAsync, _openWrite, ackDelay, Math.Max(1, window / 2));
    }

    /// <summary>The subscription name.</summary>
    public string Name { get; }

    /// <summary>
    /// Completes with the response headers once the server accepted the stream; throws the call's
    /// <see cref="RpcException"/> when it failed before that (unreachable, unauthenticated, invalid open).
    /// </summary>
    public Task<Metadata> ResponseHeadersAsync => GetResponseHeadersAsync();

    /// <summary>Events skipped because they were not valid CloudEvents.</summary>
    public long InvalidEventsSkipped => Interlocked.Read(ref _invalidEvents);

    /// <summary>Number of ack messages written so far (each may carry many ids).</summary>
    public long AckMessagesSent => _acks.MessagesWritten;

    /// <summary>Called with each delivery that was skipped as invalid, and why. For metrics; must not throw.</summary>
    internal Action<SubscribeResponse, Exception>? InvalidEventObserver { get; set; }

    /// <summary>Reads the next delivery.</summary>
    /// <param name="cancellationToken">Cancels the read and with it the whole stream.</param>
    /// <returns>The delivery, or null when the server ended the stream with OK (e.g. after <see cref="CompleteAsync"/>).</returns>
    /// <exception cref="RpcException">The stream failed (server gone, unauthenticated, invalid open, canceled ...).</exception>
    public async Task<CloudEventDelivery?> ReadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await _openWrite.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or ObjectDisposedException)
        {
            // The call is already over; reading reports its real status.
        }
        IAsyncStreamReader<SubscribeResponse> responses = _call.ResponseStream;
        while (await responses.MoveNext(cancellationToken).ConfigureAwait(false))
        {
            SubscribeResponse response = responses.Current;
            if (TryConvert(response, out CloudEventDelivery? delivery, out Exception? error))
            {
                return delivery;
            }
            SkipInvalid(response, error!);
        }
        return null;
    }

    /// <summary>Enumerates deliveries until the server ends the stream.</summary>
    /// <param name="cancellationToken">Cancels the enumeration and with it the whole stream.</param>
    /// <exception cref="RpcException">The stream failed.</exception>
    public async IAsyncEnumerable<CloudEventDelivery> ReadAllAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await ReadAsync(cancellationToken).ConfigureAwait(false) is { } delivery)
        {
            yield return delivery;
        }
    }

    /// <inheritdoc />
    public IAsyncEnumerator<CloudEventDelivery> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    /// <summary>
    /// Acknowledges handled deliveries. Ids are queued and sent together with others given shortly before or after;
    /// the task completes when the message carrying them was written. There is no need to await it before handling
    /// the next delivery.
    /// </summary>
    /// <param name="ackIds">The deliveries' <see cref="CloudEventDelivery.AckId"/>s. Must not be null.</param>
    /// <exception cref="InvalidOperationException">The subscription was completed or disposed.</exception>
    /// <exception cref="RpcException">The stream failed before the ack could be written.</exception>
    public Task AckAsync(params ulong[] ackIds)
    {
        ArgumentNullException.ThrowIfNull(ackIds);
        return _acks.AckAsync(ackIds);
    }

    /// <summary>Sends queued acks now instead of waiting for the coalescing delay.</summary>
    /// <returns>Completes when every ack queued so far was written.</returns>
    public Task FlushAcksAsync() => _acks.FlushAsync();

    /// <summary>
    /// Ends the stream cleanly: sends the queued acks, then half-closes. The server stops delivering and ends the
    /// stream with OK; keep reading until <see cref="ReadAsync"/> returns null to see its status. Deliveries that
    /// still arrive were not acknowledged and will be delivered again.
    /// </summary>
    /// <exception cref="RpcException">The stream had already failed; queued acks were not sent.</exception>
    public async Task CompleteAsync()
    {
        _acks.Close();
        await _acks.FlushAsync().ConfigureAwait(false);
        await _call.RequestStream.CompleteAsync().ConfigureAwait(false);
    }

    /// <summary>The final status.</summary>
    /// <exception cref="InvalidOperationException">The stream is not over yet.</exception>
    public Status GetStatus() => _call.GetStatus();

    /// <summary>Cancels the stream if it is still open (queued acks are dropped) and releases it.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }
        _call.Dispose();
        await _acks.DisposeAsync().ConfigureAwait(false);
        try
        {
            await _openWrite.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException or ObjectDisposedException or OperationCanceledException)
        {
            // Observed so it is not reported as unobserved; the stream is gone anyway.
        }
    }

    private async Task<Metadata> GetResponseHeadersAsync()
    {
        Metadata headers = await _call.ResponseHeadersAsync.ConfigureAwait(false);
        Status? status = null;
        try
        {
            status = _call.GetStatus();
        }
        catch (InvalidOperationException)
        {
            // Still running: the server accepted the stream.
        }
        // A Trailers-Only answer (rejected before any message) also comes with headers: those are its status.
        if (status is { StatusCode: not StatusCode.OK } failed)
        {
            throw new RpcException(failed, _call.GetTrailers());
        }
        return headers;
    }

    private Task WriteAckAsync(IReadOnlyList<ulong> ids)
    {
        var ack = new Ack();
        ack.AckIds.Add(ids);
        return _call.RequestStream.WriteAsync(new SubscribeRequest { Ack = ack });
    }

    private static bool TryConvert(SubscribeResponse response, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out CloudEventDelivery? delivery, out Exception? error)
    {
        delivery = null;
        error = null;
        if (response.Event is null)
        {
            error = new CloudEventFormatException("The delivery carries no event.");
            return false;
        }
        try
        {
            CloudEvent cloudEvent = ProtobufEventFormat.FromProto(response.Event);
            delivery = new CloudEventDelivery(response.AckId, cloudEvent, response.Partition, response.Offset, response.Attempt, response.Key);
            return true;
        }
        catch (CloudEventFormatException ex)
        {
            error = ex;
            return false;
        }
    }

    private void SkipInvalid(SubscribeResponse response, Exception error)
    {
        Interlocked.Increment(ref _invalidEvents);
        ClientLog.InvalidEventSkipped(_logger, Name, response.Partition, response.Offset, error.Message);
        InvalidEventObserver?.Invoke(response, error);
        _ = _acks.AckAsync([response.AckId]).ContinueWith(
            static (t, state) => ((EventSubscription)state!).OnAckFailed(t.Exception!),
            this, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    private void OnAckFailed(AggregateException ex)
    {
        Exception cause = ex.GetBaseException();
        ClientLog.AckFailed(_logger, Name, cause);
    }
}
