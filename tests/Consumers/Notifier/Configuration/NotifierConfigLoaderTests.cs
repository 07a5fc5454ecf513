using Bridge.Notifier.Configuration;
using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Sinks.CloudEvents;
using Bridge.Notifier.Sinks.Console;
using Bridge.Notifier.Sinks.Webhook;
using Bridge.Notifier.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Notifier.Tests.Configuration;

public sealed class NotifierConfigLoaderTests
{
    private const string Sinks = """
        sinks:
          hook:
            type: webhook
            url: http://127.0.0.1:9/hook
        """;

    [Fact]
    public void Load_NoFile_ConsoleSinkAndOneCatchAllRoute()
    {
        NotifierSettings settings = Loader().Load(null, "default");

        Assert.Equal("console", Assert.Single(settings.Sinks).Value.Sink.Kind);
        var route = Assert.Single(settings.Routes);
        Assert.Equal(["console"], route.Sinks);
        Assert.True(route.Match.Matches(Notification.From(Events.Flagger(severity: "info"))));
    }

    [Fact]
    public void Load_FullExample_ReadsEverySetting()
    {
        const string yaml = """
            cluster: prod-eu
            links:
              dashboard: "https://grafana.example.com/d/canary?var-ns={{ namespace }}"
            noise:
              duplicateWindow: 30s
              repeated: [approval.waiting]
            sinks:
              hook:
                type: webhook
                url: http://127.0.0.1:9/hook
                ratePerMinute: 30
              log:
                type: console
            routes:
              - name: prod-failures
                match:
                  severity: warn
                  namespaces: ["^prod-"]
                  excludeCanaries: ["-test$"]
                  types: ["app.flagger.canary."]
                  phases: [Failed]
                  message: "threshold"
                  filters:
                    - exact: { severity: error }
                    - not: { prefix: { canary: "tmp-" } }
                sinks: [hook, log]
                message: "{{ canary }} in {{ namespace }}: {{ message }}"
                body: '{"text": "{{ message }}"}'
                oncePerRollout: false
            """;

        NotifierSettings settings = Loader().Load(yaml, "notifier.yaml");

        Assert.Equal("prod-eu", settings.Cluster);
        Assert.Equal(TimeSpan.FromSeconds(30), settings.Noise.DuplicateWindow);
        Assert.Equal(["approval.waiting"], settings.Noise.Repeated);
        Assert.Equal(30, settings.Sinks["hook"].RatePerMinute);
        var route = Assert.Single(settings.Routes);
        Assert.Equal("prod-failures", route.Name);
        Assert.Equal(["hook", "log"], route.Sinks);
        Assert.False(route.OncePerRollout);
        Assert.NotNull(route.Message);
        Assert.NotNull(route.Body);
        Assert.True(route.Match.Matches(Notification.From(Events.Flagger("rolledback", ns: "prod-eu", phase: "Failed", severity: "error", message: "failed checks threshold reached 5"))));
        Assert.False(route.Match.Matches(Notification.From(Events.Flagger("rolledback", ns: "prod-eu", phase: "Failed", severity: "warn", message: "failed checks threshold reached 5"))));
    }

    [Theory]
    [InlineData("routes:\n  - sinks: [hook]\n  - sinks: [hook]\n  - sinks: [hook]\n    match: { severity: critical }", "routes[2].match.severity: 'critical' is not info, warn or error")]
    [InlineData("routes:\n  - sinks: [hook]\n    mach: { severity: warn }", "routes[0].mach: is not a known key")]
    [InlineData("routes:\n  - sinks: [hook]\n    match: { namespace: prod }", "routes[0].match.namespace: is not a known key")]
    [InlineData("routes:\n  - sinks: [slack]", "routes[0].sinks[0]: 'slack' is not a configured sink (configured: hook)")]
    [InlineData("routes:\n  - name: a\n    sinks: [hook]\n  - name: a\n    sinks: [hook]", "routes[1].name: 'a' names another route too")]
    [InlineData("routes:\n  - match: { severity: warn }", "routes[0].sinks: is required")]
    [InlineData("routes:\n  - sinks: [hook]\n    match: { namespaces: ['(unclosed'] }", "routes[0].match.namespaces[0]: '(unclosed' is not a regular expression")]
    [InlineData("routes:\n  - sinks: [hook]\n    match: { outcomes: [won] }", "routes[0].match.outcomes[0]: 'won' is not promoted, failed or rolledback")]
    [InlineData("routes:\n  - sinks: [hook]\n    match: { filters: [ { exact: { Type: x } } ] }", "routes[0].match.filters[0].exact: attribute name 'Type' is invalid")]
    [InlineData("routes:\n  - sinks: [hook]\n    match: { filters: [ { exact: { type: x }, prefix: { type: y } } ] }", "routes[0].match.filters[0]: set exactly one of exact")]
    [InlineData("routes:\n  - sinks: [hook]\n    match: { filters: [ { maybe: { type: x } } ] }", "routes[0].match.filters[0].maybe: is not a filter dialect")]
    [InlineData("routes:\n  - sinks: [hook]\n    oncePerRollout: sometimes", "routes[0].oncePerRollout: 'sometimes' is not true or false")]
    [InlineData("routes:\n  - sinks: [hook]\n    message: \"{{ canary \"", "routes[0].message: the template does not parse")]
    [InlineData("routes:\n  - sinks: [hook]\nnoise: { duplicateWindow: soon }", "noise.duplicateWindow: 'soon' is not a duration")]
    [InlineData("routes:\n  - sinks: [hook]\nclustr: prod", "clustr: is not a known key")]
    public void Load_InvalidRoute_ErrorNamesRouteAndKey(string routes, string expected)
    {
        var error = Assert.Throws<NotifierConfigurationException>(() => Loader().Load(Sinks + "\n" + routes, "notifier.yaml"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sinks:\n  x:\n    type: pager", "sinks.x.type: 'pager' is not a known sink type; known types: cloudevents, console, webhook")]
    [InlineData("sinks:\n  x:\n    url: http://h/", "sinks.x.type: is required")]
    [InlineData("sinks:\n  x:\n    type: webhook", "sinks.x.url: is required")]
    [InlineData("sinks:\n  x:\n    type: webhook\n    url: ftp://h/", "sinks.x.url: is not an absolute http:// or https:// URL")]
    [InlineData("sinks:\n  x:\n    type: webhook\n    url: http://h/\n    methd: PUT", "sinks.x.methd: is not a key of webhook sinks")]
    [InlineData("sinks:\n  x:\n    type: webhook\n    url: http://h/\n    method: FETCH", "sinks.x.method: 'FETCH' is not one of")]
    [InlineData("sinks:\n  x:\n    type: webhook\n    url: http://h/\n    token: t\n    username: u\n    password: p", "sinks.x.token: set either token")]
    [InlineData("sinks:\n  x:\n    type: webhook\n    url: http://h/\n    ratePerMinute: lots", "sinks.x.ratePerMinute: 'lots' is not an integer")]
    [InlineData("sinks:\n  x:\n    type: cloudevents\n    url: http://h/\n    mode: batch", "sinks.x.mode: 'batch' is not binary or structured")]
    [InlineData("sinks:\n  x:\n    type: webhook\n    urlFile: /nonexistent/url", "sinks.x.urlFile: cannot read '/nonexistent/url'")]
    public void Load_InvalidSink_ErrorNamesSinkAndKey(string sinks, string expected)
    {
        var error = Assert.Throws<NotifierConfigurationException>(() => Loader().Load(sinks + "\nroutes:\n  - sinks: [x]", "notifier.yaml"));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_ErrorInFile_NamesTheLine()
    {
        const string yaml = "sinks:\n  hook:\n    type: webhook\n    url: http://h/\nroutes:\n  - sinks: [hook]\n    match:\n      severity: loud\n";

        var error = Assert.Throws<NotifierConfigurationException>(() => Loader().Load(yaml, "notifier.yaml"));

        Assert.Contains("(line 8)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_YamlDoesNotParse_ErrorNamesFileAndLine()
    {
        var error = Assert.Throws<NotifierConfigurationException>(() => Loader().Load("routes:\n  - sinks: [a\n  b: {", "notifier.yaml"));

        Assert.StartsWith("notifier.yaml: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("the YAML does not parse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadIndentation_ErrorNamesTheLine()
    {
        var error = Assert.Throws<NotifierConfigurationException>(() => Loader().Load("routes:\n  - sinks: [a]\n   name: x\n", "notifier.yaml"));

        Assert.StartsWith("notifier.yaml: line 3: the YAML does not parse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_SinksWithoutRoutes_Rejected()
    {
        var error = Assert.Throws<NotifierConfigurationException>(() => Loader().Load(Sinks, "notifier.yaml"));

        Assert.StartsWith("routes: no route is configured", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_EnvironmentOverride_ReplacesFileValue()
    {
        const string yaml = Sinks + "\nroutes:\n  - name: r\n    sinks: [hook]\n    match: { severity: info }\n";

        NotifierSettings settings = Loader().Load(yaml, "notifier.yaml", [new("routes:0:match:severity", "error"), new("cluster", "from-env")]);

        Assert.Equal("from-env", settings.Cluster);
        Assert.False(settings.Routes[0].Match.Matches(Notification.From(Events.Flagger(severity: "warn"))));
        Assert.True(settings.Routes[0].Match.Matches(Notification.From(Events.Flagger(severity: "error"))));
    }

    [Fact]
    public void Load_SinkSecretFromFile_Read()
    {
        string file = Path.GetTempFileName();
        try
        {
            File.WriteAllText(file, "http://127.0.0.1:9/from-file\n");

            NotifierSettings settings = Loader().Load($"sinks:\n  x:\n    type: webhook\n    urlFile: {file}\nroutes:\n  - sinks: [x]", "notifier.yaml");

            Assert.Equal("webhook", settings.Sinks["x"].Sink.Kind);
        }
        finally
        {
            File.Delete(file);
        }
    }

    internal static NotifierConfigLoader Loader()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton(new TemplateEngine());
        ServiceProvider provider = services.BuildServiceProvider();
        ISinkFactory[] factories = [new ConsoleSinkFactory(), new WebhookSinkFactory(), new CloudEventsSinkFactory()];
        return new NotifierConfigLoader(factories, provider.GetRequiredService<TemplateEngine>(), _ => new HttpClient(), provider, TimeProvider.System, null);
    }
}
