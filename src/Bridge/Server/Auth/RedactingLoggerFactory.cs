using System.Collections;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Auth;

/// <summary>
/// The host's logger factory with <see cref="TokenRedactor"/> in front of every provider: each entry
/// that is logged at all has tokens removed from its message, its structured values and its exception
/// text before any provider (console, JSON, OpenTelemetry) sees it.
/// </summary>
/// <remarks>
/// It wraps the factory rather than the providers so that providers added after the bridge's own
/// registrations are covered too. Entries without a token pass through unchanged; the cost is one extra
/// formatting of entries that are enabled, and nothing for disabled ones. Scopes pass through: the
/// scopes ASP.NET Core opens carry the request path, never the query.
/// </remarks>
internal sealed class RedactingLoggerFactory(ILoggerFactory inner, TokenRedactor redactor) : ILoggerFactory
{
    public ILogger CreateLogger(string categoryName) => new RedactingLogger(inner.CreateLogger(categoryName), redactor);

    public void AddProvider(ILoggerProvider provider) => inner.AddProvider(provider);

    public void Dispose() => inner.Dispose();

    private sealed class RedactingLogger(ILogger inner, TokenRedactor redactor) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => inner.BeginScope(state);

        public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!inner.IsEnabled(logLevel))
            {
                return;
            }

            var message = formatter(state, exception);
            var safeMessage = redactor.Redact(message);
            var values = state as IReadOnlyList<KeyValuePair<string, object?>>;
            var safeValues = values is null ? null : RedactValues(values);
            var safeException = exception is null ? null : RedactException(exception);
            if (safeMessage is null && safeValues is null && safeException is null)
            {
                inner.Log(logLevel, eventId, state, exception, formatter);
                return;
            }

            var safeState = new RedactedState(safeMessage ?? message, safeValues ?? (values is null ? [] : [.. values]));
            inner.Log(logLevel, eventId, safeState, safeException ?? exception, static (s, _) => s.Message);
        }

        private KeyValuePair<string, object?>[]? RedactValues(IReadOnlyList<KeyValuePair<string, object?>> values)
        {
            KeyValuePair<string, object?>[]? result = null;
            for (var i = 0; i < values.Count; i++)
            {
                var (key, value) = values[i];
                var text = value switch
                {
                    null or bool or char or IFormattable => null,
                    string s => s,
                    _ => value.ToString(),
                };
                if (redactor.Redact(text) is { } safe)
                {
                    result ??= [.. values];
                    result[i] = new KeyValuePair<string, object?>(key, safe);
                }
            }

            return result;
        }

        private RedactedException? RedactException(Exception exception) =>
            redactor.Redact(exception.ToString()) is { } safe ? new RedactedException(exception.GetType(), safe) : null;
    }

    /// <summary>The structured state of a redacted entry: its values (for JSON and OpenTelemetry) and its message.</summary>
    private sealed class RedactedState(string message, KeyValuePair<string, object?>[] values) : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public string Message { get; } = message;

        public int Count => values.Length;

        public KeyValuePair<string, object?> this[int index] => values[index];

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => ((IEnumerable<KeyValuePair<string, object?>>)values).GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => Message;
    }
}

/// <summary>Stands in for a logged exception whose text held a token: it prints as the original did, minus the token.</summary>
internal sealed class RedactedException(Type original, string text) : Exception($"{original.FullName} (redacted)")
{
    /// <summary>The type of the exception that was logged.</summary>
    public Type OriginalType { get; } = original;

    public override string ToString() => text;
}
