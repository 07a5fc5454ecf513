using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents.Tests.Internal;

public class UriSyntaxTests
{
    [Theory]
    [InlineData("https://example.com")]
    [InlineData("https://user:pw@example.com:8080/a/b?q=1&r=%20#frag")]
    [InlineData("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66")]
    [InlineData("mailto:someone@example.com")]
    [InlineData("http://[::1]:80/")]
    [InlineData("http://[2001:db8::7]/c=GB?objectClass?one")]
    [InlineData("http://[::ffff:192.0.2.1]/")]
    [InlineData("http://[v7.fe80::a+en1]/")]
    [InlineData("http://127.0.0.1/")]
    [InlineData("file:///etc/hosts")]
    [InlineData("https://example.com:/empty-port")]
    [InlineData("a+b.c-d:x")]
    public void CheckAbsoluteUri_Valid_ReturnsNull(string uri) => Assert.Null(UriSyntax.CheckAbsoluteUri(uri));

    [Theory]
    [InlineData("/a/b", "scheme")]
    [InlineData("type.googleapis.com/pkg.Msg", "scheme")]
    [InlineData("https://exa mple.com/", "space")]
    [InlineData("https://example.com/a b", "space")]
    [InlineData("https://example.com/%zz", "'%'")]
    [InlineData("https://example.com/%4", "'%'")]
    [InlineData("https://example.com/a\\b", "not allowed")]
    [InlineData("https://example.com/é", "not allowed")]
    [InlineData("https://example.com:80a/", "port")]
    [InlineData("http://[::1/", "unterminated")]
    [InlineData("http://[1:2:3]/", "IP literal")]
    [InlineData("http://[1::2::3]/", "IP literal")]
    [InlineData("http://[::ffff:256.0.0.1]/", "IP literal")]
    [InlineData("http://[::1]x/", "after the IP literal")]
    [InlineData("1http://example.com", "':'")]
    [InlineData(":x", "empty scheme")]
    [InlineData("https://example.com/#a#b", "not allowed")]
    [InlineData("https://exa<mple.com/", "not allowed")]
    public void CheckAbsoluteUri_Invalid_ReturnsReason(string uri, string reasonPart)
    {
        string? reason = UriSyntax.CheckAbsoluteUri(uri);

        Assert.NotNull(reason);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/a/b")]
    [InlineData("#frag")]
    [InlineData("1-555-123")]
    [InlineData("../x?y")]
    [InlineData("//host/path")]
    [InlineData("a/b:c")]
    [InlineData("")]
    [InlineData("?q")]
    [InlineData("https://example.com/a")]
    [InlineData("/apis/v1/namespaces/ns/kafkasources/name#topic")]
    public void CheckUriReference_Valid_ReturnsNull(string uri) => Assert.Null(UriSyntax.CheckUriReference(uri));

    [Theory]
    [InlineData("a b", "space")]
    [InlineData("50%", "'%'")]
    [InlineData("a:b:c/ ", "space")]
    [InlineData("1:x", "':'")]
    [InlineData("a_b:c", "':'")]
    [InlineData("/a\"b", "not allowed")]
    [InlineData("/a{b}", "not allowed")]
    public void CheckUriReference_Invalid_ReturnsReason(string uri, string reasonPart)
    {
        string? reason = UriSyntax.CheckUriReference(uri);

        Assert.NotNull(reason);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("::", true)]
    [InlineData("1:2:3:4:5:6:7:8", true)]
    [InlineData("1:2:3:4:5:6:7::", true)]
    [InlineData("::1:2:3:4:5:6:7", true)]
    [InlineData("1:2:3:4:5:6:1.2.3.4", true)]
    [InlineData("1:2:3:4:5:6:7:8:9", false)]
    [InlineData("1:2:3:4:5:6:7", false)]
    [InlineData("12345::", false)]
    [InlineData(":1::", false)]
    [InlineData("1:", false)]
    [InlineData("::01.2.3.4", false)]
    public void IsIPv6_Table_MatchesGrammar(string text, bool expected) => Assert.Equal(expected, UriSyntax.IsIPv6(text));
}
