using System.Globalization;
using System.Text;

namespace Bridge.Grpc.Tests.Infrastructure;

/// <summary>A service over UTF-8 strings exercising every call shape and way to end a call.</summary>
public sealed class TestService : IGrpcService
{
    public const string Name = "test.Test";
    public const string UnicodeDetail = "— ünïcödé\n100%";

    public static readonly Marshaller<string> StringMarshaller =
        Marshallers.Create(s => Encoding.UTF8.GetBytes(s), b => Encoding.UTF8.GetString(b));

    public static readonly Method<string, string> Echo = Unary("Echo");
    public static readonly Method<string, string> Fail = Unary("Fail");
    public static readonly Method<string, string> Throw = Unary("Throw");
    public static readonly Method<string, string> WaitForCancel = Unary("WaitForCancel");
    public static readonly Method<string, string> Big = Unary("Big");
    public static readonly Method<string, string> Peer = Unary("Peer");
    public static readonly Method<string, string> Count = Streaming("Count");
    public static readonly Method<string, string> FailAfter = Streaming("FailAfter");
    public static readonly Method<string, string> Endless = Streaming("Endless");
    public static readonly Method<string, string> Produce = Streaming("Produce");
    public static readonly Method<string, string> Chat = Duplex("Chat");
    public static readonly Method<string, string> Deliver = Duplex("Deliver");
    public static readonly Method<string, string> Idle = Duplex("Idle");

    private int _produced;
    private int _endlessAborted;

    /// <summary>Messages written so far by the last Produce call.</summary>
    public int Produced => Volatile.Read(ref _produced);

    /// <summary>Endless calls that ended because the client went away.</summary>
    public int EndlessAborted => Volatile.Read(ref _endlessAborted);

    /// <summary>The deadline the last WaitForCancel call saw.</summary>
    public DateTime? LastDeadline { get; private set; }

    public void Bind(GrpcServiceBinder binder) => binder
        .AddUnary(Echo, EchoAsync)
        .AddUnary(Fail, (request, _) =>
        {
            string[] parts = request.Split('|', 2);
            var trailers = new Metadata { { "x-reason", "test" } };
            throw new RpcException(new Status((StatusCode)int.Parse(parts[0], CultureInfo.InvariantCulture), parts[1]), trailers);
        })
        .AddUnary<string, string>(Throw, (_, _) => throw new InvalidOperationException("secret internal detail"))
        .AddUnary(WaitForCancel, async (_, context) =>
        {
            LastDeadline = context.Deadline;
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return "unreachable";
        })
        .AddUnary(Peer, (_, context) => Task.FromResult(context.Peer + " " + context.Method))
        .AddUnary(Big, (request, _) => Task.FromResult(new string('x', int.Parse(request, CultureInfo.InvariantCulture))))
        .AddServerStreaming(Count, async (request, stream, context) =>
        {
            int n = int.Parse(request, CultureInfo.InvariantCulture);
            for (int i = 0; i < n; i++)
            {
                await stream.WriteAsync(i.ToString(CultureInfo.InvariantCulture), context.CancellationToken);
            }
            context.ResponseTrailers.Add("x-count", n.ToString(CultureInfo.InvariantCulture));
        })
        .AddServerStreaming(FailAfter, async (request, stream, context) =>
        {
            int n = int.Parse(request, CultureInfo.InvariantCulture);
            for (int i = 0; i < n; i++)
            {
                await stream.WriteAsync(i.ToString(CultureInfo.InvariantCulture), context.CancellationToken);
            }
            throw new RpcException(StatusCode.Aborted, UnicodeDetail);
        })
        .AddServerStreaming(Endless, async (request, stream, context) =>
        {
            try
            {
                await stream.WriteAsync("first", context.CancellationToken);
                await Task.Delay(Timeout.Infinite, context.CancellationToken);
            }
            finally
            {
                if (context.HttpContext.RequestAborted.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _endlessAborted);
                }
            }
        })
        .AddServerStreaming(Produce, async (request, stream, context) =>
        {
            string[] parts = request.Split(':');
            int n = int.Parse(parts[0], CultureInfo.InvariantCulture);
            string payload = new('p', int.Parse(parts[1], CultureInfo.InvariantCulture));
            Volatile.Write(ref _produced, 0);
            for (int i = 0; i < n; i++)
            {
                await stream.WriteAsync(payload, context.CancellationToken);
                Interlocked.Increment(ref _produced);
            }
        })
        .AddDuplexStreaming(Chat, async (requests, responses, context) =>
        {
            int count = 0;
            while (await requests.MoveNext(context.CancellationToken))
            {
                count++;
                await responses.WriteAsync("echo:" + requests.Current, context.CancellationToken);
            }
            context.ResponseTrailers.Add("x-count", count.ToString(CultureInfo.InvariantCulture));
        })
        .AddDuplexStreaming(Deliver, DeliverAsync)
        .AddDuplexStreaming(Idle, async (requests, responses, context) =>
        {
            // Accepts the call, then sends nothing until the client half-closes.
            await context.WriteResponseHeadersAsync(new Metadata { { "x-accepted", "yes" } });
            while (await requests.MoveNext(context.CancellationToken))
            {
            }
        });

    private static Task<string> EchoAsync(string request, ServerCallContext context)
    {
        foreach (Metadata.Entry entry in context.RequestHeaders)
        {
            if (entry.Key.StartsWith("x-", StringComparison.Ordinal))
            {
                context.ResponseTrailers.Add(entry);
            }
        }
        return Task.FromResult(request);
    }

    /// <summary>
    /// "open:N:total" then "ack:seq" messages: delivers seq 1..total, never more than N unacked, and reports the
    /// largest number in flight in the trailer x-max-in-flight. Half-close stops the deliveries.
    /// </summary>
    private static async Task DeliverAsync(IAsyncStreamReader<string> requests, IServerStreamWriter<string> responses, ServerCallContext context)
    {
        if (!await requests.MoveNext(context.CancellationToken) || !requests.Current.StartsWith("open:", StringComparison.Ordinal))
        {
            throw new RpcException(StatusCode.InvalidArgument, "The first message must be open:N:total.");
        }
        string[] open = requests.Current.Split(':');
        int window = int.Parse(open[1], CultureInfo.InvariantCulture);
        int total = int.Parse(open[2], CultureInfo.InvariantCulture);
        await context.WriteResponseHeadersAsync();

        using var loops = CancellationTokenSource.CreateLinkedTokenSource(context.CancellationToken);
        using var slots = new SemaphoreSlim(window, window);
        int inFlight = 0;
        int maxInFlight = 0;
        var acked = new HashSet<int>();
        int sent = 0;
        async Task ReadLoop()
        {
            while (await requests.MoveNext(loops.Token))
            {
                int seq = int.Parse(requests.Current.AsSpan("ack:".Length), CultureInfo.InvariantCulture);
                lock (acked)
                {
                    if (seq < 1 || seq > sent || !acked.Add(seq))
                    {
                        continue;
                    }
                    inFlight--;
                }
                slots.Release();
            }
        }
        async Task WriteLoop()
        {
            for (int seq = 1; seq <= total; seq++)
            {
                await slots.WaitAsync(loops.Token);
                lock (acked)
                {
                    sent = seq;
                    inFlight++;
                    maxInFlight = Math.Max(maxInFlight, inFlight);
                }
                await responses.WriteAsync("delivery:" + seq.ToString(CultureInfo.InvariantCulture), loops.Token);
            }
            // Everything sent: wait for the last acks (the read loop ends on half-close).
            while (true)
            {
                lock (acked)
                {
                    if (acked.Count == total)
                    {
                        return;
                    }
                }
                await slots.WaitAsync(loops.Token);
            }
        }
        Task readTask = ReadLoop();
        Task writeTask = WriteLoop();
        Task done = await Task.WhenAny(readTask, writeTask);
        loops.Cancel();
        try
        {
            await Task.WhenAll(readTask, writeTask);
        }
        catch (OperationCanceledException)
        {
            // The loop that did not finish first was stopped on purpose.
        }
        await done;
        context.ResponseTrailers.Add("x-max-in-flight", maxInFlight.ToString(CultureInfo.InvariantCulture));
        context.ResponseTrailers.Add("x-acked", acked.Count.ToString(CultureInfo.InvariantCulture));
    }

    private static Method<string, string> Unary(string name) => new(MethodType.Unary, Name, name, StringMarshaller, StringMarshaller);

    private static Method<string, string> Streaming(string name) => new(MethodType.ServerStreaming, Name, name, StringMarshaller, StringMarshaller);

    private static Method<string, string> Duplex(string name) => new(MethodType.DuplexStreaming, Name, name, StringMarshaller, StringMarshaller);
}
