namespace Bridge.CloudEvents.Internal;

/// <summary>
/// Strict RFC 3339 <c>date-time</c> parsing and formatting, independent of culture.
/// </summary>
/// <remarks>
/// .NET's own parsers accept many ISO 8601 variants (missing seconds, <c>±HH</c> offsets, spaces), so the grammar
/// is checked by hand. Values are <see cref="CloudEventTimestamp"/>s, to the nanosecond: fraction digits beyond the
/// ninth are dropped. <see cref="DateTimeOffset"/> limits offsets to ±14:00, so a valid larger offset (RFC 3339 allows
/// up to 23:59) is converted to UTC.
/// </remarks>
internal static class Rfc3339
{
    private static readonly TimeSpan MaxDotNetOffset = TimeSpan.FromHours(14);

    /// <summary>Parses a timestamp to the 100 ns tick (later digits dropped); returns null on success, else the reason it is invalid.</summary>
    public static string? TryParse(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        string? reason = TryParsePrecise(s, out CloudEventTimestamp precise);
        value = precise.DateTimeOffset;
        return reason;
    }

    /// <summary>Parses a timestamp to the nanosecond; returns null on success, else the reason it is invalid.</summary>
    public static string? TryParsePrecise(ReadOnlySpan<char> s, out CloudEventTimestamp value)
    {
        value = default;
        const string Shape = "expected YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)";
        if (s.Length < 16)
        {
            return Shape;
        }

        if (!Digits(s, 0, 4, out int year) || s[4] != '-' || !Digits(s, 5, 2, out int month) || s[7] != '-'
            || !Digits(s, 8, 2, out int day))
        {
            return Shape;
        }

        if (s[10] != 'T' && s[10] != 't')
        {
            return "date and time must be separated by 'T'";
        }

        if (!Digits(s, 11, 2, out int hour) || s[13] != ':' || !Digits(s, 14, 2, out int minute))
        {
            return Shape;
        }

        if (s.Length < 19 || s[16] != ':' || !Digits(s, 17, 2, out int second))
        {
            return "seconds are mandatory";
        }

        int pos = 19;
        if (pos >= s.Length)
        {
            return "the offset (Z or +HH:MM) is mandatory";
        }

        int fractionNanoseconds = 0;
        if (s[pos] == '.')
        {
            pos++;
            int start = pos;
            int scale = 100_000_000;
            while (pos < s.Length && s[pos] >= '0' && s[pos] <= '9')
            {
                fractionNanoseconds += (s[pos] - '0') * scale;
                scale /= 10;
                pos++;
            }

            if (pos == start)
            {
                return "a '.' must be followed by fraction digits";
            }
        }

        if (pos >= s.Length)
        {
            return "the offset (Z or +HH:MM) is mandatory";
        }

        TimeSpan offset;
        char o = s[pos];
        if (o == 'Z' || o == 'z')
        {
            offset = TimeSpan.Zero;
            pos++;
        }
        else if (o == '+' || o == '-')
        {
            if (s.Length - pos != 6 || !Digits(s, pos + 1, 2, out int oh) || s[pos + 3] != ':' || !Digits(s, pos + 4, 2, out int om))
            {
                return "the offset must be Z or ±HH:MM";
            }

            if (oh > 23 || om > 59)
            {
                return "offset out of range";
            }

            offset = new TimeSpan(oh, om, 0);
            if (o == '-')
            {
                offset = -offset;
            }

            pos += 6;
        }
        else
        {
            return "the offset must be Z or ±HH:MM";
        }

        if (pos != s.Length)
        {
            return "unexpected characters after the offset";
        }

        if (month < 1 || month > 12)
        {
            return "month out of range";
        }

        if (year == 0)
        {
            return "year 0000 is not supported";
        }

        if (day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return "no such date";
        }

        if (hour > 23)
        {
            return "hour out of range";
        }

        if (minute > 59)
        {
            return "minute out of range";
        }

        if (second == 60)
        {
            return "leap second 60 is not supported";
        }

        if (second > 59)
        {
            return "second out of range";
        }

        long localTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + (fractionNanoseconds / 100);
        long utcTicks = localTicks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            return "outside the supported range";
        }

        DateTimeOffset ticksValue = offset.Duration() <= MaxDotNetOffset && localTicks <= DateTime.MaxValue.Ticks
            ? new DateTimeOffset(localTicks, offset)
            : new DateTimeOffset(utcTicks, TimeSpan.Zero);
        value = new CloudEventTimestamp(ticksValue, fractionNanoseconds % 100);
        return null;
    }

    /// <summary>The longest rendering: <c>yyyy-MM-ddTHH:mm:ss.fffffffffZ</c>.</summary>
    public const int MaxLength = 30;

    /// <summary>Formats in UTC with 'Z' and only as many fraction digits (up to 7) as needed.</summary>
    public static string Format(DateTimeOffset value) => Format(new CloudEventTimestamp(value));

    /// <summary>Formats in UTC with 'Z' and only as many fraction digits (up to 9) as needed.</summary>
    public static string Format(CloudEventTimestamp value)
    {
        Span<char> buffer = stackalloc char[MaxLength];
        int length = Format(value, buffer);
        return new string(buffer[..length]);
    }

    /// <summary>Formats into <paramref name="span"/> (at least <see cref="MaxLength"/> chars) and returns the length.</summary>
    public static int Format(CloudEventTimestamp value, Span<char> span)
    {
        DateTime d = value.DateTimeOffset.UtcDateTime;
        int fraction = ((int)(d.Ticks % TimeSpan.TicksPerSecond) * 100) + value.SubTickNanoseconds;
        int digits = 0;
        if (fraction != 0)
        {
            digits = 9;
            while (fraction % 10 == 0)
            {
                fraction /= 10;
                digits--;
            }
        }

        Write(span, 0, d.Year, 4);
        span[4] = '-';
        Write(span, 5, d.Month, 2);
        span[7] = '-';
        Write(span, 8, d.Day, 2);
        span[10] = 'T';
        Write(span, 11, d.Hour, 2);
        span[13] = ':';
        Write(span, 14, d.Minute, 2);
        span[16] = ':';
        Write(span, 17, d.Second, 2);
        int pos = 19;
        if (digits > 0)
        {
            span[pos++] = '.';
            Write(span, pos, fraction, digits);
            pos += digits;
        }

        span[pos++] = 'Z';
        return pos;
    }

    private static void Write(Span<char> span, int start, int value, int width)
    {
        for (int i = start + width - 1; i >= start; i--)
        {
            span[i] = (char)('0' + (value % 10));
            value /= 10;
        }
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        for (int i = start; i < start + count; i++)
        {
            char c = s[i];
            if (c < '0' || c > '9')
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return true;
    }
}
