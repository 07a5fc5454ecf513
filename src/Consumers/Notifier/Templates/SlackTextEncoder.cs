using System.Text.Encodings.Web;

namespace Bridge.Notifier.Templates;

/// <summary>
/// Escapes text for Slack's <c>mrkdwn</c>: only <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> are control characters there
/// (links and mentions start with <c>&lt;</c>), and Slack shows a backslash literally, so Markdown's backslash escapes
/// would only add noise.
/// </summary>
internal sealed class SlackTextEncoder : TextEncoder
{
    public static readonly SlackTextEncoder Instance = new();

    public override int MaxOutputCharactersPerInputCharacter => 5;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (int i = 0; i < textLength; i++)
        {
            if (WillEncode(text[i]))
            {
                return i;
            }
        }
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        string replacement = unicodeScalar switch
        {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            _ => new System.Text.Rune(unicodeScalar).ToString(),
        };
        if (bufferLength < replacement.Length)
        {
            numberOfCharactersWritten = 0;
            return false;
        }
        for (int i = 0; i < replacement.Length; i++)
        {
            buffer[i] = replacement[i];
        }
        numberOfCharactersWritten = replacement.Length;
        return true;
    }

    public override bool WillEncode(int unicodeScalar) => unicodeScalar is '&' or '<' or '>';
}
