using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace Bridge.Testing;

/// <summary>Keeps every log entry of a test host so tests can assert what was (not) logged.</summary>
public sealed class LogCollector : ILoggerProvider
{
    public ConcurrentQueue<LogEntry> Entries { get; } = new();

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    public IReadOnlyList<LogEntry> Errors => Entries.Where(e => e.Level >= LogLevel.Error).ToList();

    public bool Has(int eventId) => Entries.Any(e => e.EventId.Id == eventId);

    public sealed record LogEntry(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception);

    private sealed class Logger(LogCollector owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            owner.Entries.Enqueue(new LogEntry(category, logLevel, eventId, formatter(state, exception), exception));
    }
}
