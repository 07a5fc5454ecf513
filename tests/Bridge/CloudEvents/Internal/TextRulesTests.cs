using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents.Tests.Internal;

public class TextRulesTests
{
    [Theory]
    [InlineData("id", true)]
    [InlineData("a1", true)]
    [InlineData("1a", true)]
    [InlineData("averyveryverylongattributename", true)]
    [InlineData("", false)]
    [InlineData("data", false)]
    [InlineData("Data", false)]
    [InlineData("my_ext", false)]
    [InlineData("my-ext", false)]
    [InlineData("my.ext", false)]
    [InlineData("ünicode", false)]
    [InlineData("data_base64", false)]
    public void IsValidAttributeName_Table_MatchesRules(string name, bool expected)
    {
        Assert.Equal(expected, TextRules.IsValidAttributeName(name.AsSpan()));
        Assert.Equal(expected, TextRules.IsValidAttributeName(System.Text.Encoding.UTF8.GetBytes(name).AsSpan()));
    }

    [Theory]
    [InlineData("plain text")]
    [InlineData("Euro € 😀")]
    [InlineData("")]
    [InlineData("\u00A0nbsp")]
    [InlineData("\uFDCF\uFDF0")]
    public void CheckString_Valid_ReturnsNull(string value) => Assert.Null(TextRules.CheckString(value));

    [Theory]
    [InlineData("a\u0000b", "control character U+0000")]
    [InlineData("tab\t", "control character U+0009")]
    [InlineData("line\n", "control character U+000A")]
    [InlineData("del\u007F", "control character U+007F")]
    [InlineData("c1\u0085", "control character U+0085")]
    [InlineData("c1\u009F", "control character U+009F")]
    [InlineData("\uFDD0", "noncharacter U+FDD0")]
    [InlineData("\uFDEF", "noncharacter U+FDEF")]
    [InlineData("\uFFFE", "noncharacter U+FFFE")]
    [InlineData("\uFFFF", "noncharacter U+FFFF")]
    [InlineData("\uD83F\uDFFE", "noncharacter U+1FFFE")]
    [InlineData("\uDBFF\uDFFF", "noncharacter U+10FFFF")]
    public void CheckString_Invalid_NamesCharacter(string value, string reasonPart)
    {
        string? reason = TextRules.CheckString(value);

        Assert.NotNull(reason);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Surrogates), DisableDiscoveryEnumeration = true)]
    public void CheckString_UnpairedSurrogate_NamesCharacter(string value, string reasonPart)
    {
        string? reason = TextRules.CheckString(value);

        Assert.NotNull(reason);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    // Built in code: attribute arguments are stored as UTF-8 and cannot hold unpaired surrogates.
    public static TheoryData<string, string> Surrogates() => new()
    {
        { "a" + (char)0xD800, "unpaired surrogate U+D800 at index 1" },
        { (char)0xDC00 + "a", "unpaired surrogate U+DC00 at index 0" },
        { new string((char)0xD800, 2), "unpaired surrogate U+D800 at index 0" },
    };

    [Fact]
    public void Quote_LongValueWithControls_TruncatesAndEscapes()
    {
        string quoted = TextRules.Quote("a\u0001" + new string('x', 500));

        Assert.StartsWith("'a\\u0001x", quoted, StringComparison.Ordinal);
        Assert.Contains("(502 chars)", quoted, StringComparison.Ordinal);
        Assert.True(quoted.Length < 200);
    }
}
