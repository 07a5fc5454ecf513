using Bridge.Client.V1;

namespace Bridge.Client.Tests;

public sealed class FiltersTests
{
    [Fact]
    public void Exact_AttributeAndValue_SetsExactDialect()
    {
        Filter filter = Filters.Exact("type", "app.flagger.canary.promoted");

        Assert.Equal(Filter.FilterOneofCase.Exact, filter.FilterCase);
        Assert.Equal("app.flagger.canary.promoted", filter.Exact.Attributes["type"]);
        Assert.Single(filter.Exact.Attributes);
    }

    [Fact]
    public void PrefixAndSuffix_SetTheirDialects()
    {
        Assert.Equal("app.", Filters.Prefix("type", "app.").Prefix.Attributes["type"]);
        Assert.Equal(".promoted", Filters.Suffix("type", ".promoted").Suffix.Attributes["type"]);
    }

    [Fact]
    public void Exact_SeveralAttributes_AllInOneMatch()
    {
        Filter filter = Filters.Exact([new("namespace", "prod"), new("severity", "error")]);

        Assert.Equal(2, filter.Exact.Attributes.Count);
        Assert.Equal("error", filter.Exact.Attributes["severity"]);
    }

    [Fact]
    public void AllAnyNot_Nested_BuildTheTree()
    {
        Filter filter = Filters.All(
            Filters.Prefix("type", "app.flagger."),
            Filters.Any(Filters.Exact("severity", "warn"), Filters.Exact("severity", "error")),
            Filters.Not(Filters.Exact("namespace", "kube-system")));

        Assert.Equal(3, filter.All.Filters.Count);
        Assert.Equal(2, filter.All.Filters[1].Any.Filters.Count);
        Assert.Equal("kube-system", filter.All.Filters[2].Not.Exact.Attributes["namespace"]);
    }

    [Fact]
    public void All_CopiesFilters_LaterChangesDoNotLeakIn()
    {
        Filter inner = Filters.Exact("type", "a");

        Filter all = Filters.All(inner);
        inner.Exact.Attributes["type"] = "changed";

        Assert.Equal("a", all.All.Filters[0].Exact.Attributes["type"]);
    }

    [Theory]
    [InlineData("Type")]
    [InlineData("")]
    [InlineData("data-content")]
    [InlineData("ns_1")]
    [InlineData("data")]
    public void Exact_InvalidAttributeName_ThrowsNamingIt(string attribute)
    {
        var ex = Assert.Throws<ArgumentException>(() => Filters.Exact(attribute, "v"));

        Assert.Contains($"'{attribute}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("lower-case", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Prefix_EmptyValue_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Filters.Prefix("type", ""));

        Assert.Contains("must not be empty", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exact_NullArguments_Throw()
    {
        Assert.Throws<ArgumentNullException>(() => Filters.Exact(null!, "v"));
        Assert.Throws<ArgumentNullException>(() => Filters.Exact("type", null!));
        Assert.Throws<ArgumentNullException>(() => Filters.Not(null!));
    }

    [Fact]
    public void Exact_NoAttributes_Throws() =>
        Assert.Throws<ArgumentException>(() => Filters.Exact(Array.Empty<KeyValuePair<string, string>>()));

    [Fact]
    public void Exact_DuplicateAttribute_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Filters.Exact([new("type", "a"), new("type", "b")]));

        Assert.Contains("given twice", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Any_Empty_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => Filters.Any());

        Assert.Contains("Filters.Any needs at least one filter", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void All_NullEntry_ThrowsNamingIndex()
    {
        var ex = Assert.Throws<ArgumentException>(() => Filters.All(Filters.Exact("type", "a"), null!));

        Assert.Contains("filter 1 is null", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Not_FilterWithoutDialect_Throws() =>
        Assert.Throws<ArgumentException>(() => Filters.Not(new Filter()));
}
