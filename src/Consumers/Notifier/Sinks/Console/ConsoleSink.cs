using Bridge.Notifier.Model;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridge.Notifier.Sinks.Console;

/// <summary>Writes each notification as a log line (<c>type: console</c>): the default when nothing is configured.</summary>
internal sealed class ConsoleSink(string name, ILogger logger) : ISink
{
    public string Name { get; } = name;

    public string Kind => ConsoleSinkFactory.KindName;

    public TextEscaping Escaping => TextEscaping.None;

    public Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        Notification n = message.Notification;
        if (!logger.IsEnabled(LogLevel.Information))
        {
            return Task.CompletedTask;
        }
        string severity = Notification.SeverityName(n.Severity);
        string title = n.Title;
        string type = n.ShortType;
        string text = message.Body ?? message.TextOrDefault;
        NotifierLog.ConsoleNotification(logger, Name, severity, title, type, text);
        return Task.CompletedTask;
    }
}

internal sealed class ConsoleSinkFactory : ISinkFactory
{
    public const string KindName = "console";

    public string Kind => KindName;

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ILoggerFactory loggers = definition.Services.GetRequiredService<ILoggerFactory>();
        return new ConsoleSink(definition.Name, loggers.CreateLogger("Bridge.Notifier.Console"));
    }
}
