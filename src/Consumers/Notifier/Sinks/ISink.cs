namespace Bridge.Notifier.Sinks;

/// <summary>
/// A configured destination (one entry under <c>sinks:</c>): a chat webhook, an HTTP endpoint, an automation target.
/// Created by its kind's <see cref="ISinkFactory"/> from the configuration, replaced as a whole when the
/// configuration is reloaded.
/// </summary>
/// <remarks>
/// The delivery pipeline calls <see cref="DeliverAsync"/> for one event at a time per canary (per-canary order is kept
/// per sink), retries transient HTTP failures through the resilience handler of <see cref="SinkDefinition.Http"/>, and
/// treats a returned task as delivered. A sink reports a failure it cannot overcome by throwing
/// <see cref="SinkException"/>; any other exception counts as a failure too.
/// </remarks>
internal interface ISink
{
    /// <summary>The name the configuration gives the sink (the key under <c>sinks:</c>).</summary>
    string Name { get; }

    /// <summary>The kind (the <c>type:</c> value), e.g. <c>slack</c>.</summary>
    string Kind { get; }

    /// <summary>How route <c>message</c> templates are escaped for this sink (see <see cref="TextEscaping"/>).</summary>
    TextEscaping Escaping { get; }

    /// <summary>Delivers one message. Throws <see cref="SinkException"/> when the destination refused it.</summary>
    Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken);
}

/// <summary>Creates the sinks of one kind; registered in DI, chosen by <see cref="Kind"/>.</summary>
internal interface ISinkFactory
{
    /// <summary>The <c>type:</c> value this factory serves, lower case (<c>slack</c>, <c>msteams</c>, ...).</summary>
    string Kind { get; }

    /// <summary>
    /// Builds a sink from its configuration. Throws <see cref="NotifierConfigurationException"/> naming the key
    /// (<c>sinks.&lt;name&gt;.&lt;key&gt;</c>) when a value is missing or invalid.
    /// </summary>
    ISink Create(SinkDefinition definition);
}

/// <summary>How text rendered into a sink's message is escaped.</summary>
internal enum TextEscaping
{
    /// <summary>As is (log lines, plain text bodies).</summary>
    None = 0,

    /// <summary>Markdown-safe: characters with a meaning in chat Markdown are escaped (Teams, Discord, Mattermost, DingTalk, WeCom, Feishu).</summary>
    Markdown,

    /// <summary>HTML-safe (Google Chat card text).</summary>
    Html,

    /// <summary>Slack mrkdwn: only <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> are escaped (as entities); Slack shows backslashes literally.</summary>
    Slack,
}
