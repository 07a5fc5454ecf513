using Bridge.Client.Internal;
using Bridge.Client.V1;

namespace Bridge.Client.Tests.Internal;

public sealed class SubscriberSetupTests
{
    [Fact]
    public void BuildOpen_Lists_CompiledToAnyOfFiltersAndOptionsCopied()
    {
        var options = new SubscriberOptions
        {
            Subscription = "notifier",
            Types = ["app.flagger.canary.hook.*", "app.flagger.canary.promoted"],
            Namespaces = ["prod"],
            Severities = ["warn", "error"],
            Start = "earliest",
            MaxInFlight = 42,
        };
        options.Filters.Add(Filters.Not(Filters.Exact("canary", "skip")));

        OpenSubscription open = SubscriberSetup.BuildOpen(options);

        Assert.Equal("notifier", open.Subscription);
        Assert.Equal(42, open.MaxInFlight);
        Assert.Equal(StartPositions.Earliest(), open.Start);
        Assert.Equal(
            [
                Filters.Any(Filters.Prefix("type", "app.flagger.canary.hook."), Filters.Exact("type", "app.flagger.canary.promoted")),
                Filters.Exact("namespace", "prod"),
                Filters.Any(Filters.Exact("severity", "warn"), Filters.Exact("severity", "error")),
                Filters.Not(Filters.Exact("canary", "skip")),
            ],
            open.Filters);
    }

    [Fact]
    public void BuildOpen_NoLists_NoFilters() =>
        Assert.Empty(SubscriberSetup.BuildOpen(new SubscriberOptions { Subscription = "s" }).Filters);

    [Fact]
    public void AuthorizationHeaders_TokenFile_ReadWithoutTrailingNewline()
    {
        string path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "file-token\n");

            var headers = SubscriberSetup.AuthorizationHeaders(new SubscriberOptions { TokenFile = path });

            Assert.Equal("Bearer file-token", headers?.GetValue("authorization"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void AuthorizationHeaders_NoToken_Null() =>
        Assert.Null(SubscriberSetup.AuthorizationHeaders(new SubscriberOptions()));
}
