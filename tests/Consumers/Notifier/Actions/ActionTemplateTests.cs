using Bridge.Notifier.Actions;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Tests.Actions;

public sealed class ActionTemplateTests : IDisposable
{
    private readonly ActionTestKit kit = new();

    public void Dispose() => kit.Dispose();

    private SinkDefinition Definition() => kit.Definition("s", "github", new Dictionary<string, string?>());

    [Fact]
    public void Render_AllPlaceholders_AreSubstituted()
    {
        ActionTemplate template = ActionTemplate.Parse(
            "{namespace}/{canary}@{checksum} {cluster} {phase} {outcome} {severity} {title} {idempotencyKey} {metadata.team}",
            Definition(), "k");

        string text = template.Render(ActionTestKit.Flagger("promoted", metadata: new Dictionary<string, string> { ["team"] = "web" }), "flagger-key");

        Assert.Equal("test/podinfo@85d557f47b prod-eu Succeeded promoted info podinfo.test flagger-key web", text);
    }

    [Fact]
    public void Render_WithEscape_EscapesValuesOnly()
    {
        ActionTemplate template = ActionTemplate.Parse("https://x.example/?q={metadata.q}&n={namespace}", Definition(), "k");

        string text = template.Render(ActionTestKit.Flagger("promoted", metadata: new Dictionary<string, string> { ["q"] = "a b&c" }), "", Uri.EscapeDataString);

        Assert.Equal("https://x.example/?q=a%20b%26c&n=test", text);
    }

    [Fact]
    public void Render_MissingMetadata_ThrowsNamingTheKey()
    {
        ActionTemplate template = ActionTemplate.Parse("{metadata.jiraVersion}", Definition(), "k");

        var error = Assert.Throws<ActionInputException>(() => template.Render(ActionTestKit.Flagger("promoted"), ""));

        Assert.Contains("'jiraVersion'", error.Message);
    }

    [Theory]
    [InlineData("{nope}", "unknown placeholder '{nope}'")]
    [InlineData("{metadata.}", "unknown placeholder")]
    [InlineData("a{canary", "not closed")]
    [InlineData("a}b", "closes no placeholder")]
    public void Parse_Invalid_ErrorNamesKeyAndProblem(string text, string problem)
    {
        var error = Assert.Throws<NotifierConfigurationException>(() => ActionTemplate.Parse(text, Definition(), "versionName"));

        Assert.Equal("sinks.s.versionName", error.Key);
        Assert.Contains(problem, error.Problem);
    }

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("2d", 172800)]
    [InlineData("00:05:00", 300)]
    public void Durations_TryParse_ReadsKubernetesStyle(string text, int seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Durations.TryParse(text));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("m5")]
    [InlineData("5 minutes")]
    [InlineData("-5m")]
    public void Durations_TryParse_RejectsOtherText(string text)
    {
        Assert.Null(Durations.TryParse(text));
    }
}
