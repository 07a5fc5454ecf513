using System.Globalization;
using Bridge.Client.V1;
using Google.Protobuf.WellKnownTypes;

namespace Bridge.Client;

/// <summary>
/// Builds <see cref="StartPosition"/> messages: where a subscription that has no committed offsets yet
/// starts reading. Once a subscription has committed, the server resumes from there and ignores this.
/// </summary>
public static class StartPositions
{
    /// <summary>Only events published after the subscription is first opened (the server's default).</summary>
    public static StartPosition Latest() => new() { Latest = true };

    /// <summary>Every event the server still keeps.</summary>
    public static StartPosition Earliest() => new() { Earliest = true };

    /// <summary>The first event at or after <paramref name="time"/>.</summary>
    /// <param name="time">The instant; any offset (converted to UTC).</param>
    public static StartPosition At(DateTimeOffset time) => new() { Timestamp = Timestamp.FromDateTimeOffset(time) };

    /// <summary>
    /// Parses the configuration form: <c>latest</c>, <c>earliest</c> (case-insensitive) or an RFC 3339 time with an
    /// offset, such as <c>2024-05-01T10:00:00Z</c>.
    /// </summary>
    /// <param name="text">The text. Must not be null.</param>
    /// <exception cref="FormatException">The text is none of these.</exception>
    public static StartPosition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out StartPosition? position)
            ? position
            : throw new FormatException($"Start position '{text}' is not 'latest', 'earliest' or an RFC 3339 time such as 2024-05-01T10:00:00Z.");
    }

    /// <summary>Parses like <see cref="Parse"/> without throwing.</summary>
    /// <param name="text">The text. May be null (then false).</param>
    /// <param name="position">The position when the text is valid; otherwise null.</param>
    /// <returns>True when the text is valid.</returns>
    public static bool TryParse(string? text, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out StartPosition? position)
    {
        position = null;
        string trimmed = text?.Trim() ?? string.Empty;
        if (trimmed.Equals("latest", StringComparison.OrdinalIgnoreCase))
        {
            position = Latest();
        }
        else if (trimmed.Equals("earliest", StringComparison.OrdinalIgnoreCase))
        {
            position = Earliest();
        }
        else if (LooksLikeRfc3339(trimmed)
            && DateTimeOffset.TryParse(trimmed, CultureInfo.InvariantCulture, DateTimeStyles.AllowWhiteSpaces, out DateTimeOffset time))
        {
            position = At(time);
        }
        return position is not null;
    }

    // RFC 3339 requires a full date, a 'T' (or space) time and an explicit offset: without one, the
    // instant would depend on the machine's time zone.
    private static bool LooksLikeRfc3339(string text) =>
        text.Length >= 20
        && text[4] == '-' && text[7] == '-' && (text[10] is 'T' or 't' or ' ')
        && (text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-');
}
