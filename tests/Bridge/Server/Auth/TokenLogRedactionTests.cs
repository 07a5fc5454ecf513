using System.Collections.Concurrent;
using System.Net;
using Bridge.Server.Tests.Hosting;
using Bridge.Server.Tests.Ingress;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Tests.Auth;

/// <summary>
/// Tokens presented as <c>?token=</c> never reach a log: not ASP.NET Core's request logs, not Kestrel's
/// bad-request details, at any level, in the message, the structured state or an exception.
/// </summary>
public sealed class TokenLogRedactionTests
{
    private const string Token = "query-secret-0123456789";
    private const string UnknownToken = "unknown-secret-9876543210";

    [Fact]
    public async Task QueryToken_EveryCategoryAtTrace_NeverLogged()
    {
        var capture = new StateCapture();
        await using var server = await BridgeTestServer.StartAsync(
            new Dictionary<string, string?>
            {
                ["Kafka:EmbeddedBrokers"] = "1",
                ["Logging:LogLevel:Default"] = "Trace",
                ["Logging:LogLevel:Microsoft.AspNetCore"] = "Trace",
                ["Logging:LogLevel:Bridge.Server.Hosting"] = "Trace",
                ["Logging:LogLevel:Bridge.Server.Auth"] = "Trace",
                ["Auth:Tokens:0:Name"] = "flagger",
                ["Auth:Tokens:0:Token"] = Token,
            },
            builder => builder.Services.AddSingleton<ILoggerProvider>(capture));

        var accepted = await server.PostJsonAsync($"/v1/flagger/events?token={Token}", FlaggerPayloads.Event(timestamp: 1736500007000));
        var encodedName = await server.PostJsonAsync($"/v1/flagger/events?%74oken={Token}&x=1", FlaggerPayloads.Event(timestamp: 1736500007001));
        var rejected = await server.PostJsonAsync($"/v1/flagger/events?TOKEN={UnknownToken}", FlaggerPayloads.Event(timestamp: 1736500007002));
        var malformed = await RawHttp.SendAsync(server.Address, $"GET /healthz?token={UnknownToken} HTTP/1.1 x\r\nHost: bridge\r\n\r\n");
        await Wait.UntilAsync(() => capture.Entries.Any(e => e.Text.Contains("bad request", StringComparison.OrdinalIgnoreCase)), "Kestrel logged the malformed request");

        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, encodedName.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, rejected.StatusCode);
        Assert.Equal(400, malformed.Status);
        var entries = capture.Entries;
        Assert.Contains(entries, e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics" && e.Text.Contains("/v1/flagger/events?token=", StringComparison.Ordinal));
        Assert.Contains(entries, e => e.Level == LogLevel.Trace);
        Assert.All(entries, e =>
        {
            Assert.DoesNotContain(Token, e.Text, StringComparison.Ordinal);
            Assert.DoesNotContain(UnknownToken, e.Text, StringComparison.Ordinal);
        });
    }

    /// <summary>Records every entry with its message, structured state values and exception text.</summary>
    private sealed class StateCapture : ILoggerProvider
    {
        private readonly ConcurrentQueue<Entry> _entries = new();

        public IReadOnlyList<Entry> Entries => [.. _entries];

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        public sealed record Entry(string Category, LogLevel Level, string Text);

        private sealed class Logger(StateCapture owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var text = formatter(state, exception);
                if (state is IEnumerable<KeyValuePair<string, object?>> values)
                {
                    text += " | " + string.Join(" | ", values.Select(v => $"{v.Key}={v.Value}"));
                }

                if (exception is not null)
                {
                    text += " | " + exception;
                }

                owner._entries.Enqueue(new Entry(category, logLevel, text));
            }
        }
    }
}
