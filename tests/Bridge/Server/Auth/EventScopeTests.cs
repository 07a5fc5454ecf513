using Bridge.CloudEvents;
using Bridge.Server.Auth;
using Bridge.Server.Flagger;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Auth;

public sealed class EventScopeTests
{
    private static readonly BridgeCaller TestOnly = new("test-only", ["test"]);
    private static readonly BridgeCaller TestAndStaging = new("two", ["test", "staging"]);
    private static readonly BridgeCaller Admin = new("admin", []);

    private static EventScope Scope(string source = "/flagger", string? clusterName = null) =>
        new(Options.Create(new FlaggerOptions { Source = source, ClusterName = clusterName }));

    private static CloudEvent Event(
        string source = "/ci", string type = "com.example.build", string? partitionKey = "test/app", string? subject = null, string? @namespace = null)
    {
        var cloudEvent = new CloudEvent { Id = "1", Source = source, Type = type, Subject = subject };
        if (partitionKey is not null)
        {
            cloudEvent.SetExtension("partitionkey", partitionKey);
        }

        if (@namespace is not null)
        {
            cloudEvent.SetExtension("namespace", @namespace);
        }

        return cloudEvent;
    }

    [Fact]
    public void Check_ScopedCallerEverythingInItsNamespace_Allowed()
    {
        Assert.Null(Scope().Check(TestOnly, Event(partitionKey: "test/app", subject: "test/app", @namespace: "test")));
        Assert.Null(Scope().Check(TestOnly, Event(partitionKey: "test/app")));
        Assert.Null(Scope().Check(TestOnly, Event(partitionKey: null, @namespace: "test")));
        Assert.Null(Scope().Check(TestOnly, Event(partitionKey: "test/a/b", subject: "test/other/deep")));
    }

    [Theory]
    [InlineData("test", "prod/podinfo", null, "the partitionkey 'prod/podinfo' is in namespace 'prod', and the token 'test-only' may not send events for namespace 'prod'")]
    [InlineData("test", "test/podinfo", "prod/podinfo", "the subject 'prod/podinfo' is in namespace 'prod'")]
    [InlineData("prod", "test/podinfo", null, "the namespace extension 'prod' is in namespace 'prod'")]
    [InlineData(null, "podinfo", null, "the partitionkey 'podinfo' names no namespace")]
    [InlineData(null, "/podinfo", null, "the partitionkey '/podinfo' names no namespace")]
    [InlineData(null, "test/podinfo", "podinfo", "the subject 'podinfo' names no namespace")]
    [InlineData("", "test/podinfo", null, "the namespace extension '' names no namespace")]
    [InlineData(null, null, "test/podinfo", "the event names no namespace")]
    public void Check_ScopedCallerAttributesDisagreeOrOutOfScope_Refused(string? ns, string? key, string? subject, string expected)
    {
        var reason = Scope().Check(TestOnly, Event(partitionKey: key, subject: subject, @namespace: ns));

        Assert.NotNull(reason);
        Assert.StartsWith(expected, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TwoNamespacesOfTheCallerMixed_RefusedAsDisagreement()
    {
        var reason = Scope().Check(TestAndStaging, Event(partitionKey: "staging/app", @namespace: "test"));

        Assert.Equal(
            "the partitionkey 'staging/app' is in namespace 'staging' but the namespace extension 'test' is in namespace 'test'; " +
            "the namespace extension, partitionkey and subject must name the same namespace.",
            reason);
    }

    [Theory]
    [InlineData("/flagger", null, "/flagger")]
    [InlineData("/flagger", null, "/flagger/")]
    [InlineData("/flagger", null, "/flagger/clusters/prod")]
    [InlineData("/flagger", null, "/Flagger")]
    [InlineData("/flagger", null, "/flagger?x=1")]
    [InlineData("/flagger", null, "/flagger#x")]
    [InlineData("/flagger/", null, "/flagger")]
    [InlineData("https://flagger.example.com", null, "HTTPS://FLAGGER.EXAMPLE.COM/x")]
    [InlineData("/flagger", "prod-eu", "/flagger/clusters/prod-eu")]
    [InlineData("urn:flagger", null, "urn:flagger")]
    public void Check_ScopedCallerWithFlaggerSource_Refused(string configured, string? cluster, string source)
    {
        var reason = Scope(configured, cluster).Check(TestOnly, Event(source: source));

        Assert.NotNull(reason);
        Assert.Contains($"the source '{source}' is reserved", reason, StringComparison.Ordinal);
        Assert.Contains("/v1/flagger/events", reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/flagger", "/flagger-ci")]
    [InlineData("/flagger", "/flaggerx")]
    [InlineData("/flagger", "/ci/flagger")]
    [InlineData("https://flagger.example.com", "https://flagger.example.com.evil")]
    [InlineData("/", "/ci")]
    public void Check_ScopedCallerWithOtherSource_Allowed(string configured, string source) =>
        Assert.Null(Scope(configured).Check(TestOnly, Event(source: source)));

    [Fact]
    public void Check_ScopedCallerWithFlaggerType_Refused()
    {
        var reason = Scope().Check(TestOnly, Event(type: "app.flagger.canary.rolledback"));

        Assert.StartsWith("the type 'app.flagger.canary.rolledback' is under 'app.flagger.canary.'", reason, StringComparison.Ordinal);
        Assert.Null(Scope().Check(TestOnly, Event(type: "app.flagger.canaryish")));
    }

    [Fact]
    public void Check_UnscopedCaller_AnyValidEvent()
    {
        var forged = Event(source: "/flagger", type: "app.flagger.canary.rolledback", partitionKey: "prod/podinfo", subject: "other/x", @namespace: "test");

        Assert.Null(Scope().Check(Admin, forged));
        Assert.Null(Scope().Check(BridgeCaller.Anonymous, forged));
        Assert.Null(Scope().Check(Admin, Event(partitionKey: null)));
    }

    [Fact]
    public void NamespaceOf_Event_ExtensionThenPartitionKeyPrefix()
    {
        Assert.Equal("ext", EventScope.NamespaceOf(Event(partitionKey: "key/x", @namespace: "ext")));
        Assert.Equal("key", EventScope.NamespaceOf(Event(partitionKey: "key/x")));
        Assert.Null(EventScope.NamespaceOf(Event(partitionKey: "key")));
        Assert.Null(EventScope.NamespaceOf(Event(partitionKey: null, subject: "test/x")));
    }
}
