using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Bridge.Server.Tests.Infrastructure;

public sealed class DockerEngineTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task Answers_UnixSocketAnsweringPing_True()
    {
        await using var engine = await FakeEngine.StartAsync(StatusCodes.Status200OK);

        Assert.True(DockerEngine.Answers(engine.Endpoint, Timeout));
    }

    [Fact]
    public async Task Answers_PingFails_False()
    {
        await using var engine = await FakeEngine.StartAsync(StatusCodes.Status500InternalServerError);

        Assert.False(DockerEngine.Answers(engine.Endpoint, Timeout));
    }

    [Fact]
    public void Answers_NoSocketFile_False()
    {
        Assert.False(DockerEngine.Answers(new Uri($"unix://{Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.sock")}"), Timeout));
    }

    [Fact]
    public void Answers_TcpPortNobodyListensOn_False()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        Assert.False(DockerEngine.Answers(new Uri($"tcp://127.0.0.1:{port}"), Timeout));
    }

    [Fact]
    public void Answers_PeerThatNeverAnswers_FalseOnceTheTimeoutPassed()
    {
        // Connections queue in the backlog and are never served.
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var stopwatch = Stopwatch.StartNew();

        var answers = DockerEngine.Answers(new Uri($"tcp://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}"), TimeSpan.FromMilliseconds(300));

        Assert.False(answers);
        Assert.InRange(stopwatch.Elapsed, TimeSpan.FromMilliseconds(250), Timeout);
    }

    [Fact]
    public void Endpoints_ThisEnvironment_DockerHostAloneWhenSetElseTheSystemSocketFirst()
    {
        var dockerHost = Environment.GetEnvironmentVariable("DOCKER_HOST");

        var endpoints = DockerEngine.Endpoints();

        Assert.Equal(string.IsNullOrEmpty(dockerHost) ? new Uri("unix:///var/run/docker.sock") : new Uri(dockerHost), endpoints[0]);
        Assert.True(string.IsNullOrEmpty(dockerHost) || endpoints.Count == 1);
    }

    /// <summary>Kestrel on a Unix socket answering <c>/_ping</c> with a fixed status, as the Docker engine's API does.</summary>
    private sealed class FakeEngine : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly string _socket;

        private FakeEngine(WebApplication app, string socket)
        {
            _app = app;
            _socket = socket;
        }

        public Uri Endpoint => new($"unix://{_socket}");

        public static async Task<FakeEngine> StartAsync(int status)
        {
            var socket = Path.Combine(Path.GetTempPath(), $"engine-{Guid.NewGuid():N}.sock");
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.ConfigureKestrel(o => o.ListenUnixSocket(socket));
            var app = builder.Build();
            app.MapGet("/_ping", () => Results.Text("OK", statusCode: status));
            await app.StartAsync();
            return new FakeEngine(app, socket);
        }

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            File.Delete(_socket);
        }
    }
}
