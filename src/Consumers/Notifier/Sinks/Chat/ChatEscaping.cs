using System.Buffers;
using System.Text;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>Escapes text for Slack's <c>mrkdwn</c>, where only <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> are control characters.</summary>
internal static class SlackText
{
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal);

    /// <summary>A link in Slack's <c>&lt;url|label&gt;</c> form; the URL's own <c>|</c> and angle brackets are percent-encoded so they cannot end it.</summary>
    public static string Link(Uri url, string label) =>
        $"<{url.AbsoluteUri.Replace("|", "%7C", StringComparison.Ordinal).Replace("<", "%3C", StringComparison.Ordinal).Replace(">", "%3E", StringComparison.Ordinal)}|{Escape(label)}>";
}

/// <summary>
/// Escapes text for the Markdown dialects of Teams, Discord, Mattermost, Rocket.Chat, DingTalk, WeCom and Feishu:
/// every punctuation character that can start or end a construct gets a backslash, so a message shows as written.
/// Parentheses and <c>!</c> only mean something after a <c>]</c> or before a <c>[</c>, which are escaped, so they stay.
/// </summary>
internal static class MarkdownText
{
    private static readonly SearchValues<char> Special = SearchValues.Create("\\`*_~[]#<>|");

    public static string Escape(string text)
    {
        if (text.AsSpan().IndexOfAny(Special) < 0)
        {
            return text;
        }
        var escaped = new StringBuilder(text.Length + 16);
        foreach (char c in text)
        {
            if (Special.Contains(c))
            {
                escaped.Append('\\');
            }
            escaped.Append(c);
        }
        return escaped.ToString();
    }

    /// <summary>A Markdown link; the URL's parentheses and spaces are percent-encoded so they cannot end it.</summary>
    public static string Link(Uri url, string label) =>
        $"[{Escape(label)}]({url.AbsoluteUri.Replace("(", "%28", StringComparison.Ordinal).Replace(")", "%29", StringComparison.Ordinal).Replace(" ", "%20", StringComparison.Ordinal)})";
}

/// <summary>Escapes text for the HTML subset of Google Chat card text.</summary>
internal static class HtmlText
{
    // Only the five characters with a meaning in HTML: letters of every script stay as they are, unlike WebUtility.HtmlEncode.
    public static string Escape(string text) =>
        text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("\"", "&quot;", StringComparison.Ordinal)
            .Replace("'", "&#39;", StringComparison.Ordinal);
}
