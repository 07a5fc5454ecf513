using System.Text.Encodings.Web;

namespace Bridge.Notifier.Templates;

/// <summary>
/// Escapes the characters chat Markdown dialects give a meaning (<c>\ ` * _ ~ [ ] ( ) # | &lt; &gt;</c>) with a
/// backslash, so text such as a canary message cannot turn into formatting or links.
/// </summary>
internal sealed class MarkdownEncoder : TextEncoder
{
    public static readonly MarkdownEncoder Instance = new();

    private const string Special = "\\`*_~[]()#|<>";

    public override int MaxOutputCharactersPerInputCharacter => 2;

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength)
    {
        for (int i = 0; i < textLength; i++)
        {
            if (Special.Contains(text[i], StringComparison.Ordinal))
            {
                return i;
            }
        }
        return -1;
    }

    public override unsafe bool TryEncodeUnicodeScalar(int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        if (!WillEncode(unicodeScalar))
        {
            // Characters outside the BMP are written as their surrogate pair, unchanged.
            Span<char> chars = stackalloc char[2];
            int count = new System.Text.Rune(unicodeScalar).EncodeToUtf16(chars);
            if (bufferLength < count)
            {
                numberOfCharactersWritten = 0;
                return false;
            }
            for (int i = 0; i < count; i++)
            {
                buffer[i] = chars[i];
            }
            numberOfCharactersWritten = count;
            return true;
        }
        if (bufferLength < 2)
        {
            numberOfCharactersWritten = 0;
            return false;
        }
        buffer[0] = '\\';
        buffer[1] = (char)unicodeScalar;
        numberOfCharactersWritten = 2;
        return true;
    }

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 128 && Special.Contains((char)unicodeScalar, StringComparison.Ordinal);
}
