using System.Net.Sockets;

namespace Bridge.Server.Tests.Infrastructure;

/// <summary>Whether a Docker engine answers, asked the way the Docker CLI finds it.</summary>
internal static class DockerEngine
{
    /// <summary>
    /// Where an engine may listen: <c>DOCKER_HOST</c> when set (<c>unix://</c> or <c>tcp://</c>), else the
    /// system socket and the rootless one of the current user.
    /// </summary>
    public static IReadOnlyList<Uri> Endpoints()
    {
        if (Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } host)
        {
            return [new Uri(host)];
        }

        var endpoints = new List<Uri> { new("unix:///var/run/docker.sock") };
        if (Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } runtime)
        {
            endpoints.Add(new Uri($"unix://{Path.Combine(runtime, "docker.sock")}"));
        }

        return endpoints;
    }

    /// <summary>True when the engine at <paramref name="endpoint"/> answers <c>GET /_ping</c> with a success within <paramref name="timeout"/>.</summary>
    public static bool Answers(Uri endpoint, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        if (endpoint.Scheme == "unix" && !File.Exists(endpoint.AbsolutePath))
        {
            return false;
        }

        using var handler = new SocketsHttpHandler();
        Uri ping;
        if (endpoint.Scheme == "unix")
        {
            var socketPath = endpoint.AbsolutePath;
            handler.ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
            ping = new Uri("http://docker/_ping");
        }
        else if (endpoint.Scheme == "tcp")
        {
            ping = new Uri($"http://{endpoint.Authority}/_ping");
        }
        else
        {
            return false;
        }

        using var client = new HttpClient(handler, disposeHandler: false) { Timeout = timeout };
        try
        {
            using var response = client.GetAsync(ping).GetAwaiter().GetResult();
            return response.IsSuccessStatusCode;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or SocketException or IOException)
        {
            return false;
        }
    }
}
