using System.Globalization;
using Bridge.Grpc.Health;
using Bridge.Grpc.Health.V1;
using Bridge.Grpc.Tests.Infrastructure;
using ServingStatus = Bridge.Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Grpc.Tests.Interop;

/// <summary>Our server against a grpcio client, and our client against a grpcio server.</summary>
public sealed class PythonInteropTests(PythonPeer peer) : IClassFixture<PythonPeer>
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task GrpcioClient_AgainstOurServer_AllChecksPass()
    {
        peer.EnsureAvailable();
        await using GrpcTestHost host = await GrpcTestHost.StartAsync();
        host.Health.SetStatus("interop", ServingStatus.Serving);

        using ScriptProcess client = peer.Start("interop_client.py", host.Address.Port.ToString(CultureInfo.InvariantCulture), peer.StubDirectory);
        await client.WaitForLineAsync(line => line == "WATCHING", Limit);
        host.Health.SetStatus("interop", ServingStatus.NotServing);
        await client.WaitForLineAsync(line => line == "ALL OK", Limit);

        Assert.Equal(0, await client.WaitForExitAsync(Limit));
        Assert.DoesNotContain(host.Logs.Errors, e => e.EventId.Id != 204);
        Assert.True(host.Service.EndlessAborted >= 1, "the server did not see the grpcio cancel");
    }

    [Fact]
    public async Task OurClient_AgainstGrpcioServer_HealthStreamsErrorsAndDuplexWork()
    {
        peer.EnsureAvailable();
        using ScriptProcess server = peer.Start("interop_server.py", peer.StubDirectory);
        string portLine = await server.WaitForLineAsync(line => line.StartsWith("PORT ", StringComparison.Ordinal), Limit);
        using GrpcChannel channel = GrpcChannel.ForAddress("http://127.0.0.1:" + portLine["PORT ".Length..]);

        // Health Check and Watch.
        HealthCheckResponse check = await channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest());
        Assert.Equal(ServingStatus.Serving, check.Status);
        var notFound = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(HealthService.CheckMethod, new HealthCheckRequest { Service = "nope" }));
        Assert.Equal(StatusCode.NotFound, notFound.StatusCode);
        using (var watch = channel.ServerStreaming(HealthService.WatchMethod, new HealthCheckRequest()))
        {
            Assert.True(await watch.ResponseStream.MoveNext(default));
            Assert.Equal(ServingStatus.Serving, watch.ResponseStream.Current.Status);
        }

        // Server streaming, then an error after messages.
        using (var count = channel.ServerStreaming(TestService.Count, "50"))
        {
            List<string> messages = await count.ReadAllAsync().ToListAsync();
            Assert.Equal(50, messages.Count);
            Assert.Equal(StatusCode.OK, count.GetStatus().StatusCode);
        }
        using (var failing = channel.ServerStreaming(TestService.FailAfter, "3"))
        {
            var received = new List<string>();
            var ex = await Assert.ThrowsAsync<RpcException>(async () =>
            {
                await foreach (string m in failing.ReadAllAsync())
                {
                    received.Add(m);
                }
            });
            Assert.Equal(["0", "1", "2"], received);
            Assert.Equal(StatusCode.Aborted, ex.StatusCode);
            Assert.Equal(TestService.UnicodeDetail, ex.Status.Detail);
        }

        // Metadata round trip (string and -bin) through the trailers of a one-message stream.
        var echoAsStream = new Method<string, string>(MethodType.ServerStreaming, TestService.Name, "Echo",
            TestService.StringMarshaller, TestService.StringMarshaller);
        var headers = new Metadata { { "x-echo", "v" }, { "x-data-bin", new byte[] { 0, 1, 2, 255 } } };
        using (var echo = channel.ServerStreaming(echoAsStream, "hi", new CallOptions(Headers: headers)))
        {
            Assert.Equal(["hi"], await echo.ReadAllAsync().ToListAsync());
            Assert.Equal("v", echo.GetTrailers().GetValue("x-echo"));
            Assert.Equal(new byte[] { 0, 1, 2, 255 }, echo.GetTrailers().GetValueBytes("x-data-bin"));
        }

        // Duplex with half-close: grpcio sends no headers before its first response, so write first.
        using (var chat = channel.DuplexStreaming(TestService.Chat))
        {
            await chat.RequestStream.WriteAsync("a");
            Assert.True(await chat.ResponseStream.MoveNext(default));
            Assert.Equal("echo:a", chat.ResponseStream.Current);
            await chat.RequestStream.WriteAsync("b");
            await chat.RequestStream.CompleteAsync();
            Assert.Equal(["echo:b"], await chat.ResponseStream.ReadAllAsync().ToListAsync());
            Assert.Equal("2", chat.GetTrailers().GetValue("x-count"));
        }

        // Deadline enforced by both sides.
        var deadline = await Assert.ThrowsAsync<RpcException>(() =>
            channel.UnaryAsync(TestService.WaitForCancel, "x", new CallOptions(Deadline: DateTime.UtcNow.AddMilliseconds(300))));
        Assert.Equal(StatusCode.DeadlineExceeded, deadline.StatusCode);

        // An unknown method on a foreign server.
        var missing = await Assert.ThrowsAsync<RpcException>(() => channel.UnaryAsync(TestService.Throw, "x"));
        Assert.Equal(StatusCode.Unimplemented, missing.StatusCode);

        server.CloseInput();
        Assert.Equal(0, await server.WaitForExitAsync(Limit));
    }
}
