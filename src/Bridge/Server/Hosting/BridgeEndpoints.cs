using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Bridge.Server.Hosting;

/// <summary>
/// The addresses the host's Kestrel endpoints are bound to, by name. Known once the host started:
/// with port 0 the operating system picks the port, and this is where tests and the log learn it.
/// </summary>
internal sealed class BridgeEndpoints
{
    /// <summary>Name of the HTTP ingress endpoint.</summary>
    public const string IngressName = "Ingress";

    private readonly ConcurrentDictionary<string, ListenOptions> _endpoints = new(StringComparer.Ordinal);

    /// <summary>The bound address of the HTTP ingress, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    /// <exception cref="InvalidOperationException">The host has not started.</exception>
    public Uri Ingress => GetAddress(IngressName);

    /// <summary>Names of every registered endpoint.</summary>
    public IReadOnlyCollection<string> Names => [.. _endpoints.Keys.Order(StringComparer.Ordinal)];

    /// <summary>
    /// Remembers the listen options of an endpoint; Kestrel writes the actually bound port into them
    /// when it binds.
    /// </summary>
    /// <param name="name">The endpoint's name. Must not be null.</param>
    /// <param name="listenOptions">Kestrel's options of that endpoint. Must not be null.</param>
    public void Register(string name, ListenOptions listenOptions)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(listenOptions);
        _endpoints[name] = listenOptions;
    }

    /// <summary>The bound address of the endpoint <paramref name="name"/>.</summary>
    /// <exception cref="InvalidOperationException">No such endpoint, or the host has not started.</exception>
    public Uri GetAddress(string name)
    {
        if (!_endpoints.TryGetValue(name, out var options))
        {
            throw new InvalidOperationException($"No endpoint named '{name}' is configured (known: {string.Join(", ", Names)}).");
        }

        if (options.EndPoint is not IPEndPoint { Port: > 0 } endPoint)
        {
            throw new InvalidOperationException($"The {name} endpoint is not bound yet; its address is known once the host started.");
        }

        return new UriBuilder(Uri.UriSchemeHttp, endPoint.Address.ToString(), endPoint.Port).Uri;
    }
}
