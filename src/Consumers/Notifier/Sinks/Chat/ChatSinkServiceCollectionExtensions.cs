using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Bridge.Notifier.Sinks.Chat;

internal static class ChatSinkServiceCollectionExtensions
{
    /// <summary>
    /// Registers the chat sink kinds: slack, msteams, teams, discord, gchat, rocket, mattermost, dingtalk, wecom,
    /// feishu and lark.
    /// </summary>
    public static IServiceCollection AddChatSinks(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddEnumerable(
        [
            ServiceDescriptor.Singleton<ISinkFactory, SlackSinkFactory>(),
            ServiceDescriptor.Singleton<ISinkFactory, MsTeamsSinkFactory>(),
            ServiceDescriptor.Singleton<ISinkFactory, TeamsSinkFactory>(),
            ServiceDescriptor.Singleton<ISinkFactory, DiscordSinkFactory>(),
            ServiceDescriptor.Singleton<ISinkFactory, GoogleChatSinkFactory>(),
            ServiceDescriptor.Singleton<ISinkFactory, RocketChatSinkFactory>(),
            ServiceDescriptor.Singleton<ISinkFactory, MattermostSinkFactory>(),
            ServiceDescriptor.Singleton<ISinkFactory, DingTalkSinkFactory>(),
            ServiceDescriptor.Singleton<ISinkFactory, WeComSinkFactory>(),
        ]);
        // Two kinds served by one class: TryAddEnumerable would take the second for a duplicate of the first.
        if (!services.Any(d => d.ServiceType == typeof(ISinkFactory) && d.ImplementationInstance is FeishuSinkFactory))
        {
            services.AddSingleton<ISinkFactory>(new FeishuSinkFactory("feishu"));
            services.AddSingleton<ISinkFactory>(new FeishuSinkFactory("lark"));
        }
        return services;
    }
}
