using Bridge.Server.Observability;

namespace Bridge.Server.Tests.Observability;

public sealed class MetricTagsTests
{
    [Fact]
    public void From_SameTagsInOtherOrder_AreEqual()
    {
        var a = MetricTags.From(T("route", "x"), T("status", "200"), T("z", 1));
        var b = MetricTags.From(T("z", 1), T("route", "x"), T("status", "200"));

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.Equal("route", a[0].Key);
        Assert.Equal("z", a[2].Key);
        Assert.Equal("1", a[2].Value);
    }

    [Fact]
    public void From_DifferentValues_AreNotEqual() =>
        Assert.NotEqual(MetricTags.From(T("route", "x")), MetricTags.From(T("route", "y")));

    [Fact]
    public void From_ValuesOfOtherTypes_UseInvariantText()
    {
        var tags = MetricTags.From(T("b", true), T("d", 1.5), T("n", null));

        Assert.Equal("true", tags[0].Value);
        Assert.Equal("1.5", tags[1].Value);
        Assert.Equal(string.Empty, tags[2].Value);
    }

    [Fact]
    public void From_InlineAndOverflowOfSameCount_NeverEqualDifferentCounts()
    {
        var four = MetricTags.From(T("a", "1"), T("b", "2"), T("c", "3"), T("d", "4"));
        var five = MetricTags.From(T("a", "1"), T("b", "2"), T("c", "3"), T("d", "4"), T("e", "5"));

        Assert.NotEqual(four, five);
        Assert.Equal(5, five.Count);
        Assert.Equal("e", five[4].Key);
    }

    [Fact]
    public void Indexer_OutOfRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MetricTags.From(T("a", "1"))[1]);

    private static KeyValuePair<string, object?> T(string name, object? value) => new(name, value);
}
