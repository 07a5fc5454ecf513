using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerEventTypesTests
{
    [Fact]
    public void ForHook_EveryHookButEvent_PrefixedSegment()
    {
        foreach (var hookType in Enum.GetValues<FlaggerHookType>().Where(h => h != FlaggerHookType.Event))
        {
            Assert.Equal("app.flagger.canary.hook." + hookType.ToSegment(), FlaggerEventTypes.ForHook(hookType));
        }
    }

    [Fact]
    public void ForHook_Event_Throws()
    {
        Assert.Throws<ArgumentException>(() => FlaggerEventTypes.ForHook(FlaggerHookType.Event));
    }

    [Fact]
    public void Constants_AllUnderPrefixAndNoneUnderHookPrefix()
    {
        var values = typeof(FlaggerEventTypes).GetFields()
            .Where(f => f.IsLiteral && f.Name is not (nameof(FlaggerEventTypes.Prefix) or nameof(FlaggerEventTypes.HookPrefix)))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();

        Assert.Equal(19, values.Count);
        Assert.All(values, v => Assert.StartsWith("app.flagger.canary.", v, StringComparison.Ordinal));
        Assert.All(values, v => Assert.False(v.StartsWith(FlaggerEventTypes.HookPrefix, StringComparison.Ordinal), v));
        Assert.All(values, v => Assert.Matches("^[a-z.]+$", v));
        Assert.Equal(values.Count, values.Distinct().Count());
    }
}
