using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerHookTypesTests
{
    [Theory]
    [InlineData("confirm-rollout", true, true)]
    [InlineData("pre-rollout", false, false)]
    [InlineData("rollout", false, true)]
    [InlineData("confirm-traffic-increase", true, true)]
    [InlineData("confirm-promotion", true, true)]
    [InlineData("post-rollout", false, false)]
    [InlineData("rollback", true, true)]
    [InlineData("event", false, false)]
    public void Parse_EverySegment_RoundTripsWithGatingAndPolling(string segment, bool gating, bool polled)
    {
        var hookType = FlaggerHookTypes.Parse(segment);

        Assert.Equal(segment, hookType.ToSegment());
        Assert.Equal(gating, hookType.IsGating());
        Assert.Equal(polled, hookType.IsPolled());
        Assert.True(FlaggerHookTypes.TryParse(segment, out var parsed));
        Assert.Equal(hookType, parsed);
    }

    [Fact]
    public void Segments_CoverEveryHookType()
    {
        var fromEnum = Enum.GetValues<FlaggerHookType>().Select(h => h.ToSegment());

        Assert.Equal(fromEnum, FlaggerHookTypes.Segments);
    }

    [Theory]
    [InlineData("Confirm-Rollout")]
    [InlineData("confirm_rollout")]
    [InlineData("")]
    [InlineData("rollouts")]
    [InlineData("events")]
    [InlineData("promotion")]
    public void Parse_UnknownSegment_ListsValidOnes(string segment)
    {
        var ex = Assert.Throws<FlaggerPayloadException>(() => FlaggerHookTypes.Parse(segment));

        Assert.Equal("hookType", ex.Field);
        Assert.Equal(
            $"Unknown Flagger hook type '{segment}'; expected one of: confirm-rollout, pre-rollout, rollout, confirm-traffic-increase, confirm-promotion, post-rollout, rollback, event (lower case).",
            ex.Message);
        Assert.False(FlaggerHookTypes.TryParse(segment, out _));
    }

    [Fact]
    public void Parse_Null_SaysNoHookType()
    {
        var ex = Assert.Throws<FlaggerPayloadException>(() => FlaggerHookTypes.Parse(null));

        Assert.StartsWith("Unknown Flagger hook type no hook type; expected one of: confirm-rollout", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_HugeSegment_Truncated()
    {
        var ex = Assert.Throws<FlaggerPayloadException>(() => FlaggerHookTypes.Parse(new string('x', 10_000)));

        Assert.Contains("... (10000 characters)", ex.Message, StringComparison.Ordinal);
        Assert.True(ex.Message.Length < 400);
    }

    [Fact]
    public void ToSegment_UndefinedValue_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ((FlaggerHookType)99).ToSegment());
    }
}
