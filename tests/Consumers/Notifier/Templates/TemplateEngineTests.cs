using System.Text.Json;
using Bridge.Notifier.Model;
using Bridge.Notifier.Templates;

namespace Bridge.Notifier.Tests.Templates;

public sealed class TemplateEngineTests
{
    private static readonly string Hostile =
        "He said \"stop\"\nthen \\ left {{ canary }} {% raw %} </script> <b>*bold*</b> _x_ `code` [link](http://x) \u00e9\u4e2d\U0001F680 \u0001\t"
        + new string('x', 64 * 1024);

    private readonly TemplateEngine _engine = new();

    [Fact]
    public async Task Render_JsonBodyWithHostileMessage_StaysValidJsonAndKeepsTheText()
    {
        var template = _engine.Compile("{\"text\": \"{{ message }}\", \"canary\": \"{{ canary }}\", \"meta\": \"{{ metadata.eventType }}\"}", "routes[0].body");

        string body = await template.RenderAsync(Model(Hostile), OutputEscaping.Json);

        using JsonDocument parsed = JsonDocument.Parse(body);
        Assert.Equal(Hostile, parsed.RootElement.GetProperty("text").GetString());
        Assert.Equal("podinfo", parsed.RootElement.GetProperty("canary").GetString());
        Assert.Equal("Normal", parsed.RootElement.GetProperty("meta").GetString());
    }

    [Fact]
    public async Task Render_Markdown_EscapesFormattingCharacters()
    {
        var template = _engine.Compile("*{{ canary }}*: {{ message }}", "routes[0].message");

        string text = await template.RenderAsync(Model("a *b* _c_ [d](e) `f` <g> #h |i| ~j~ \\k"), OutputEscaping.Markdown);

        Assert.Equal("*podinfo*: a \\*b\\* \\_c\\_ \\[d\\]\\(e\\) \\`f\\` \\<g\\> \\#h \\|i\\| \\~j\\~ \\\\k", text);
    }

    [Fact]
    public async Task Render_Slack_EscapesOnlyItsControlCharactersAsEntities()
    {
        var template = _engine.Compile("*{{ canary }}*: {{ message }}", "routes[0].message");

        string text = await template.RenderAsync(Model("<!channel> a & b *c* \\d \U0001F680"), OutputEscaping.Slack);

        Assert.Equal("*podinfo*: &lt;!channel&gt; a &amp; b *c* \\d \U0001F680", text);
    }

    [Fact]
    public async Task Render_Html_EscapesMarkupKeepsUnicode()
    {
        var template = _engine.Compile("<b>{{ message }}</b>", "routes[0].message");

        string text = await template.RenderAsync(Model("<script>\"x\" & \u00e9</script>"), OutputEscaping.Html);

        Assert.Equal("<b>&lt;script&gt;&quot;x&quot; &amp; \u00e9&lt;/script&gt;</b>", text);
    }

    [Fact]
    public async Task Render_None_WritesTextAsIs()
    {
        var template = _engine.Compile("{{ message }}", "routes[0].message");

        Assert.Equal("a \"b\" *c*", await template.RenderAsync(Model("a \"b\" *c*"), OutputEscaping.None));
    }

    [Fact]
    public async Task Render_ExposesEveryField()
    {
        const string source = "{{ id }}|{{ source }}|{{ type }}|{{ shorttype }}|{{ subject }}|{{ time | date: '%Y-%m-%d' }}|{{ namespace }}|{{ canary }}|{{ phase }}|{{ severity }}|{{ cluster }}|{{ checksum }}|{{ eventtype }}|{{ title }}|{{ data.name }}|{{ metadata.jiraProject }}|{{ extensions.partitionkey }}|{{ links.dashboard }}|{{ route }}";
        var template = _engine.Compile(source, "routes[0].message");
        var notification = Notification.From(Events.Flagger("rolledback", id: "id-1", severity: "error", phase: "Failed")).WithDefaultCluster("prod-eu");

        string text = await template.RenderAsync(TemplateModel.Create(notification, "r1", new Dictionary<string, string> { ["dashboard"] = "https://grafana/d/1" }), OutputEscaping.None);

        Assert.Equal("id-1|/flagger/test|app.flagger.canary.rolledback|rolledback|prod/podinfo|2026-12-01|prod|podinfo|Failed|error|prod-eu|abc|Normal|podinfo.prod|podinfo|OPS|prod/podinfo|https://grafana/d/1|r1", text);
    }

    [Theory]
    [InlineData("{{ 3725 | duration }}", "1h 2m 5s")]
    [InlineData("{{ 0.25 | duration }}", "250ms")]
    [InlineData("{{ '00:01:30' | duration }}", "1m 30s")]
    [InlineData("{{ 90061 | duration }}", "1d 1h 1m 1s")]
    public async Task Render_DurationFilter(string source, string expected)
    {
        var template = _engine.Compile(source, "t");

        Assert.Equal(expected, await template.RenderAsync(Model("m"), OutputEscaping.None));
    }

    [Fact]
    public async Task Render_SinceFilter_DurationFromEventTimeToNow()
    {
        var clock = new FixedClock(new DateTimeOffset(2026, 12, 1, 10, 5, 30, TimeSpan.Zero));
        var template = new TemplateEngine(clock).Compile("{{ time | since }}", "t");

        Assert.Equal("5m 30s", await template.RenderAsync(Model("m"), OutputEscaping.None));
    }

    [Fact]
    public void Compile_DoesNotParse_ErrorNamesPathAndPosition()
    {
        var error = Assert.Throws<NotifierConfigurationException>(() => _engine.Compile("line one\n{% if canary %}never closed", "routes[3].message"));

        Assert.StartsWith("routes[3].message: the template does not parse:", error.Message, StringComparison.Ordinal);
        Assert.Contains("(2:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Render_Include_ReadsNoFile()
    {
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, "secret.liquid"), "SECRET");
        var template = _engine.Compile("[{% include 'secret' %}]", "t");

        // The sandbox has no file system: the include fails instead of reading the file next to the process.
        await Assert.ThrowsAsync<FileNotFoundException>(async () => await template.RenderAsync(Model("m"), OutputEscaping.None));
    }

    [Fact]
    public async Task Render_EndlessOutput_Stopped()
    {
        var template = _engine.Compile("{% for i in (1..100000) %}{{ message }}{% endfor %}", "routes[0].body");

        var error = await Assert.ThrowsAnyAsync<Exception>(async () => await template.RenderAsync(Model(new string('m', 1000)), OutputEscaping.None));

        Assert.True(error is InvalidOperationException, error.ToString());
    }

    private static Dictionary<string, object?> Model(string message) =>
        TemplateModel.Create(Notification.From(Events.Flagger(message: message)), "r");

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
