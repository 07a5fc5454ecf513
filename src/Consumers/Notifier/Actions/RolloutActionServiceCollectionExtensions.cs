using Bridge.Notifier.Actions;
using Bridge.Notifier.Sinks;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the rollout action sinks (<c>jira</c>, <c>github</c>, <c>gitlab</c>) and their shared ledgers.</summary>
internal static class RolloutActionServiceCollectionExtensions
{
    public static IServiceCollection AddRolloutActions(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<ActionLedgers>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISinkFactory, JiraActionFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISinkFactory, GitHubActionFactory>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<ISinkFactory, GitLabActionFactory>());
        return services;
    }
}
