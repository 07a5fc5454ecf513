using System.Globalization;

namespace Bridge.Grpc.Internal;

/// <summary>The <c>grpc-timeout</c> header: 1-8 ASCII digits and a unit (H M S m u n).</summary>
internal static class GrpcTimeout
{
    /// <summary>
    /// The longest timeout a timer can represent (CancellationTokenSource.CancelAfter takes at most
    /// int.MaxValue milliseconds, about 24.8 days); larger values are clamped to it.
    /// </summary>
    public static readonly TimeSpan MaxTimeout = TimeSpan.FromMilliseconds(int.MaxValue);

    public static bool TryParse(string? value, out TimeSpan timeout)
    {
        timeout = default;
        if (value is null || value.Length < 2 || value.Length > 9)
        {
            return false;
        }
        long amount = 0;
        for (int i = 0; i < value.Length - 1; i++)
        {
            char c = value[i];
            if (c is < '0' or > '9')
            {
                return false;
            }
            amount = (amount * 10) + (c - '0');
        }
        // 8 digits of hours is about 11,400 years: compute in decimal ticks so nothing overflows, then clamp.
        decimal ticks = value[^1] switch
        {
            'H' => amount * (decimal)TimeSpan.TicksPerHour,
            'M' => amount * (decimal)TimeSpan.TicksPerMinute,
            'S' => amount * (decimal)TimeSpan.TicksPerSecond,
            'm' => amount * (decimal)TimeSpan.TicksPerMillisecond,
            'u' => amount * 10m,
            'n' => amount / 100m,
            _ => -1m,
        };
        if (ticks < 0)
        {
            return false;
        }
        // Round up so that 1n still means "a deadline", not "no time at all = no deadline".
        decimal rounded = decimal.Ceiling(ticks);
        timeout = rounded >= MaxTimeout.Ticks ? MaxTimeout : TimeSpan.FromTicks((long)rounded);
        return true;
    }

    /// <summary>Formats a positive timeout with the finest unit that fits in 8 digits, rounding up.</summary>
    public static string Format(TimeSpan timeout)
    {
        long ticks = Math.Max(timeout.Ticks, 1);
        long micros = DivideUp(ticks, 10);
        if (micros <= 99_999_999)
        {
            return micros.ToString(CultureInfo.InvariantCulture) + "u";
        }
        long millis = DivideUp(ticks, TimeSpan.TicksPerMillisecond);
        if (millis <= 99_999_999)
        {
            return millis.ToString(CultureInfo.InvariantCulture) + "m";
        }
        long seconds = DivideUp(ticks, TimeSpan.TicksPerSecond);
        if (seconds <= 99_999_999)
        {
            return seconds.ToString(CultureInfo.InvariantCulture) + "S";
        }
        long minutes = DivideUp(ticks, TimeSpan.TicksPerMinute);
        if (minutes <= 99_999_999)
        {
            return minutes.ToString(CultureInfo.InvariantCulture) + "M";
        }
        return Math.Min(DivideUp(ticks, TimeSpan.TicksPerHour), 99_999_999).ToString(CultureInfo.InvariantCulture) + "H";
    }

    private static long DivideUp(long value, long divisor) => (value / divisor) + (value % divisor == 0 ? 0 : 1);
}
