using System.Text;
using System.Text.Json;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Sinks.Chat;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class ChatLimitsTests
{
    private const string MarkStart = "… (truncated, ";

    /// <summary>The text before the mark, asserting the mark is there and counts what was left out of <paramref name="whole"/>.</summary>
    private static string Kept(string shortened, string whole)
    {
        int mark = shortened.IndexOf(MarkStart, StringComparison.Ordinal);
        Assert.True(mark >= 0, $"no truncation mark in '{shortened}'");
        string kept = shortened[..mark];
        Assert.StartsWith(kept, whole, StringComparison.Ordinal);
        int removed = whole[kept.Length..].EnumerateRunes().Count();
        Assert.Equal(ChatLimits.Mark(removed), shortened[mark..]);
        return kept;
    }

    [Theory]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("exactly ten")]
    public void Truncate_TextWithinTheLimit_IsUnchanged(string text) =>
        Assert.Same(text, ChatLimits.Truncate(text, ChatLimit.Chars(11), TextEscaping.None));

    [Fact]
    public void Truncate_LongText_KeepsTheBeginningAndEndsWithTheMarkCountingWhatWasLeftOut()
    {
        string text = new('a', 100);

        string shortened = ChatLimits.Truncate(text, ChatLimit.Chars(50), TextEscaping.None);

        Assert.True(shortened.Length <= 50, shortened);
        Assert.EndsWith(" characters)", shortened, StringComparison.Ordinal);
        Assert.NotEmpty(Kept(shortened, text));
    }

    [Fact]
    public void Truncate_AtEveryLimit_NeverSplitsASurrogatePair()
    {
        // After the 'a' every pair starts at an odd index, so half the limits fall inside a pair.
        string text = "a" + string.Concat(Enumerable.Repeat("🚀", 100));
        for (int limit = 30; limit < 80; limit++)
        {
            string shortened = ChatLimits.Truncate(text, ChatLimit.Chars(limit), TextEscaping.None);

            Assert.True(shortened.Length <= limit, $"{shortened.Length} > {limit}");
            string kept = Kept(shortened, text);
            Assert.Equal(1, kept.Length % 2);
        }
    }

    [Fact]
    public void Truncate_AtEveryLimit_KeepsCombinedEmojiWhole()
    {
        const string family = "👩‍👩‍👧";
        string text = string.Concat(Enumerable.Repeat(family, 40));
        for (int limit = 30; limit < 60; limit++)
        {
            string kept = Kept(ChatLimits.Truncate(text, ChatLimit.Chars(limit), TextEscaping.None), text);

            Assert.Equal(0, kept.Length % family.Length);
        }
    }

    [Fact]
    public void Truncate_Utf8Limit_CountsBytesNotCharacters()
    {
        string text = string.Concat(Enumerable.Repeat("日本語", 1000));

        string shortened = ChatLimits.Truncate(text, ChatLimit.Utf8Bytes(100), TextEscaping.None);

        Assert.True(Encoding.UTF8.GetByteCount(shortened) <= 100, $"{Encoding.UTF8.GetByteCount(shortened)} bytes");
        string kept = Kept(shortened, text);
        Assert.True(kept.Length is > 0 and <= 22, $"kept {kept.Length} characters of three bytes each");
    }

    [Fact]
    public void Truncate_MarkdownAtEveryLimit_NeverLeavesHalfAnEscape()
    {
        string whole = MarkdownText.Escape(new string('*', 100));
        for (int limit = 30; limit < 60; limit++)
        {
            string kept = Kept(ChatLimits.Truncate(whole, ChatLimit.Chars(limit), TextEscaping.Markdown), whole);

            Assert.Equal(0, kept.Length % 2);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Truncate_EntitiesAtEveryLimit_AreKeptWholeOrLeftOut(bool slack)
    {
        TextEscaping escaping = slack ? TextEscaping.Slack : TextEscaping.Html;
        string whole = SlackText.Escape(new string('&', 100));
        for (int limit = 30; limit < 60; limit++)
        {
            string kept = Kept(ChatLimits.Truncate(whole, ChatLimit.Chars(limit), escaping), whole);

            Assert.Equal(0, kept.Length % "&amp;".Length);
        }
    }

    [Fact]
    public void Truncate_SlackLinksAtEveryLimit_AreKeptWholeOrLeftOut()
    {
        const string link = "<https://grafana.example.com/d/x|dash> ";
        string whole = string.Concat(Enumerable.Repeat(link, 20));
        for (int limit = 60; limit < 140; limit++)
        {
            string kept = Kept(ChatLimits.Truncate(whole, ChatLimit.Chars(limit), TextEscaping.Slack), whole);

            Assert.True(kept.LastIndexOf('<') <= kept.LastIndexOf('>'), $"a link is cut open: '{kept}'");
        }
    }

    [Fact]
    public void Truncate_LimitBelowTheMark_KeepsABareBeginning() =>
        Assert.Equal("abcde", ChatLimits.Truncate("abcdefghijklmnop", ChatLimit.Chars(5), TextEscaping.None));

    [Fact]
    public void Compose_LongText_IsShortenedSoTheWholeFits()
    {
        string text = new('x', 500);

        string composed = ChatLimits.Compose(t => $"*title*\n{t}\n-- end", text, ChatLimit.Chars(100), TextEscaping.None);

        Assert.True(composed.Length <= 100, $"{composed.Length} characters");
        Assert.StartsWith("*title*\nxxx", composed, StringComparison.Ordinal);
        Assert.EndsWith(" characters)\n-- end", composed, StringComparison.Ordinal);
    }

    [Fact]
    public void Compose_ShortText_IsTheCompositionUnchanged() =>
        Assert.Equal("[short]", ChatLimits.Compose(t => $"[{t}]", "short", ChatLimit.Chars(100), TextEscaping.None));

    [Fact]
    public void Compose_FrameAloneTooLong_ShortensTheWhole()
    {
        string composed = ChatLimits.Compose(t => new string('f', 200) + t, "text", ChatLimit.Chars(100), TextEscaping.None);

        Assert.True(composed.Length <= 100, $"{composed.Length} characters");
        Assert.Contains(MarkStart, composed, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(100, "aaaa · bbbb · cccc")]
    [InlineData(12, "aaaa · bbbb")]
    [InlineData(10, "aaaa · …")]
    [InlineData(3, "…")]
    [InlineData(0, "")]
    public void Join_LeavesOutWholeItemsThatDoNotFit(int limit, string expected) =>
        Assert.Equal(expected, ChatLimits.Join(["aaaa", "bbbb", "cccc"], " · ", ChatLimit.Chars(limit)));

    [Fact]
    public void SerializeWithin_TextGrowingInJson_KeepsTheBodyWithinTheLimit()
    {
        // Quotes and control characters take two or six bytes in JSON for one in the text.
        string text = string.Concat(Enumerable.Repeat("\"\u0001🚀", 5000));

        byte[] body = ChatLimits.SerializeWithin(t => new { text = t }, text, 1000, TextEscaping.None, "chat");

        Assert.True(body.Length <= 1000, $"{body.Length} bytes");
        string shown = JsonDocument.Parse(body).RootElement.GetProperty("text").GetString()!;
        Kept(shown, text);
    }

    [Fact]
    public void SerializeWithin_FrameAloneTooLarge_ThrowsNamingTheSinkAndSizes()
    {
        SinkException e = Assert.Throws<SinkException>(() =>
            ChatLimits.SerializeWithin(t => new { frame = new string('f', 2000), text = t }, "text", 1000, TextEscaping.None, "team-chat"));

        Assert.False(e.IsTransient);
        Assert.Contains("team-chat", e.Message, StringComparison.Ordinal);
        Assert.Contains("1000", e.Message, StringComparison.Ordinal);
    }
}
