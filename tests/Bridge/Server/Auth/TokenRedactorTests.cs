using Bridge.Server.Auth;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Tests.Auth;

public sealed class TokenRedactorTests
{
    private const string Secret = "s3cr3t-token-0123456789";

    [Theory]
    [InlineData("POST http://h/v1/flagger/events?token=abc - application/json", "POST http://h/v1/flagger/events?token=[redacted] - application/json")]
    [InlineData("?a=1&token=abc&b=2", "?a=1&token=[redacted]&b=2")]
    [InlineData("?TOKEN=abc", "?TOKEN=[redacted]")]
    [InlineData("?%74oken=abc", "?%74oken=[redacted]")]
    [InlineData("?%54%4F%4B%45%4E=abc#frag", "?%54%4F%4B%45%4E=[redacted]#frag")]
    [InlineData("Invalid request line: 'GET /?token=abc HTTP/1.1\\x0D\\x0A'", "Invalid request line: 'GET /?token=[redacted] HTTP/1.1\\x0D\\x0A'")]
    [InlineData("\"QueryString\":\"?token=abc\"", "\"QueryString\":\"?token=[redacted]\"")]
    [InlineData("?x=1;token=abc", "?x=1;token=[redacted]")]
    public void Redact_TokenQueryParameter_ValueReplaced(string text, string expected) =>
        Assert.Equal(expected, new TokenRedactor().Redact(text));

    [Theory]
    [InlineData("no query here")]
    [InlineData("?tokens=abc")]
    [InlineData("?mytoken=abc")]
    [InlineData("?token=")]
    [InlineData("token=abc without a query")]
    [InlineData("?%zz=abc")]
    [InlineData("")]
    [InlineData(null)]
    public void Redact_NothingSecret_Null(string? text) =>
        Assert.Null(new TokenRedactor().Redact(text));

    [Fact]
    public void Redact_ConfiguredToken_ReplacedAnywhereAlsoEncoded()
    {
        var redactor = new TokenRedactor();
        redactor.Protect(["tok+en/with=odd&chars", Secret]);

        Assert.Equal("header said [redacted].", redactor.Redact($"header said {Secret}."));
        Assert.Equal("/path/[redacted]/x", redactor.Redact("/path/tok%2Ben%2Fwith%3Dodd%26chars/x"));
        Assert.Equal("raw [redacted]", redactor.Redact("raw tok+en/with=odd&chars"));
        Assert.Null(redactor.Redact("s3cr3t-token-012345678 is shorter"));
    }

    [Fact]
    public void Protect_Twice_KeepsEarlierTokens()
    {
        var redactor = new TokenRedactor();
        redactor.Protect(["first-token-0123456789"]);
        redactor.Protect(["second-token-0123456789"]);

        Assert.Equal("[redacted] [redacted]", redactor.Redact("first-token-0123456789 second-token-0123456789"));
    }

    [Fact]
    public void RedactingLoggerFactory_TokenInMessageValuesAndException_NoneReachesTheProvider()
    {
        var capture = new LogCollector();
        var redactor = new TokenRedactor();
        redactor.Protect([Secret]);
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(capture).SetMinimumLevel(LogLevel.Trace)), redactor);
        var logger = factory.CreateLogger("test");
        var request = new Values(("Url", $"/x?token={Secret}"), ("Count", 3));
        var failure = new InvalidOperationException($"failed for {Secret}");
        var plain = new Values(("Value", 42));

        logger.Log(LogLevel.Information, new EventId(7, "Request"), request, null, (s, _) => $"url {s[0].Value}");
        logger.Log(LogLevel.Warning, default, "Plain message", failure, (s, _) => s);
        logger.Log(LogLevel.Debug, default, plain, null, (s, _) => $"Nothing secret {s[0].Value}");

        var entries = capture.Entries;
        Assert.Equal(3, entries.Count);
        Assert.Equal("url /x?token=[redacted]", entries[0].Message);
        Assert.Equal(7, entries[0].EventId.Id);
        Assert.Equal("Plain message", entries[1].Message);
        var exception = Assert.IsType<RedactedException>(entries[1].Exception);
        Assert.Equal(typeof(InvalidOperationException), exception.OriginalType);
        Assert.Contains("System.InvalidOperationException: failed for [redacted]", exception.ToString(), StringComparison.Ordinal);
        Assert.Equal("Nothing secret 42", entries[2].Message);
        Assert.All(entries, e => Assert.DoesNotContain(Secret, e.Message + e.Exception, StringComparison.Ordinal));
    }

    [Fact]
    public void RedactingLoggerFactory_StateValues_RedactedForStructuredProviders()
    {
        var provider = new StateProvider();
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(provider)), new TokenRedactor());

        var values = new Values(("QueryString", "?token=abc"), ("Count", 3));

        factory.CreateLogger("test").Log(LogLevel.Information, default, values, null, (_, _) => "no token in the message");

        var state = Assert.Single(provider.States);
        KeyValuePair<string, object?>[] expected = [new("QueryString", "?token=[redacted]"), new("Count", 3)];
        Assert.Equal(expected, state);
    }

    [Fact]
    public void RedactingLoggerFactory_DisabledLevel_NotFormatted()
    {
        using var factory = new RedactingLoggerFactory(LoggerFactory.Create(b => b.AddProvider(new LogCollector()).SetMinimumLevel(LogLevel.Warning)), new TokenRedactor());

        factory.CreateLogger("test").Log(LogLevel.Debug, default, 0, null, (_, _) => throw new InvalidOperationException("formatted a disabled entry"));
    }

    private sealed class Values(params (string Key, object? Value)[] values) : List<KeyValuePair<string, object?>>(values.Select(v => new KeyValuePair<string, object?>(v.Key, v.Value)));

    private sealed class StateProvider : ILoggerProvider
    {
        public List<KeyValuePair<string, object?>[]> States { get; } = [];

        public ILogger CreateLogger(string categoryName) => new Logger(this);

        public void Dispose()
        {
        }

        private sealed class Logger(StateProvider owner) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                owner.States.Add([.. (IEnumerable<KeyValuePair<string, object?>>)state!]);
        }
    }
}
