using System.Net;
using System.Net.Sockets;

namespace Bridge.Server.Tests.Kafka;

/// <summary>
/// Makes a Kafka cluster appear at an address nobody listened on: listens on a loopback port and pipes every
/// connection to the cluster's first broker. Only the bootstrap connection goes through it; the metadata the
/// broker answers names the brokers' own addresses, which clients then connect to directly.
/// </summary>
internal sealed class TcpForwarder : IDisposable
{
    private readonly TcpListener _listener;
    private readonly IPEndPoint _target;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<TcpClient> _clients = [];
    private readonly Task _accepting;

    /// <param name="port">The loopback port to listen on.</param>
    /// <param name="bootstrapServers">The cluster's bootstrap servers (<c>127.0.0.1:port,...</c>); the first is used.</param>
    public TcpForwarder(int port, string bootstrapServers)
    {
        var first = bootstrapServers.Split(',')[0];
        _target = IPEndPoint.Parse(first);
        _listener = new TcpListener(IPAddress.Loopback, port);
        _listener.Start();
        _accepting = AcceptAsync();
    }

    /// <summary>A loopback port free at the time of the call (nothing listens on it afterwards).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        lock (_clients)
        {
            foreach (var client in _clients)
            {
                client.Dispose();
            }
        }

        try
        {
            _accepting.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The accept loop ends with the listener; how it ended does not matter here.
        }

        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient inbound;
            try
            {
                inbound = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            var outbound = new TcpClient();
            lock (_clients)
            {
                _clients.Add(inbound);
                _clients.Add(outbound);
            }

            _ = PipeAsync(inbound, outbound);
        }
    }

    private async Task PipeAsync(TcpClient inbound, TcpClient outbound)
    {
        try
        {
            await outbound.ConnectAsync(_target, _stop.Token);
            var a = inbound.GetStream();
            var b = outbound.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or IOException or ObjectDisposedException)
        {
            // The cluster or the client went away: close both sides.
        }
        finally
        {
            inbound.Dispose();
            outbound.Dispose();
        }
    }
}
