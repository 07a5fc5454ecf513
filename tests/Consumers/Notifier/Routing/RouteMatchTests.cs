using Bridge.Notifier.Configuration;
using Bridge.Notifier.Model;
using Bridge.Notifier.Tests.Configuration;

namespace Bridge.Notifier.Tests.Routing;

public sealed class RouteMatchTests
{
    [Theory]
    // Severity at or above: info ⊃ warn ⊃ error.
    [InlineData("severity: info", "info", true)]
    [InlineData("severity: warn", "info", false)]
    [InlineData("severity: warn", "warn", true)]
    [InlineData("severity: warn", "error", true)]
    [InlineData("severity: error", "warn", false)]
    public void Matches_Severity_AtOrAbove(string match, string severity, bool expected) =>
        Assert.Equal(expected, Match(match, Events.Flagger(severity: severity)));

    [Theory]
    [InlineData("types: [app.flagger.canary.]", "promoted", true)]
    [InlineData("types: ['app.flagger.canary.hook.*']", "promoted", false)]
    [InlineData("types: ['app.flagger.canary.hook.*']", "hook.confirm-promotion", true)]
    [InlineData("types: [app.flagger.canary.promoted, app.flagger.canary.failed]", "failed", true)]
    public void Matches_TypePrefixes(string match, string shortType, bool expected) =>
        Assert.Equal(expected, Match(match, Events.Flagger(shortType)));

    [Theory]
    [InlineData("namespaces: ['^prod-']", "prod-eu", "api", true)]
    [InlineData("namespaces: ['^prod-']", "staging", "api", false)]
    [InlineData("namespaces: ['^prod-'], excludeNamespaces: ['-eu$']", "prod-eu", "api", false)]
    [InlineData("excludeNamespaces: [kube-system]", "kube-system", "api", false)]
    [InlineData("canaries: ['^api$', '^web$']", "prod", "web", true)]
    [InlineData("canaries: ['^api$']", "prod", "api-v2", false)]
    [InlineData("excludeCanaries: ['-test$']", "prod", "api-test", false)]
    public void Matches_NamespaceAndCanaryRegexes(string match, string ns, string canary, bool expected) =>
        Assert.Equal(expected, Match(match, Events.Flagger(ns: ns, canary: canary)));

    [Theory]
    [InlineData("phases: [failed]", "Failed", true)]
    [InlineData("phases: [Succeeded, Failed]", "Progressing", false)]
    public void Matches_Phases_CaseInsensitive(string match, string phase, bool expected) =>
        Assert.Equal(expected, Match(match, Events.Flagger(phase: phase)));

    [Theory]
    [InlineData("eventTypes: [Warning]", "Warning", true)]
    [InlineData("eventTypes: [Warning]", "Normal", false)]
    public void Matches_FlaggerEventType(string match, string eventType, bool expected) =>
        Assert.Equal(expected, Match(match, Events.Flagger(eventType: eventType)));

    [Theory]
    [InlineData("message: 'threshold reached'", "Rolling back failed checks threshold reached 5", true)]
    [InlineData("message: '^Halt'", "Rolling back", false)]
    public void Matches_MessageRegex(string match, string message, bool expected) =>
        Assert.Equal(expected, Match(match, Events.Flagger(message: message)));

    [Theory]
    [InlineData("outcomes: [promoted, rolledback]", "promoted", true)]
    [InlineData("outcomes: [promoted]", "rolledback", false)]
    [InlineData("outcomes: [failed]", "weight.advanced", false)]
    public void Matches_Outcomes(string match, string shortType, bool expected) =>
        Assert.Equal(expected, Match(match, Events.Flagger(shortType)));

    [Theory]
    [InlineData("filters: [ { exact: { canary: podinfo } } ]", true)]
    [InlineData("filters: [ { exact: { canary: other } } ]", false)]
    [InlineData("filters: [ { prefix: { type: app.flagger. } }, { suffix: { subject: /podinfo } } ]", true)]
    [InlineData("filters: [ { any: [ { exact: { severity: error } }, { exact: { namespace: prod } } ] } ]", true)]
    [InlineData("filters: [ { all: [ { exact: { severity: error } }, { exact: { namespace: prod } } ] } ]", false)]
    [InlineData("filters: [ { not: { exact: { namespace: prod } } } ]", false)]
    [InlineData("filters: [ { exact: { nosuchattribute: x } } ]", false)]
    [InlineData("filters: [ { not: { exact: { nosuchattribute: x } } } ]", true)]
    public void Matches_KnativeFilters(string match, bool expected) =>
        Assert.Equal(expected, Match(match, Events.Flagger(ns: "prod", canary: "podinfo", severity: "info")));

    [Fact]
    public void Matches_EveryConditionMustHold()
    {
        const string match = "{ severity: warn, namespaces: ['^prod'], phases: [Failed] }";

        Assert.True(Match(match, Events.Flagger(severity: "error", ns: "prod", phase: "Failed")));
        Assert.False(Match(match, Events.Flagger(severity: "error", ns: "prod", phase: "Progressing")));
        Assert.False(Match(match, Events.Flagger(severity: "info", ns: "prod", phase: "Failed")));
    }

    private static bool Match(string match, Bridge.CloudEvents.CloudEvent cloudEvent)
    {
        string yaml = $"sinks:\n  log: {{ type: console }}\nroutes:\n  - sinks: [log]\n    match: {(match.StartsWith('{') ? match : "{ " + match + " }")}\n";
        NotifierSettings settings = NotifierConfigLoaderTests.Loader().Load(yaml, "notifier.yaml");
        return settings.Routes[0].Match.Matches(Notification.From(cloudEvent));
    }
}
