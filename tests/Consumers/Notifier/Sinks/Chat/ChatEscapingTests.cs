using Bridge.Notifier.Sinks.Chat;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class ChatEscapingTests
{
    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("a < b && c > d", "a &lt; b &amp;&amp; c &gt; d")]
    [InlineData("<!channel> <@U123>", "&lt;!channel&gt; &lt;@U123&gt;")]
    [InlineData("*bold* _it_ ~s~ \"q\"", "*bold* _it_ ~s~ \"q\"")]
    public void SlackText_Escape_EscapesOnlyControlCharacters(string text, string expected) =>
        Assert.Equal(expected, SlackText.Escape(text));

    [Fact]
    public void SlackText_Link_KeepsTheUrlFromEndingTheLink() =>
        Assert.Equal("<https://e.com/a%7Cb%3Ec|a &lt;b&gt;>", SlackText.Link(new Uri("https://e.com/a|b>c"), "a <b>"));

    [Theory]
    [InlineData("Advance podinfo.test canary weight 10", "Advance podinfo.test canary weight 10")]
    [InlineData("Canary failed! (again)", "Canary failed! (again)")]
    [InlineData("*a* _b_ ~c~ `d` [e] # | < > \\", "\\*a\\* \\_b\\_ \\~c\\~ \\`d\\` \\[e\\] \\# \\| \\< \\> \\\\")]
    [InlineData("rate 90.00% < 99%", "rate 90.00% \\< 99%")]
    public void MarkdownText_Escape_BackslashesMarkup(string text, string expected) =>
        Assert.Equal(expected, MarkdownText.Escape(text));

    [Fact]
    public void MarkdownText_Link_KeepsTheUrlFromEndingTheLink() =>
        Assert.Equal("[a\\]b](https://e.com/x%28y%29)", MarkdownText.Link(new Uri("https://e.com/x(y)"), "a]b"));

    [Theory]
    [InlineData("<b>\"x\" & 'y'</b>", "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;")]
    [InlineData("über 日本語 🚀", "über 日本語 🚀")]
    public void HtmlText_Escape_EscapesTheFiveHtmlCharactersOnly(string text, string expected) =>
        Assert.Equal(expected, HtmlText.Escape(text));
}
