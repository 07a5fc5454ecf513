using Bridge.CloudEvents.Http;

namespace Bridge.CloudEvents.Tests.Http;

public class HttpHeaderValueTests
{
    [Theory]
    [InlineData("plain", "plain")]
    [InlineData("Euro € 😀", "Euro%20%E2%82%AC%20%F0%9F%98%80")]
    [InlineData("a\"b", "a%22b")]
    [InlineData("50%", "50%25")]
    [InlineData("a+b,c;d=e", "a+b,c;d=e")]
    [InlineData("tab\tdel\u007F", "tab%09del%7F")]
    [InlineData("é", "%C3%A9")]
    [InlineData("", "")]
    public void Encode_Table_PercentEncodesUtf8(string value, string expected)
    {
        string encoded = HttpHeaderValue.Encode(value);

        Assert.Equal(expected, encoded);
        Assert.Null(HttpHeaderValue.TryDecode(encoded, out string decoded));
        Assert.Equal(value, decoded);
    }

    [Theory]
    [InlineData("%2525", "%25")]
    [InlineData("%25", "%")]
    [InlineData("%e2%82%ac", "€")]
    [InlineData("%41%42", "AB")]
    [InlineData("a+b", "a+b")]
    [InlineData("\"quoted value\"", "quoted value")]
    [InlineData("\"a\\\"b\"", "a\"b")]
    [InlineData("\"a\\\\b\"", "a\\b")]
    [InlineData("x\"%25\"y", "x%y")]
    [InlineData("a\\b", "a\\b")]
    [InlineData("\"%2525\"", "%25")]
    [InlineData("a b", "a b")]
    public void TryDecode_Valid_DecodesExactlyOnce(string raw, string expected)
    {
        Assert.Null(HttpHeaderValue.TryDecode(raw, out string value));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("%C0%A0", "not valid UTF-8 at byte 0")]
    [InlineData("%E0%80%80", "not valid UTF-8")]
    [InlineData("%ED%A0%80", "not valid UTF-8")]
    [InlineData("%ED%B0%80", "not valid UTF-8")]
    [InlineData("ab%E2%82", "not valid UTF-8 at byte 2")]
    [InlineData("%80", "not valid UTF-8")]
    [InlineData("%F4%90%80%80", "not valid UTF-8")]
    [InlineData("%FF", "not valid UTF-8")]
    [InlineData("%", "malformed percent-escape at index 0")]
    [InlineData("a%2", "malformed percent-escape at index 1")]
    [InlineData("%zz", "malformed percent-escape")]
    [InlineData("%%41", "malformed percent-escape")]
    [InlineData("\"open", "unterminated quoted-string")]
    [InlineData("\"a\\", "lone backslash")]
    [InlineData("café", "must be percent-encoded")]
    public void TryDecode_Invalid_ReturnsReason(string raw, string reasonPart)
    {
        string? reason = HttpHeaderValue.TryDecode(raw, out _);

        Assert.NotNull(reason);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void TryDecode_NoEscapes_ReturnsSameInstance()
    {
        const string raw = "no-escapes-here";

        Assert.Null(HttpHeaderValue.TryDecode(raw, out string value));
        Assert.Same(raw, value);
        Assert.Same(raw, HttpHeaderValue.Encode(raw));
    }
}
