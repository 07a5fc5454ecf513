using Bridge.Client.V1;
using Bridge.CloudEvents;
using Grpc.Core;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

public sealed class SubscriptionFilterTests
{
    private static readonly TimeSpan Quiet = TimeSpan.FromMilliseconds(500);

    private static CloudEvent Event(string type = "app.flagger.canary.promoted", string? subject = "prod/api", string? severity = "info")
    {
        var cloudEvent = new CloudEvent { Id = "1", Source = "/flagger", Type = type, Subject = subject, Time = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero) };
        if (severity is not null)
        {
            cloudEvent["severity"] = severity;
        }

        cloudEvent["partitionkey"] = "prod/api";
        return cloudEvent;
    }

    private static Filter Exact(params (string Name, string Value)[] entries) => new() { Exact = Match(entries) };

    private static Filter Prefix(params (string Name, string Value)[] entries) => new() { Prefix = Match(entries) };

    private static Filter Suffix(params (string Name, string Value)[] entries) => new() { Suffix = Match(entries) };

    private static Filter All(params Filter[] filters) => new() { All = List(filters) };

    private static Filter Any(params Filter[] filters) => new() { Any = List(filters) };

    private static Filter Not(Filter filter) => new() { Not = filter };

    private static AttributeMatch Match(params (string Name, string Value)[] entries)
    {
        var match = new AttributeMatch();
        foreach (var (name, value) in entries)
        {
            match.Attributes[name] = value;
        }

        return match;
    }

    private static FilterList List(Filter[] filters)
    {
        var list = new FilterList();
        list.Filters.Add(filters);
        return list;
    }

    private static bool Matches(CloudEvent cloudEvent, params Filter[] filters) => SubscriptionFilter.Compile(filters).Matches(cloudEvent);

    [Fact]
    public void Matches_NoFilters_MatchesEverything() => Assert.True(Matches(Event()));

    [Theory]
    [InlineData("type", "app.flagger.canary.promoted", true)]
    [InlineData("type", "app.flagger.canary", false)]
    [InlineData("type", "APP.FLAGGER.CANARY.PROMOTED", false)]
    [InlineData("subject", "prod/api", true)]
    [InlineData("specversion", "1.0", true)]
    [InlineData("severity", "info", true)]
    [InlineData("partitionkey", "prod/api", true)]
    [InlineData("time", "2025-01-02T03:04:05Z", true)]
    [InlineData("missing", "", false)]
    public void Matches_Exact_ComparesCanonicalStrings(string name, string value, bool expected) =>
        Assert.Equal(expected, Matches(Event(), Exact((name, value))));

    [Fact]
    public void Matches_ExactSeveralEntries_RequiresEveryOne()
    {
        Assert.True(Matches(Event(), Exact(("type", "app.flagger.canary.promoted"), ("severity", "info"))));
        Assert.False(Matches(Event(), Exact(("type", "app.flagger.canary.promoted"), ("severity", "error"))));
    }

    [Theory]
    [InlineData("app.flagger.", true)]
    [InlineData("", true)]
    [InlineData("app.flagger.canary.promoted", true)]
    [InlineData("app.flagger.canary.promoted.x", false)]
    [InlineData("flagger", false)]
    public void Matches_Prefix_StartsWith(string prefix, bool expected) =>
        Assert.Equal(expected, Matches(Event(), Prefix(("type", prefix))));

    [Theory]
    [InlineData(".promoted", true)]
    [InlineData("/api", true)]
    [InlineData("app.", false)]
    public void Matches_Suffix_EndsWith(string suffix, bool expected)
    {
        var attribute = suffix == "/api" ? "subject" : "type";
        Assert.Equal(expected, Matches(Event(), Suffix((attribute, suffix))));
    }

    [Fact]
    public void Matches_MissingAttribute_NeverMatchesPrefixOrSuffixButNotOfItDoes()
    {
        var withoutSubject = Event(subject: null);

        Assert.False(Matches(withoutSubject, Prefix(("subject", ""))));
        Assert.False(Matches(withoutSubject, Suffix(("subject", ""))));
        Assert.True(Matches(withoutSubject, Not(Exact(("subject", "prod/api")))));
    }

    [Fact]
    public void Matches_AllAnyNot_FollowKnativeSemantics()
    {
        var promoted = Event();
        var isPromoted = Suffix(("type", ".promoted"));
        var isError = Exact(("severity", "error"));

        Assert.True(Matches(promoted, All(isPromoted, Not(isError))));
        Assert.False(Matches(promoted, All(isPromoted, isError)));
        Assert.True(Matches(promoted, Any(isError, isPromoted)));
        Assert.False(Matches(promoted, Any(isError, Not(isPromoted))));
        Assert.True(Matches(promoted, All()));
        Assert.False(Matches(promoted, Any()));
        Assert.True(Matches(promoted, Not(Any())));
    }

    [Fact]
    public void Matches_NestedFilters_Evaluated()
    {
        var filter = Any(
            All(Prefix(("type", "app.flagger.canary.")), Exact(("severity", "error"))),
            Not(Any(Exact(("subject", "prod/api")), Exact(("subject", "prod/web")))));

        Assert.False(Matches(Event(), filter));
        Assert.True(Matches(Event(severity: "error"), filter));
        Assert.True(Matches(Event(subject: "dev/api"), filter));
    }

    [Fact]
    public void Matches_TopLevelList_IsAll()
    {
        Assert.True(Matches(Event(), Prefix(("type", "app.")), Exact(("severity", "info"))));
        Assert.False(Matches(Event(), Prefix(("type", "app.")), Exact(("severity", "warn"))));
    }

    [Fact]
    public void Compile_InvalidAttributeName_NamesThePath()
    {
        var filters = new[] { Exact(("type", "x")), Any(Exact(("Type", "x"))) };

        var error = Assert.Throws<InvalidSubscriptionException>(() => SubscriptionFilter.Compile(filters));

        Assert.StartsWith("filters[1].any[0].exact: attribute name 'Type' is invalid", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("data")]
    [InlineData("")]
    [InlineData("ce-type")]
    public void Compile_ReservedOrMalformedName_Rejected(string name)
    {
        var error = Assert.Throws<InvalidSubscriptionException>(() => SubscriptionFilter.Compile([Prefix((name, "x"))]));

        Assert.Contains("filters[0].prefix: attribute name", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_EmptyAttributeMap_NamesThePath()
    {
        var error = Assert.Throws<InvalidSubscriptionException>(() => SubscriptionFilter.Compile([All(Suffix())]));

        Assert.StartsWith("filters[0].all[0].suffix: the attribute map is empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_FilterWithoutDialect_NamesThePath()
    {
        var error = Assert.Throws<InvalidSubscriptionException>(() => SubscriptionFilter.Compile([Not(new Filter())]));

        Assert.StartsWith("filters[0].not: the filter has no dialect set", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_TooDeep_Rejected()
    {
        var filter = Exact(("type", "x"));
        for (var i = 0; i < SubscriptionFilter.MaxDepth + 1; i++)
        {
            filter = Not(filter);
        }

        var error = Assert.Throws<InvalidSubscriptionException>(() => SubscriptionFilter.Compile([filter]));

        Assert.Contains($"deeper than {SubscriptionFilter.MaxDepth} levels", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_Filters_SkipNonMatchingEventsAndCommitThem()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var promoted = GrpcBridgeHost.Event("promoted", "prod", "api", "app.flagger.canary.promoted");
        var weight = GrpcBridgeHost.Event("weight", "prod", "api", "app.flagger.canary.weight.advanced");
        var otherNamespace = GrpcBridgeHost.Event("dev-promoted", "dev", "api", "app.flagger.canary.promoted");
        var accepted = await host.PublishAllAsync(weight, promoted, otherNamespace);
        var filters = new[]
        {
            new Filter { Suffix = Match(("type", ".promoted")) },
            new Filter { Not = new Filter { Exact = Match(("namespace", "dev")) } },
        };

        await using (var subscriber = await host.SubscribeAsync("promotions", filters: filters))
        {
            var delivery = await subscriber.NextAsync();
            Assert.Equal("promoted", delivery.Event.Id);
            await subscriber.AckAsync(delivery.AckId);
            await host.WaitForCommitAsync("promotions", accepted[1].Partition, accepted[1].Offset + 1);
            Assert.Null(await subscriber.PollAsync(Quiet));
            Assert.Equal(StatusCode.OK, (await subscriber.CloseAsync()).StatusCode);
        }

        var committed = host.Committed("promotions");
        Assert.Equal(accepted[2].Offset + 1, committed[accepted[2].Partition]);
    }
}
