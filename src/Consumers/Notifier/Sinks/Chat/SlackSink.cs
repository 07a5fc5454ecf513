using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// <c>type: slack</c>. With <c>url</c> (an incoming webhook) it posts the Block Kit layout to the webhook; with a bot
/// <c>token</c> and a <c>channel</c> it calls <c>chat.postMessage</c> and keeps one thread per rollout
/// (<see cref="SlackBotSink"/>).
/// </summary>
internal sealed class SlackSinkFactory : ISinkFactory
{
    public string Kind => "slack";

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri? url = definition.GetUrl("url");
        string? token = definition.GetSecret("token");
        string? iconEmoji = definition.GetString("iconEmoji");
        Uri? iconUrl = ChatConfig.PublicUrl(definition, "iconUrl");
        if (iconEmoji is not null && iconUrl is not null)
        {
            throw definition.Error("iconUrl", "set either iconEmoji or iconUrl, not both");
        }
        var identity = new SlackIdentity(definition.GetString("channel"), definition.GetString("username"), iconEmoji, iconUrl);
        if (url is not null && token is not null)
        {
            throw definition.Error("token", "set either url (an incoming webhook) or token (a bot), not both");
        }
        if (url is not null)
        {
            return new SlackWebhookSink(definition.Name, url, identity, definition.Http);
        }
        if (token is null)
        {
            throw definition.Error("url", "is required (or urlFile, urlEnv) for an incoming webhook; a bot needs token (or tokenFile, tokenEnv) and channel");
        }
        if (identity.Channel is null)
        {
            throw definition.Error("channel", "is required with a bot token");
        }
        Uri apiUrl = ChatConfig.PublicUrl(definition, "apiUrl") ?? new Uri("https://slack.com/api/");
        if (!apiUrl.AbsoluteUri.EndsWith('/'))
        {
            // chat.postMessage is resolved relative to it: without the slash the last segment would be replaced.
            apiUrl = new Uri(apiUrl.AbsoluteUri + "/");
        }
        bool threads = definition.GetBool("threads", defaultValue: true);
        int capacity = definition.GetInt("threadCapacity", 10_000, min: 1, max: 1_000_000);
        ILogger logger = definition.Services.GetService<ILoggerFactory>()?.CreateLogger<SlackBotSink>() ?? NullLogger<SlackBotSink>.Instance;
        SlackThreadStore? store = threads
            ? new SlackThreadStore(capacity, ThreadFile(definition), definition.Name, logger)
            : null;
        return new SlackBotSink(definition.Name, apiUrl, token, identity, store, definition.Http, logger);
    }

    private static string? ThreadFile(SinkDefinition definition)
    {
        if (definition.DataDirectory is null)
        {
            return null;
        }
        Directory.CreateDirectory(definition.DataDirectory);
        // Sink names come from the configuration file: keep the file name portable whatever they contain.
        string safeName = string.Concat(definition.Name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));
        return Path.Combine(definition.DataDirectory, $"slack-threads-{safeName}.json");
    }
}

/// <summary>Who a Slack message is posted as, and where.</summary>
internal sealed record SlackIdentity(string? Channel, string? Username, string? IconEmoji, Uri? IconUrl);

/// <summary>Posts the default Block Kit message (or the route's body) to a Slack incoming webhook.</summary>
internal sealed class SlackWebhookSink(string name, Uri url, SlackIdentity identity, HttpClient http) : ISink
{
    public string Name => name;

    public string Kind => "slack";

    public TextEscaping Escaping => TextEscaping.Slack;

    public Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ChatContent content = ChatContent.From(message, SlackText.Escape);
        SlackPayload payload = SlackLayout.Build(content, identity.Channel, identity.Username, identity.IconEmoji, identity.IconUrl);
        // Incoming webhooks answer "ok" or a 4xx with the error's name, so the status says everything.
        return ChatHttp.PostAsync(http, url, message, payload, name, cancellationToken);
    }
}
