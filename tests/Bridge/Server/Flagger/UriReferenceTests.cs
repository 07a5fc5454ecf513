using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class UriReferenceTests
{
    [Theory]
    [InlineData("/flagger", true)]
    [InlineData("flagger", true)]
    [InlineData("#frag", true)]
    [InlineData("1-555-123", true)]
    [InlineData("https://example.com/a?b=c#d", true)]
    [InlineData("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", true)]
    [InlineData("/a%2Fb", true)]
    [InlineData("", false)]
    [InlineData("/a b", false)]
    [InlineData("/a%", false)]
    [InlineData("/a%4", false)]
    [InlineData("/a%g0", false)]
    [InlineData("a#b#c", false)]
    [InlineData(":x", false)]
    [InlineData("1a:x", false)]
    [InlineData("a_b:x", false)]
    [InlineData("/\u00e9", false)]
    [InlineData("/a\"b", false)]
    [InlineData("/a<b>", false)]
    public void IsValid_Value_Classified(string value, bool expected)
    {
        Assert.Equal(expected, UriReference.IsValid(value));
    }
}
