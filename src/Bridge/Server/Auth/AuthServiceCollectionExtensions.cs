using Bridge.Server.Auth;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the bridge's token authentication.</summary>
internal static class AuthServiceCollectionExtensions
{
    /// <summary>
    /// Binds <see cref="AuthOptions"/> (section <c>Auth</c>, validated at start) and registers
    /// <see cref="ITokenAuthenticator"/>, the <see cref="EventScope"/> rule of what a caller may publish
    /// (with the Flagger options it reserves the source of), and token redaction in front of every log
    /// provider. Calling it twice registers it once.
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
        services.TryAddSingleton<TokenRedactor>();
        services.TryAddSingleton<TokenAuthenticator>();
        services.TryAddSingleton<ITokenAuthenticator>(sp => sp.GetRequiredService<TokenAuthenticator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.Extensions.Hosting.IHostedService, AuthStartup>());
        services.AddFlaggerMapping();
        services.TryAddSingleton<EventScope>();
        AddTokenRedaction(services);
        return services;
    }

    // Wraps whichever logger factory is registered, so every category and every provider (also ones
    // added later) goes through the redactor.
    private static void AddTokenRedaction(IServiceCollection services)
    {
        services.AddLogging();
        var registered = services.Last(d => d.ServiceType == typeof(ILoggerFactory));
        services.Replace(ServiceDescriptor.Singleton<ILoggerFactory>(sp =>
            new RedactingLoggerFactory(CreateFactory(sp, registered), sp.GetRequiredService<TokenRedactor>())));
    }

    private static ILoggerFactory CreateFactory(IServiceProvider services, ServiceDescriptor registered)
    {
        if (registered.ImplementationInstance is ILoggerFactory instance)
        {
            return instance;
        }

        if (registered.ImplementationFactory is { } factory)
        {
            return (ILoggerFactory)factory(services);
        }

        if (registered.ImplementationType == typeof(LoggerFactory))
        {
            // The constructor the container itself would pick: providers, filter rules, factory options.
            return new LoggerFactory(
                services.GetServices<ILoggerProvider>(),
                services.GetRequiredService<IOptionsMonitor<LoggerFilterOptions>>(),
                services.GetService<IOptions<LoggerFactoryOptions>>(),
                services.GetService<IExternalScopeProvider>());
        }

        return (ILoggerFactory)ActivatorUtilities.CreateInstance(services, registered.ImplementationType!);
    }
}
