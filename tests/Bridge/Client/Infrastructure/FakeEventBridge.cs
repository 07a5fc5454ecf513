using System.Collections.Concurrent;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Grpc.Core;
using PbEvent = Bridge.CloudEvents.Protobuf.CloudEvent;

namespace Bridge.Client.Tests.Infrastructure;

/// <summary>
/// An in-memory EventBridge served over real HTTP/2: an append-only log of events in partitions, durable
/// subscriptions that remember acked events across streams and server restarts, redelivery of unacked events with
/// a higher attempt, and a record of everything the client sent. Like the bridge, open streams end with
/// UNAVAILABLE when the server stops.
/// </summary>
public sealed class FakeEventBridge : EventBridge.EventBridgeBase
{
    private readonly object _lock = new();
    private readonly List<StoredEvent> _log = [];
    private readonly Dictionary<string, HashSet<(int, long)>> _acked = [];
    private readonly Dictionary<(string, int, long), int> _attempts = [];
    private readonly Dictionary<int, long> _nextOffset = [];
    private TaskCompletionSource _appended = NewSource();
    private int _activeStreams;

    public sealed record StoredEvent(int Partition, long Offset, string Key, PbEvent Event);

    public sealed record AckMessage(string Subscription, ulong[] AckIds, IReadOnlyList<(int Partition, long Offset)> Events);

    /// <summary>When set, calls must carry <c>authorization: Bearer {RequiredToken}</c>.</summary>
    public string? RequiredToken { get; set; }

    /// <summary>The hosting server's stopping token, set on every start.</summary>
    public CancellationToken Stopping { get; set; }

    public ConcurrentQueue<PublishRequest> PublishRequests { get; } = new();

    public ConcurrentQueue<OpenSubscription> Opens { get; } = new();

    public ConcurrentQueue<string?> AuthorizationHeaders { get; } = new();

    public ConcurrentQueue<AckMessage> Acks { get; } = new();

    /// <summary>How each Subscribe stream ended on the server: "half-close", "canceled" or a status.</summary>
    public ConcurrentQueue<string> StreamEnds { get; } = new();

    public int ActiveStreams => Volatile.Read(ref _activeStreams);

    /// <summary>Appends an event to a partition; returns its offset.</summary>
    public long Append(int partition, string key, PbEvent pbEvent)
    {
        TaskCompletionSource appended;
        long offset;
        lock (_lock)
        {
            offset = _nextOffset.GetValueOrDefault(partition);
            _nextOffset[partition] = offset + 1;
            _log.Add(new StoredEvent(partition, offset, key, pbEvent));
            appended = _appended;
            _appended = NewSource();
        }
        appended.TrySetResult();
        return offset;
    }

    public long Append(int partition, string key, CloudEvent cloudEvent) => Append(partition, key, ProtobufEventFormat.ToProto(cloudEvent));

    public bool IsAcked(string subscription, int partition, long offset)
    {
        lock (_lock)
        {
            return _acked.TryGetValue(subscription, out var set) && set.Contains((partition, offset));
        }
    }

    public int AckedCount(string subscription)
    {
        lock (_lock)
        {
            return _acked.TryGetValue(subscription, out var set) ? set.Count : 0;
        }
    }

    public int Attempts(string subscription, int partition, long offset)
    {
        lock (_lock)
        {
            return _attempts.GetValueOrDefault((subscription, partition, offset));
        }
    }

    public override Task<PublishResponse> Publish(PublishRequest request, ServerCallContext context)
    {
        CheckToken(context);
        PublishRequests.Enqueue(request);
        var response = new PublishResponse();
        foreach (PbEvent e in request.Events)
        {
            var result = new PublishResult { Id = e.Id };
            try
            {
                CloudEvent cloudEvent = ProtobufEventFormat.FromProto(e);
                string key = cloudEvent.Subject ?? string.Empty;
                int partition = key.Length % 3;
                long offset = Append(partition, key, e);
                result.Accepted = new PublishAccepted { Partition = partition, Offset = offset };
            }
            catch (CloudEventFormatException ex)
            {
                result.Error = new PublishError { Code = (int)StatusCode.InvalidArgument, Message = ex.Message };
            }
            response.Results.Add(result);
        }
        return Task.FromResult(response);
    }

    public override async Task Subscribe(IAsyncStreamReader<SubscribeRequest> requestStream, IServerStreamWriter<SubscribeResponse> responseStream, ServerCallContext context)
    {
        var (requests, responses) = (requestStream, responseStream);
        CheckToken(context);
        if (!await requests.MoveNext(context.CancellationToken) || requests.Current.Open is not { } open)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "The first request must carry open."));
        }
        Opens.Enqueue(open);
        Interlocked.Increment(ref _activeStreams);
        try
        {
            await context.WriteResponseHeadersAsync(new Metadata());
            var stream = new Stream(this, open, responses);
            using var loops = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken, Stopping);
            Task reader = stream.ReadLoopAsync(requests, loops.Token);
            Task writer = stream.WriteLoopAsync(loops.Token);
            Task first = await Task.WhenAny(reader, writer);
            loops.Cancel();
            try
            {
                await Task.WhenAll(reader, writer);
            }
            catch (Exception) when (first.IsCompletedSuccessfully)
            {
                // The other loop was stopped on purpose.
            }
            catch (OperationCanceledException) when (Stopping.IsCancellationRequested && !context.CancellationToken.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "Server is shutting down"));
            }
            StreamEnds.Enqueue("half-close");
        }
        catch (Exception ex)
        {
            StreamEnds.Enqueue(context.CancellationToken.IsCancellationRequested ? "canceled" : ex.GetType().Name);
            throw;
        }
        finally
        {
            Interlocked.Decrement(ref _activeStreams);
        }
    }

    private void CheckToken(ServerCallContext context)
    {
        string? header = context.RequestHeaders.GetValue("authorization");
        AuthorizationHeaders.Enqueue(header);
        if (RequiredToken is not null && header != "Bearer " + RequiredToken)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "Missing or wrong bearer token."));
        }
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class Stream(FakeEventBridge owner, OpenSubscription open, IServerStreamWriter<SubscribeResponse> responses)
    {
        private readonly Dictionary<ulong, (int Partition, long Offset)> _outstanding = [];
        private readonly HashSet<(int, long)> _sentOnStream = [];
        private readonly SemaphoreSlim _window = new(open.MaxInFlight > 0 ? open.MaxInFlight : 100);
        private ulong _nextAckId = 1;

        public async Task ReadLoopAsync(IAsyncStreamReader<SubscribeRequest> requests, CancellationToken ct)
        {
            while (await requests.MoveNext(ct))
            {
                if (requests.Current.Ack is not { } ack)
                {
                    throw new RpcException(new Status(StatusCode.InvalidArgument, "Only acks may follow open."));
                }
                var events = new List<(int, long)>();
                lock (owner._lock)
                {
                    foreach (ulong id in ack.AckIds)
                    {
                        if (_outstanding.Remove(id, out var position))
                        {
                            events.Add(position);
                            if (!owner._acked.TryGetValue(open.Subscription, out var set))
                            {
                                owner._acked[open.Subscription] = set = [];
                            }
                            set.Add(position);
                            _window.Release();
                        }
                    }
                }
                owner.Acks.Enqueue(new AckMessage(open.Subscription, ack.AckIds.ToArray(), events));
            }
        }

        public async Task WriteLoopAsync(CancellationToken ct)
        {
            while (true)
            {
                await _window.WaitAsync(ct);
                SubscribeResponse? next = null;
                Task appended;
                lock (owner._lock)
                {
                    appended = owner._appended.Task;
                    owner._acked.TryGetValue(open.Subscription, out var acked);
                    foreach (StoredEvent e in owner._log)
                    {
                        if ((acked?.Contains((e.Partition, e.Offset)) ?? false) || _sentOnStream.Contains((e.Partition, e.Offset)))
                        {
                            continue;
                        }
                        var attemptKey = (open.Subscription, e.Partition, e.Offset);
                        int attempt = owner._attempts.GetValueOrDefault(attemptKey) + 1;
                        owner._attempts[attemptKey] = attempt;
                        _sentOnStream.Add((e.Partition, e.Offset));
                        ulong ackId = _nextAckId++;
                        _outstanding[ackId] = (e.Partition, e.Offset);
                        next = new SubscribeResponse
                        {
                            AckId = ackId, Event = e.Event, Partition = e.Partition, Offset = e.Offset, Attempt = attempt, Key = e.Key,
                        };
                        break;
                    }
                }
                if (next is null)
                {
                    _window.Release();
                    await appended.WaitAsync(ct);
                    continue;
                }
                await responses.WriteAsync(next, ct);
            }
        }
    }
}
