using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerOptionsValidatorTests
{
    private static IReadOnlyList<string> Validate(FlaggerOptions options)
    {
        var result = new FlaggerOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures!.ToList() : [];
    }

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.Empty(Validate(new FlaggerOptions()));
    }

    [Theory]
    [InlineData("/flagger")]
    [InlineData("/")]
    [InlineData("flagger")]
    [InlineData("https://flagger.example.com/prod")]
    [InlineData("urn:flagger:prod-eu")]
    [InlineData("/flagger%20prod")]
    [InlineData("//flagger.example.com/x")]
    public void Validate_UriReferenceSource_Succeeds(string source)
    {
        Assert.Empty(Validate(new FlaggerOptions { Source = source, ClusterName = "prod" }));
    }

    [Theory]
    [InlineData("#frag")]
    [InlineData("1-555-123")]
    [InlineData("https://example.com/a?b=c#d")]
    [InlineData("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")]
    [InlineData("/a%2Fb")]
    public void Validate_UriReferenceSourceWithoutClusterName_Succeeds(string source)
    {
        Assert.Empty(Validate(new FlaggerOptions { Source = source }));
    }

    [Fact]
    public void Validate_EmptySource_FailsNamingKey()
    {
        var failure = Assert.Single(Validate(new FlaggerOptions { Source = "" }));

        Assert.StartsWith("Flagger:Source must not be empty", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/flagger prod")]
    [InlineData("/flagger%2")]
    [InlineData("/flagger%zz")]
    [InlineData("/fl\u00e4gger")]
    [InlineData("/a#b#c")]
    [InlineData("1http://x")]
    [InlineData("ht tp://x")]
    [InlineData("/flagger\\prod")]
    [InlineData("/a%")]
    [InlineData("/a%4")]
    [InlineData(":x")]
    [InlineData("1a:x")]
    [InlineData("a_b:x")]
    [InlineData("/a\"b")]
    [InlineData("/a<b>")]
    public void Validate_NotAUriReference_FailsNamingKey(string source)
    {
        var failure = Assert.Single(Validate(new FlaggerOptions { Source = source }));

        Assert.StartsWith("Flagger:Source '", failure, StringComparison.Ordinal);
        Assert.Contains("is not a URI-reference (RFC 3986)", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/flagger?env=prod")]
    [InlineData("/flagger#prod")]
    public void Validate_QueryOrFragmentWithClusterName_Fails(string source)
    {
        Assert.Empty(Validate(new FlaggerOptions { Source = source }));

        var failure = Assert.Single(Validate(new FlaggerOptions { Source = source, ClusterName = "prod" }));

        Assert.StartsWith("Flagger:Source must not contain a query or fragment when Flagger:ClusterName is set", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("prod eu")]
    [InlineData("prod/eu")]
    [InlineData("prod%20eu")]
    [InlineData("..")]
    [InlineData("pr\u00f6d")]
    public void Validate_InvalidClusterName_FailsNamingKey(string clusterName)
    {
        var failure = Assert.Single(Validate(new FlaggerOptions { ClusterName = clusterName }));

        Assert.StartsWith("Flagger:ClusterName '", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ClusterNameLongerThan253_Fails()
    {
        Assert.Empty(Validate(new FlaggerOptions { ClusterName = new string('c', 253) }));

        var failure = Assert.Single(Validate(new FlaggerOptions { ClusterName = new string('c', 254) }));

        Assert.StartsWith("Flagger:ClusterName", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(10_000_001)]
    public void Validate_CapacityOutOfRange_FailsNamingKey(int capacity)
    {
        var failure = Assert.Single(Validate(new FlaggerOptions { DeduplicationCapacity = capacity }));

        Assert.Equal($"Flagger:DeduplicationCapacity must be between 1 and 10000000, got {capacity}.", failure);
    }

    [Theory]
    [InlineData("00:00:00")]
    [InlineData("00:00:00.5")]
    [InlineData("-01:00:00")]
    [InlineData("30.00:00:01")]
    public void Validate_TtlOutOfRange_FailsNamingKey(string ttl)
    {
        var failure = Assert.Single(Validate(new FlaggerOptions { DeduplicationTtl = TimeSpan.Parse(ttl, System.Globalization.CultureInfo.InvariantCulture) }));

        Assert.StartsWith("Flagger:DeduplicationTtl must be between 00:00:01 and 30.00:00:00", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_SeveralProblems_ReportsEach()
    {
        var failures = Validate(new FlaggerOptions { Source = "a b", ClusterName = "x/y", DeduplicationCapacity = 0, DeduplicationTtl = TimeSpan.Zero });

        Assert.Equal(4, failures.Count);
    }
}
