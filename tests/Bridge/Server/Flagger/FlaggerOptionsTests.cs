using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerOptionsTests
{
    [Fact]
    public void Defaults_AreDocumentedValues()
    {
        var options = new FlaggerOptions();

        Assert.Equal("Flagger", FlaggerOptions.SectionName);
        Assert.Equal("/flagger", options.Source);
        Assert.Null(options.ClusterName);
        Assert.Equal(10_000, options.DeduplicationCapacity);
        Assert.Equal(TimeSpan.FromHours(24), options.DeduplicationTtl);
        Assert.Equal("/flagger", options.EffectiveSource);
    }

    [Theory]
    [InlineData("/flagger", null, "/flagger")]
    [InlineData("/flagger", "", "/flagger")]
    [InlineData("/flagger", "prod-eu", "/flagger/clusters/prod-eu")]
    [InlineData("/flagger/", "prod-eu", "/flagger/clusters/prod-eu")]
    [InlineData("/", "prod-eu", "/clusters/prod-eu")]
    [InlineData("https://flagger.example.com", "gke_proj_zone_c1", "https://flagger.example.com/clusters/gke_proj_zone_c1")]
    [InlineData("urn:flagger", "prod", "urn:flagger/clusters/prod")]
    public void EffectiveSource_ClusterName_AppendedAsPath(string source, string? clusterName, string expected)
    {
        var options = new FlaggerOptions { Source = source, ClusterName = clusterName };

        Assert.Equal(expected, options.EffectiveSource);
    }
}
