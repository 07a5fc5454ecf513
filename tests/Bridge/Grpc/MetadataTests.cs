namespace Bridge.Grpc.Tests;

public class MetadataTests
{
    [Fact]
    public void Add_MixedCaseKey_LowerCasesAndKeepsOrder()
    {
        var metadata = new Metadata { { "X-B", "2" }, { "x-a", "1" }, { "X-b", "3" } };

        Assert.Equal(["x-b", "x-a", "x-b"], metadata.Select(e => e.Key));
        Assert.Equal("3", metadata.GetValue("X-B"));
        Assert.Equal(["2", "3"], metadata.GetAll("x-b").Select(e => e.Value));
    }

    [Fact]
    public void Add_BinaryKeyWithString_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Metadata { { "x-bin", "text" } });
        Assert.Contains("-bin", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_BytesWithoutBinarySuffix_Throws()
    {
        Assert.Throws<ArgumentException>(() => new Metadata { { "x-data", new byte[] { 1 } } });
    }

    [Theory]
    [InlineData("x y")]
    [InlineData("x:y")]
    [InlineData("")]
    [InlineData("ü")]
    public void Add_InvalidKey_ThrowsNamingKey(string key)
    {
        Assert.Throws<ArgumentException>(() => new Metadata { { key, "v" } });
    }

    [Fact]
    public void Add_NonAsciiValue_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Metadata { { "x-a", "ü" } });
        Assert.Contains("U+00FC", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ValueBytes_OnStringEntry_Throws()
    {
        var metadata = new Metadata { { "x-a", "v" } };
        Assert.Throws<InvalidOperationException>(() => metadata[0].ValueBytes);
    }
}
