using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// A provider's limit on a text: in characters (UTF-16 code units, never fewer than the code points or graphemes a
/// provider may count, so a text within it is within theirs) or in UTF-8 bytes for providers that count bytes.
/// </summary>
internal readonly record struct ChatLimit(int Max, bool Utf8)
{
    public static ChatLimit Chars(int max) => new(max, Utf8: false);

    public static ChatLimit Utf8Bytes(int max) => new(max, Utf8: true);

    public int Measure(string text) => Utf8 ? Encoding.UTF8.GetByteCount(text) : text.Length;

    public bool Fits(string text) => Measure(text) <= Max;
}

/// <summary>
/// Shortens chat texts to what a provider takes, so a long event message (Flagger puts a failing webhook's whole
/// response body into it) becomes a shortened notification instead of a refused delivery. Cuts fall between
/// graphemes (never inside a surrogate pair or a combined emoji) and never inside an escape of the sink's markup,
/// and a shortened text ends with <see cref="Mark"/>.
/// </summary>
internal static class ChatLimits
{
    /// <summary>The end of a shortened text, counting the characters (code points) left out.</summary>
    public static string Mark(int removed) => $"… (truncated, {removed.ToString(CultureInfo.InvariantCulture)} characters)";

    /// <summary>
    /// <paramref name="text"/> when it fits <paramref name="limit"/>; else its longest beginning that fits with
    /// <see cref="Mark"/> after it. A limit too small for the mark gets the bare beginning.
    /// </summary>
    public static string Truncate(string text, ChatLimit limit, TextEscaping escaping)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (limit.Fits(text))
        {
            return text;
        }
        // The mark counting every character of the text is at least as long as the one finally written.
        int room = limit.Max - limit.Measure(Mark(text.Length));
        if (room < 0)
        {
            return text[..PrefixEnd(text, Math.Max(limit.Max, 0), limit.Utf8, escaping)];
        }
        int end = PrefixEnd(text, room, limit.Utf8, escaping);
        return text[..end] + Mark(CodePoints(text.AsSpan(end)));
    }

    /// <summary>
    /// <paramref name="compose"/>(<paramref name="text"/>) when it fits; else the composition with the text shortened
    /// so the whole fits (and, should the rest of the composition alone be too long, the whole shortened).
    /// </summary>
    public static string Compose(Func<string, string> compose, string text, ChatLimit limit, TextEscaping escaping)
    {
        ArgumentNullException.ThrowIfNull(compose);
        string whole = compose(text);
        if (limit.Fits(whole))
        {
            return whole;
        }
        int room = limit.Max - limit.Measure(compose(string.Empty));
        string fitted = compose(Truncate(text, limit with { Max = Math.Max(room, 0) }, escaping));
        return limit.Fits(fitted) ? fitted : Truncate(fitted, limit, escaping);
    }

    /// <summary>
    /// The items joined by <paramref name="separator"/> as far as they fit, with <c>…</c> for the ones left out: a
    /// link is shown whole or not at all, since half a link would not work.
    /// </summary>
    public static string Join(IEnumerable<string> items, string separator, ChatLimit limit)
    {
        ArgumentNullException.ThrowIfNull(items);
        var joined = new StringBuilder();
        foreach (string item in items)
        {
            string next = joined.Length == 0 ? item : joined + separator + item;
            if (!limit.Fits(next))
            {
                string more = joined.Length == 0 ? "…" : joined + separator + "…";
                return limit.Fits(more) ? more : joined.ToString();
            }
            joined.Clear().Append(next);
        }
        return joined.ToString();
    }

    /// <summary>
    /// The payload <paramref name="build"/> makes of <paramref name="text"/>, serialized as the sinks send it, with the
    /// text shortened until the body is at most <paramref name="maxBytes"/>. JSON escaping can make a character longer
    /// in the body than in the text, so the size is measured on the body itself.
    /// </summary>
    public static byte[] SerializeWithin<T>(Func<string, T> build, string text, int maxBytes, TextEscaping escaping, string sinkName)
    {
        ArgumentNullException.ThrowIfNull(build);
        ArgumentNullException.ThrowIfNull(text);
        byte[] body = JsonSerializer.SerializeToUtf8Bytes(build(text), ChatHttp.JsonOptions);
        if (body.Length <= maxBytes)
        {
            return body;
        }
        // JSON escaping grows characters unevenly (a quote to two bytes, an emoji to twelve), so the largest text
        // budget whose body fits is searched for rather than computed.
        byte[]? best = null;
        int low = 0;
        int high = Encoding.UTF8.GetByteCount(text);
        while (low <= high)
        {
            int room = low + ((high - low) / 2);
            byte[] candidate = JsonSerializer.SerializeToUtf8Bytes(build(Truncate(text, ChatLimit.Utf8Bytes(room), escaping)), ChatHttp.JsonOptions);
            if (candidate.Length <= maxBytes)
            {
                best = candidate;
                low = room + 1;
            }
            else
            {
                high = room - 1;
            }
        }
        return best ?? throw new SinkException($"Sink '{sinkName}': the message is over the provider's limit of {maxBytes} bytes even without its text");
    }

    /// <summary>The end of the longest beginning of whole graphemes within <paramref name="room"/>, moved before any escape it would split.</summary>
    private static int PrefixEnd(string text, int room, bool utf8, TextEscaping escaping)
    {
        int end = 0;
        int used = 0;
        while (end < text.Length)
        {
            int length = StringInfo.GetNextTextElementLength(text.AsSpan(end));
            int size = utf8 ? Encoding.UTF8.GetByteCount(text.AsSpan(end, length)) : length;
            if (used + size > room)
            {
                break;
            }
            used += size;
            end += length;
        }
        return EscapeSafe(text, end, escaping);
    }

    private static int EscapeSafe(string text, int end, TextEscaping escaping)
    {
        switch (escaping)
        {
            case TextEscaping.Markdown:
                // An odd run of backslashes at the end would leave one escaping whatever follows the cut.
                int backslashes = 0;
                while (backslashes < end && text[end - 1 - backslashes] == '\\')
                {
                    backslashes++;
                }
                return backslashes % 2 == 1 ? end - 1 : end;
            case TextEscaping.Slack:
            case TextEscaping.Html:
                // A tag or a Slack <link|label> cut open would swallow the mark; so would an entity such as &amp; cut short.
                int open = end == 0 ? -1 : text.LastIndexOf('<', end - 1);
                if (open >= 0 && text.IndexOf('>', open, end - open) < 0)
                {
                    end = open;
                }
                int amp = end == 0 ? -1 : text.LastIndexOf('&', end - 1, Math.Min(end, 10));
                if (amp >= 0 && text.IndexOf(';', amp, end - amp) < 0)
                {
                    end = amp;
                }
                return end;
            default:
                return end;
        }
    }

    private static int CodePoints(ReadOnlySpan<char> text)
    {
        int count = 0;
        foreach (Rune _ in text.EnumerateRunes())
        {
            count++;
        }
        return count;
    }
}
