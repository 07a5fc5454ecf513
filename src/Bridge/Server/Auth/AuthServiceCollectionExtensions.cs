using Bridge.Server.Auth;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the bridge's token authentication.</summary>
internal static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AuthOptions"/> (section <c>Auth</c>, validated at start) and registers
    /// <see cref="ITokenAuthenticator"/>. Calling it twice registers it once.
    /// </summary>
    public static IServiceCollection AddBridgeAuth(this IServiceCollection services)
    {
        if (services.Any(d => d.ServiceType == typeof(TokenAuthenticator)))
        {
            // Binding the section again would add every configured token a second time.
            return services;
        }

        services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>());
        services.TryAddSingleton<TokenAuthenticator>();
        services.TryAddSingleton<ITokenAuthenticator>(sp => sp.GetRequiredService<TokenAuthenticator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, AuthStartup>());
        return services;
    }
}
