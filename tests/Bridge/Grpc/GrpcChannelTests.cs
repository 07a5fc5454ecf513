using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Bridge.Grpc.Tests.Infrastructure;

namespace Bridge.Grpc.Tests;

/// <summary>Our client against our server, over real HTTP/2 on 127.0.0.1.</summary>
public sealed class GrpcChannelTests : IAsyncLifetime
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(10);
    private GrpcTestHost _host = null!;
    private GrpcChannel _channel = null!;

    public async Task InitializeAsync()
    {
        _host = await GrpcTestHost.StartAsync();
        _channel = _host.CreateChannel();
    }

    public async Task DisposeAsync()
    {
        _channel.Dispose();
        await _host.DisposeAsync();
    }

    [Fact]
    public async Task UnaryAsync_Echo_ReturnsResponse()
    {
        string response = await _channel.UnaryAsync(TestService.Echo, "hello");

        Assert.Equal("hello", response);
    }

    [Fact]
    public async Task UnaryAsync_ServerContext_SeesPeerAndMethod()
    {
        string response = await _channel.UnaryAsync(TestService.Peer, "x");

        Assert.Matches(@"^ipv4:127\.0\.0\.1:\d+ /test\.Test/Peer$", response);
    }

    [Fact]
    public async Task UnaryAsync_ErrorStatus_ThrowsWithDetailByteExactAndTrailers()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(TestService.Fail, "9|" + TestService.UnicodeDetail));

        Assert.Equal(StatusCode.FailedPrecondition, ex.StatusCode);
        Assert.Equal(TestService.UnicodeDetail, ex.Status.Detail);
        Assert.Equal("test", ex.Trailers.GetValue("x-reason"));
    }

    [Fact]
    public async Task UnaryAsync_UnknownMethod_Unimplemented()
    {
        var method = new Method<string, string>(MethodType.Unary, "test.Missing", "Nope", TestService.StringMarshaller, TestService.StringMarshaller);

        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(method, "x"));

        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact]
    public async Task UnaryAsync_HandlerThrows_UnknownWithoutDetail()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(TestService.Throw, "x"));

        Assert.Equal(StatusCode.Unknown, ex.StatusCode);
        Assert.Equal("Exception was thrown by handler.", ex.Status.Detail);
    }

    [Fact]
    public async Task ServerStreaming_Metadata_StringAndBinaryRoundTripThroughTrailers()
    {
        // A unary handler looks like a one-message stream on the wire, which exposes its trailers to the client.
        var headers = new Metadata { { "x-echo", "value" }, { "x-data-bin", new byte[] { 0, 1, 2, 255 } } };
        var echoAsStream = new Method<string, string>(MethodType.ServerStreaming, TestService.Name, "Echo",
            TestService.StringMarshaller, TestService.StringMarshaller);
        using var call = _channel.ServerStreaming(echoAsStream, "m", new CallOptions(Headers: headers));

        List<string> messages = await call.ReadAllAsync().ToListAsync();

        Assert.Equal(["m"], messages);
        Metadata trailers = call.GetTrailers();
        Assert.Equal("value", trailers.GetValue("x-echo"));
        Assert.Equal(new byte[] { 0, 1, 2, 255 }, trailers.GetValueBytes("x-data-bin"));
        Assert.Null(trailers.Get("grpc-status"));
    }

    [Fact]
    public async Task ServerStreaming_Count_ReadsAllThenOkWithTrailers()
    {
        using var call = _channel.ServerStreaming(TestService.Count, "100");

        var messages = new List<string>();
        await foreach (string message in call.ReadAllAsync())
        {
            messages.Add(message);
        }

        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString(CultureInfo.InvariantCulture)), messages);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("100", call.GetTrailers().GetValue("x-count"));
        Assert.NotNull(await call.ResponseHeadersAsync);
    }

    [Fact]
    public async Task ServerStreaming_ErrorAfterMessages_ReadsMessagesThenThrows()
    {
        using var call = _channel.ServerStreaming(TestService.FailAfter, "3");

        var messages = new List<string>();
        var ex = await Assert.ThrowsAsync<RpcException>(async () =>
        {
            await foreach (string message in call.ReadAllAsync())
            {
                messages.Add(message);
            }
        });

        Assert.Equal(["0", "1", "2"], messages);
        Assert.Equal(StatusCode.Aborted, ex.StatusCode);
        Assert.Equal(TestService.UnicodeDetail, ex.Status.Detail);
        Assert.Equal(StatusCode.Aborted, call.GetStatus().StatusCode);
    }

    [Fact]
    public void GetStatus_CallRunning_Throws()
    {
        using var call = _channel.ServerStreaming(TestService.Endless, "x");

        Assert.Throws<InvalidOperationException>(() => call.GetStatus());
        Assert.Throws<InvalidOperationException>(() => call.GetTrailers());
    }

    [Fact]
    public async Task DuplexStreaming_AcksWithWindow_NeverExceedsWindow()
    {
        const int window = 5;
        const int total = 60;
        using var call = _channel.DuplexStreaming(TestService.Deliver);

        await call.RequestStream.WriteAsync($"open:{window}:{total}");
        Metadata headers = await call.ResponseHeadersAsync;
        int acksSent = 0;
        int received = 0;
        while (received < total && await call.ResponseStream.MoveNext(default))
        {
            int seq = int.Parse(call.ResponseStream.Current.AsSpan("delivery:".Length), CultureInfo.InvariantCulture);
            received++;
            Assert.Equal(received, seq);
            Assert.True(seq - acksSent <= window, $"delivery {seq} arrived with only {acksSent} acks sent (window {window})");
            await call.RequestStream.WriteAsync("ack:" + seq.ToString(CultureInfo.InvariantCulture));
            acksSent++;
        }
        Assert.False(await call.ResponseStream.MoveNext(default));

        Assert.NotNull(headers);
        Assert.Equal(total, received);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal(window.ToString(CultureInfo.InvariantCulture), call.GetTrailers().GetValue("x-max-in-flight"));
        Assert.Equal(total.ToString(CultureInfo.InvariantCulture), call.GetTrailers().GetValue("x-acked"));
    }

    [Fact]
    public async Task DuplexStreaming_HalfClose_ServerEndsOkAfterEchoes()
    {
        using var call = _channel.DuplexStreaming(TestService.Chat);

        await call.RequestStream.WriteAsync("a");
        await call.RequestStream.WriteAsync("b");
        Assert.True(await call.ResponseStream.MoveNext(default));
        Assert.Equal("echo:a", call.ResponseStream.Current);
        await call.RequestStream.WriteAsync("c");
        await call.RequestStream.CompleteAsync();
        var rest = await call.ResponseStream.ReadAllAsync().ToListAsync();

        Assert.Equal(["echo:b", "echo:c"], rest);
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
        Assert.Equal("3", call.GetTrailers().GetValue("x-count"));
        await Assert.ThrowsAsync<InvalidOperationException>(() => call.RequestStream.WriteAsync("late"));
    }

    [Fact]
    public async Task DuplexStreaming_HeadersWrittenWithoutMessages_ClientSeesThemAtOnce()
    {
        using var call = _channel.DuplexStreaming(TestService.Idle);

        await call.RequestStream.WriteAsync("open");
        var headers = await call.ResponseHeadersAsync.WaitAsync(WaitLimit);
        await call.RequestStream.CompleteAsync();

        Assert.Equal("yes", headers.GetValue("x-accepted"));
        Assert.False(await call.ResponseStream.MoveNext(default));
        Assert.Equal(StatusCode.OK, call.GetStatus().StatusCode);
    }

    [Fact]
    public async Task DuplexStreaming_BadFirstMessage_InvalidArgumentAndWritesSurfaceIt()
    {
        using var call = _channel.DuplexStreaming(TestService.Deliver);

        await call.RequestStream.WriteAsync("hello");
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(default));
        var writeEx = await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync("more"));

        Assert.Equal(StatusCode.InvalidArgument, ex.StatusCode);
        Assert.Equal(StatusCode.InvalidArgument, writeEx.StatusCode);
    }

    [Fact]
    public async Task Dispose_RunningDuplexCall_CancelledAndLaterWritesThrow()
    {
        var call = _channel.DuplexStreaming(TestService.Deliver);
        await call.RequestStream.WriteAsync("open:1:10");
        Assert.True(await call.ResponseStream.MoveNext(default));

        call.Dispose();

        Assert.Equal(StatusCode.Cancelled, call.GetStatus().StatusCode);
        await Assert.ThrowsAsync<RpcException>(() => call.RequestStream.WriteAsync("ack:1"));
    }

    [Fact]
    public async Task UnaryAsync_DeadlineServerSide_DeadlineExceeded()
    {
        var started = Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(TestService.WaitForCancel, "x", new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.InRange(started.Elapsed, TimeSpan.FromMilliseconds(250), WaitLimit);
        Assert.NotNull(_host.Service.LastDeadline);
        Assert.InRange(_host.Service.LastDeadline!.Value, DateTime.UtcNow.AddSeconds(-10), DateTime.UtcNow.AddSeconds(1));
    }

    [Fact]
    public async Task ServerStreaming_DeadlineMidStream_DeadlineExceededOnRead()
    {
        using var call = _channel.ServerStreaming(TestService.Endless, "x", new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300)));

        Assert.True(await call.ResponseStream.MoveNext(default));
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(default));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
    }

    [Fact]
    public async Task UnaryAsync_DeadlineAlreadyPassed_FailsWithoutCallingServer()
    {
        var ex = await Assert.ThrowsAsync<RpcException>(() =>
            _channel.UnaryAsync(TestService.Throw, "x", new CallOptions(Deadline: DateTime.UtcNow.AddSeconds(-1))));

        Assert.Equal(StatusCode.DeadlineExceeded, ex.StatusCode);
        Assert.Empty(_host.Logs.Errors);
    }

    [Fact]
    public async Task ServerStreaming_ClientCancelsMidStream_CancelledAndServerSeesAbortWithoutErrorLog()
    {
        using var cts = new CancellationTokenSource();
        using var call = _channel.ServerStreaming(TestService.Endless, "x", new CallOptions(CancellationToken: cts.Token));
        Assert.True(await call.ResponseStream.MoveNext(default));

        Task<bool> pending = call.ResponseStream.MoveNext(default);
        await cts.CancelAsync();
        var ex = await Assert.ThrowsAsync<RpcException>(() => pending);

        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        await WaitUntil(() => _host.Service.EndlessAborted == 1);
        Assert.Empty(_host.Logs.Errors);
    }

    [Fact]
    public async Task ServerStreaming_ReadTokenCanceled_CancelsCall()
    {
        using var call = _channel.ServerStreaming(TestService.Endless, "x");
        Assert.True(await call.ResponseStream.MoveNext(default));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(cts.Token));

        Assert.Equal(StatusCode.Cancelled, ex.StatusCode);
        await WaitUntil(() => _host.Service.EndlessAborted == 1);
    }

    [Fact]
    public async Task ServerStreaming_ServerShutsDown_UnavailableQuickly()
    {
        await using GrpcTestHost host = await GrpcTestHost.StartAsync();
        using GrpcChannel channel = host.CreateChannel();
        var calls = Enumerable.Range(0, 3).Select(_ => channel.ServerStreaming(TestService.Endless, "x")).ToList();
        foreach (var call in calls)
        {
            Assert.True(await call.ResponseStream.MoveNext(default));
        }
        var watch = Stopwatch.StartNew();

        Task stopping = host.StopAsync();
        foreach (var call in calls)
        {
            var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(default));
            Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
            Assert.Equal("Server is shutting down", ex.Status.Detail);
            call.Dispose();
        }
        await stopping;

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(5), $"shutdown took {watch.Elapsed}");
        Assert.Empty(host.Logs.Errors);
    }

    [Fact]
    public async Task ServerStreaming_ThousandConcurrentStreams_AllReceiveFirstMessage()
    {
        var calls = Enumerable.Range(0, 1000).Select(_ => _channel.ServerStreaming(TestService.Endless, "x")).ToList();
        try
        {
            bool[] first = await Task.WhenAll(calls.Select(c => c.ResponseStream.MoveNext(default))).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.All(first, Assert.True);
            Assert.All(calls, c => Assert.Equal("first", c.ResponseStream.Current));
        }
        finally
        {
            calls.ForEach(c => c.Dispose());
        }
        await WaitUntil(() => _host.Service.EndlessAborted == 1000, TimeSpan.FromSeconds(30));
    }

    [Fact]
    public async Task ServerStreaming_SlowReader_ServerBlockedByFlowControlThenResumes()
    {
        const int count = 2000;
        using var call = _channel.ServerStreaming(TestService.Produce, $"{count}:65536");
        Assert.True(await call.ResponseStream.MoveNext(default));

        // The server must stall well short of the end while nobody reads.
        int stalledAt = await WaitForStableValue(() => _host.Service.Produced);
        Assert.InRange(stalledAt, 1, count / 2);

        int received = 1;
        while (await call.ResponseStream.MoveNext(default))
        {
            received++;
        }
        Assert.Equal(count, received);
        Assert.Equal(count, _host.Service.Produced);
    }

    [Fact]
    public async Task UnaryAsync_ResponseOverClientLimit_ResourceExhausted()
    {
        using GrpcChannel channel = _host.CreateChannel(new GrpcChannelOptions { MaxReceiveMessageSize = 1000 });

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(TestService.Big, "1001"));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Fact]
    public async Task UnaryAsync_RequestOverClientSendLimit_ResourceExhaustedBeforeSending()
    {
        using GrpcChannel channel = _host.CreateChannel(new GrpcChannelOptions { MaxSendMessageSize = 10 });

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(TestService.Echo, new string('a', 11)));

        Assert.Equal(StatusCode.ResourceExhausted, ex.StatusCode);
    }

    [Theory]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(500, StatusCode.Unknown)]
    public async Task UnaryAsync_HttpErrorStatus_MappedToGrpcStatus(int httpStatus, StatusCode expected)
    {
        var method = new Method<string, string>(MethodType.Unary, "http-status", httpStatus.ToString(CultureInfo.InvariantCulture),
            TestService.StringMarshaller, TestService.StringMarshaller);

        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(method, "x"));

        Assert.Equal(expected, ex.StatusCode);
        Assert.Contains(httpStatus.ToString(CultureInfo.InvariantCulture), ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryAsync_ResponseWithoutStatus_Internal()
    {
        var method = new Method<string, string>(MethodType.Unary, "no-status", "x", TestService.StringMarshaller, TestService.StringMarshaller);

        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(method, "x"));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Equal("No grpc-status found on response.", ex.Status.Detail);
    }

    [Fact]
    public async Task UnaryAsync_NonGrpcContentType_Internal()
    {
        var method = new Method<string, string>(MethodType.Unary, "text-response", "x", TestService.StringMarshaller, TestService.StringMarshaller);

        var ex = await Assert.ThrowsAsync<RpcException>(() => _channel.UnaryAsync(method, "x"));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Contains("content-type", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UnaryAsync_NothingListening_Unavailable()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using GrpcChannel channel = GrpcChannel.ForAddress($"http://127.0.0.1:{port}");

        var ex = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(TestService.Echo, "x"));

        Assert.Equal(StatusCode.Unavailable, ex.StatusCode);
    }

    [Fact]
    public async Task DuplexStreaming_ResponseHeadersAfterFailure_ThrowsStatus()
    {
        var method = new Method<string, string>(MethodType.DuplexStreaming, "test.Missing", "Nope", TestService.StringMarshaller, TestService.StringMarshaller);
        using var call = _channel.DuplexStreaming(method);
        await call.RequestStream.CompleteAsync();

        Metadata headers = await call.ResponseHeadersAsync;
        var ex = await Assert.ThrowsAsync<RpcException>(() => call.ResponseStream.MoveNext(default));

        Assert.NotNull(headers);
        Assert.Equal(StatusCode.Unimplemented, ex.StatusCode);
    }

    [Fact]
    public async Task UnaryAsync_WrongMethodType_Throws()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _channel.UnaryAsync(TestService.Count, "x"));
        Assert.Throws<ArgumentException>(() => _channel.ServerStreaming(TestService.Echo, "x"));
        Assert.Throws<ArgumentException>(() => _channel.DuplexStreaming(TestService.Echo));
    }

    [Theory]
    [InlineData("ftp://host")]
    [InlineData("relative/path")]
    public void ForAddress_InvalidAddress_Throws(string address)
    {
        Assert.Throws<ArgumentException>(() => GrpcChannel.ForAddress(address));
    }

    private static async Task WaitUntil(Func<bool> condition, TimeSpan? limit = null)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > (limit ?? WaitLimit))
            {
                throw new TimeoutException("Condition not met in time.");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>Polls until the value stops changing for half a second (or fails after the wait limit).</summary>
    private static async Task<int> WaitForStableValue(Func<int> read)
    {
        var watch = Stopwatch.StartNew();
        int last = read();
        var stableSince = Stopwatch.StartNew();
        while (watch.Elapsed < WaitLimit)
        {
            await Task.Delay(50);
            int now = read();
            if (now != last)
            {
                last = now;
                stableSince.Restart();
            }
            else if (stableSince.Elapsed > TimeSpan.FromMilliseconds(500))
            {
                return now;
            }
        }
        throw new TimeoutException("The value kept changing.");
    }
}
