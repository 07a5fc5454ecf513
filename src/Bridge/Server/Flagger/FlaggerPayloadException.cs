using System.Text;

namespace Bridge.Server.Flagger;

/// <summary>
/// A Flagger request the bridge cannot turn into an event. The message names the offending field and
/// says what was expected, so it can be returned as-is in an HTTP 400 problem detail.
/// </summary>
internal sealed class FlaggerPayloadException : Exception
{
    private const int MaxShownLength = 64;

    public FlaggerPayloadException(string? field, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Field = field;
    }

    /// <summary>The JSON path of the offending field (<c>name</c>, <c>metadata.timestamp</c>), or null for the body as a whole.</summary>
    public string? Field { get; }

    /// <summary>
    /// Renders untrusted input for an error message: at most 64 characters, with control and
    /// non-ASCII characters escaped, so a message never carries raw bytes or gets huge.
    /// </summary>
    internal static string Describe(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxShownLength) + 8);
        var length = Math.Min(value.Length, MaxShownLength);
        for (var i = 0; i < length; i++)
        {
            var c = value[i];
            if (c is >= ' ' and <= '~')
            {
                builder.Append(c);
            }
            else
            {
                builder.Append("\\u").Append(((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        if (value.Length > MaxShownLength)
        {
            builder.Append("... (").Append(value.Length).Append(" characters)");
        }

        return builder.ToString();
    }
}
