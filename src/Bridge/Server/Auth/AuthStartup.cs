using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Auth;

/// <summary>
/// Loads the tokens when the service starts (so an unreadable file fails the start, not the first
/// request) and says once whether the ingress is open.
/// </summary>
internal sealed class AuthStartup(TokenAuthenticator authenticator, ILogger<AuthStartup> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (authenticator.IsOpen)
        {
            AuthLog.OpenIngress(logger);
        }
        else
        {
            var names = authenticator.TokenNames;
            AuthLog.TokensLoaded(logger, names.Count, names);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
