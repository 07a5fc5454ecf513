using System.Buffers.Text;
using System.Globalization;
using System.Text;

namespace Bridge.Audit.Api;

/// <summary>
/// Opaque paging cursors: base64url of "kind:position". Clients pass back what they got; a cursor of another list or
/// order is refused, not misread.
/// </summary>
internal static class Cursor
{
    public static string Encode(string kind, long position) =>
        Base64Url.EncodeToString(Encoding.UTF8.GetBytes($"{kind}:{position.ToString(CultureInfo.InvariantCulture)}"));

    public static bool TryDecode(string text, string kind, out long position)
    {
        position = 0;
        try
        {
            var decoded = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(text));
            return decoded.StartsWith(kind + ":", StringComparison.Ordinal)
                   && long.TryParse(decoded.AsSpan(kind.Length + 1), NumberStyles.None, CultureInfo.InvariantCulture, out position);
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
