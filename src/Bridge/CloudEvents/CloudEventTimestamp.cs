using Bridge.CloudEvents.Internal;
using ProtobufTimestamp = Google.Protobuf.WellKnownTypes.Timestamp;

namespace Bridge.CloudEvents;

/// <summary>
/// A CloudEvents Timestamp to the nanosecond: a <see cref="System.DateTimeOffset"/> (100 ns ticks, with its UTC offset)
/// plus the nanoseconds below its last tick.
/// </summary>
/// <remarks>
/// <para>RFC 3339 allows any number of fraction digits, and protobuf's <c>google.protobuf.Timestamp</c> (so every
/// gRPC client), Go's <c>time.Time</c> and Java's <c>Instant</c> carry nanoseconds, while a
/// <see cref="System.DateTimeOffset"/> stops at 100 ns. This value keeps the difference in
/// <see cref="SubTickNanoseconds"/>, so a timestamp crosses the JSON and protobuf formats and the HTTP and Kafka
/// bindings unchanged. Fraction digits beyond the ninth are dropped when parsing.</para>
/// <para>Range: 0001-01-01T00:00:00Z to 9999-12-31T23:59:59.999999999Z. The offset is kept as given when it is
/// within ±14:00 (the <see cref="System.DateTimeOffset"/> range); a larger RFC 3339 offset is converted to UTC.</para>
/// <para>Equality and ordering compare the instant only, as <see cref="System.DateTimeOffset"/> does;
/// <see cref="EqualsExact"/> also compares the offset. The canonical string (<see cref="ToString"/>) is in UTC with
/// <c>Z</c> and as many fraction digits as needed, up to nine.</para>
/// <para>A <see cref="System.DateTimeOffset"/> converts implicitly (nothing is lost that way). The way back,
/// <see cref="DateTimeOffset"/>, drops <see cref="SubTickNanoseconds"/>; use <see cref="TryGetDateTimeOffset"/> when
/// that must not happen silently.</para>
/// </remarks>
public readonly struct CloudEventTimestamp : IEquatable<CloudEventTimestamp>, IComparable<CloudEventTimestamp>, IComparable
{
    private const int NanosecondsPerTick = 100;
    private const long MinUnixSeconds = -62135596800L; // 0001-01-01T00:00:00Z
    private const long MaxUnixSeconds = 253402300799L; // 9999-12-31T23:59:59Z

    private readonly DateTimeOffset value;
    private readonly byte subTickNanoseconds;

    /// <summary>A timestamp with exactly the value of a <see cref="System.DateTimeOffset"/> (no sub-tick nanoseconds).</summary>
    /// <param name="value">The value, kept with its offset.</param>
    public CloudEventTimestamp(DateTimeOffset value)
        : this(value, 0)
    {
    }

    /// <summary>A timestamp from a <see cref="System.DateTimeOffset"/> and the nanoseconds after its last 100 ns tick.</summary>
    /// <param name="value">The value to the tick, kept with its offset.</param>
    /// <param name="subTickNanoseconds">Nanoseconds after <paramref name="value"/>: 0 to 99.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="subTickNanoseconds"/> is outside 0..99.</exception>
    public CloudEventTimestamp(DateTimeOffset value, int subTickNanoseconds)
    {
        if (subTickNanoseconds is < 0 or >= NanosecondsPerTick)
        {
            throw new ArgumentOutOfRangeException(nameof(subTickNanoseconds), subTickNanoseconds,
                "Sub-tick nanoseconds must be 0 to 99 (a tick is 100 ns)");
        }

        this.value = value;
        this.subTickNanoseconds = (byte)subTickNanoseconds;
    }

    /// <summary>
    /// The value to the 100 ns tick, with its offset. <see cref="SubTickNanoseconds"/> are not part of it: use
    /// <see cref="TryGetDateTimeOffset"/> to know whether anything is left out.
    /// </summary>
    public DateTimeOffset DateTimeOffset => value;

    /// <summary>The nanoseconds after the last tick of <see cref="DateTimeOffset"/>: 0 to 99.</summary>
    public int SubTickNanoseconds => subTickNanoseconds;

    /// <summary>The offset from UTC the value was given in.</summary>
    public TimeSpan Offset => value.Offset;

    /// <summary>Whole seconds since 1970-01-01T00:00:00Z (negative before), as <c>google.protobuf.Timestamp.seconds</c>.</summary>
    public long UnixTimeSeconds => Math.DivRem(value.UtcTicks - DateTime.UnixEpoch.Ticks, TimeSpan.TicksPerSecond, out long remainder) - (remainder < 0 ? 1 : 0);

    /// <summary>The fraction of the second in nanoseconds, 0 to 999,999,999, as <c>google.protobuf.Timestamp.nanos</c>.</summary>
    public int NanosecondOfSecond
    {
        get
        {
            long ticks = (value.UtcTicks - DateTime.UnixEpoch.Ticks) % TimeSpan.TicksPerSecond;
            if (ticks < 0)
            {
                ticks += TimeSpan.TicksPerSecond;
            }

            return (int)(ticks * NanosecondsPerTick) + subTickNanoseconds;
        }
    }

    /// <summary>A UTC timestamp from seconds and nanoseconds since the Unix epoch, as <c>google.protobuf.Timestamp</c> holds it.</summary>
    /// <param name="seconds">Seconds since 1970-01-01T00:00:00Z; the result must lie within 0001-01-01..9999-12-31.</param>
    /// <param name="nanoseconds">Nanoseconds within the second: 0 to 999,999,999.</param>
    /// <returns>The timestamp, in UTC.</returns>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range.</exception>
    public static CloudEventTimestamp FromUnixTime(long seconds, int nanoseconds)
    {
        string? reason = TryFromUnixTime(seconds, nanoseconds, out CloudEventTimestamp result);
        return reason == null ? result : throw new ArgumentOutOfRangeException(nameof(seconds), reason);
    }

    /// <summary>A UTC timestamp from a protobuf <c>google.protobuf.Timestamp</c>, keeping its nanoseconds.</summary>
    /// <param name="timestamp">The protobuf timestamp. Must not be null.</param>
    /// <returns>The timestamp, in UTC.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The seconds lie outside 0001-01-01..9999-12-31, or the nanos outside 0..999,999,999.</exception>
    public static CloudEventTimestamp FromProtobufTimestamp(ProtobufTimestamp timestamp)
    {
        ArgumentNullException.ThrowIfNull(timestamp);
        return FromUnixTime(timestamp.Seconds, timestamp.Nanos);
    }

    /// <summary>Parses an RFC 3339 date-time (seconds and offset mandatory, lower-case <c>t</c>/<c>z</c> allowed).</summary>
    /// <param name="text">The text. Must not be null.</param>
    /// <returns>The timestamp, keeping the text's offset when it is within ±14:00; fraction digits beyond the ninth are dropped.</returns>
    /// <exception cref="CloudEventFormatException">The text is not an RFC 3339 date-time; the message says why.</exception>
    public static CloudEventTimestamp Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        string? reason = Rfc3339.TryParsePrecise(text, out CloudEventTimestamp result);
        return reason == null
            ? result
            : throw new CloudEventFormatException($"Not an RFC 3339 timestamp: {TextRules.Quote(text)} ({reason})");
    }

    /// <summary>Parses an RFC 3339 date-time, as <see cref="Parse"/> does.</summary>
    /// <param name="text">The text. May be null (not valid).</param>
    /// <param name="result">The timestamp, or the default value when the text is not valid.</param>
    /// <returns>True when <paramref name="text"/> is valid.</returns>
    public static bool TryParse(string? text, out CloudEventTimestamp result)
    {
        if (text == null)
        {
            result = default;
            return false;
        }

        return Rfc3339.TryParsePrecise(text, out result) == null;
    }

    /// <summary>
    /// The value as a <see cref="System.DateTimeOffset"/> when nothing is lost, that is when there are no
    /// <see cref="SubTickNanoseconds"/>.
    /// </summary>
    /// <param name="result">The value with its offset; when false, the value truncated to the tick.</param>
    /// <returns>True when <paramref name="result"/> is exact.</returns>
    public bool TryGetDateTimeOffset(out DateTimeOffset result)
    {
        result = value;
        return subTickNanoseconds == 0;
    }

    /// <summary>The same instant with offset zero.</summary>
    /// <returns>The timestamp in UTC, nanoseconds kept.</returns>
    public CloudEventTimestamp ToUniversalTime() => new(value.ToUniversalTime(), subTickNanoseconds);

    /// <summary>The value as a protobuf <c>google.protobuf.Timestamp</c> (UTC, nanoseconds kept).</summary>
    /// <returns>A new protobuf timestamp. Never null.</returns>
    public ProtobufTimestamp ToProtobufTimestamp() => new() { Seconds = UnixTimeSeconds, Nanos = NanosecondOfSecond };

    /// <summary>Whether both are the same instant and have the same offset.</summary>
    /// <param name="other">The other timestamp.</param>
    /// <returns>True when instant and offset are equal.</returns>
    public bool EqualsExact(CloudEventTimestamp other) => Equals(other) && value.Offset == other.value.Offset;

    /// <summary>Whether both are the same instant, to the nanosecond (offsets may differ).</summary>
    /// <param name="other">The other timestamp.</param>
    /// <returns>True when the instants are equal.</returns>
    public bool Equals(CloudEventTimestamp other) =>
        value.UtcTicks == other.value.UtcTicks && subTickNanoseconds == other.subTickNanoseconds;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is CloudEventTimestamp other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(value.UtcTicks, subTickNanoseconds);

    /// <summary>Orders by instant, to the nanosecond.</summary>
    /// <param name="other">The other timestamp.</param>
    /// <returns>Negative, zero or positive as this instant is earlier than, equal to or later than <paramref name="other"/>.</returns>
    public int CompareTo(CloudEventTimestamp other)
    {
        int byTicks = value.UtcTicks.CompareTo(other.value.UtcTicks);
        return byTicks != 0 ? byTicks : subTickNanoseconds.CompareTo(other.subTickNanoseconds);
    }

    /// <inheritdoc />
    public int CompareTo(object? obj) => obj switch
    {
        null => 1,
        CloudEventTimestamp other => CompareTo(other),
        _ => throw new ArgumentException($"A {obj.GetType().Name} is not a {nameof(CloudEventTimestamp)}", nameof(obj)),
    };

    /// <summary>The canonical string: RFC 3339 in UTC with <c>Z</c> and up to nine fraction digits (trailing zeros dropped).</summary>
    /// <returns>For example <c>2026-12-01T12:00:00.123456789Z</c>. Never null.</returns>
    public override string ToString() => Rfc3339.Format(this);

    /// <summary>A timestamp with exactly the value of a <see cref="System.DateTimeOffset"/>.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The timestamp, with no sub-tick nanoseconds.</returns>
    public static CloudEventTimestamp FromDateTimeOffset(DateTimeOffset value) => new(value);

    /// <summary>A timestamp with exactly the value of a <see cref="System.DateTimeOffset"/> (lossless).</summary>
    /// <param name="value">The value.</param>
    public static implicit operator CloudEventTimestamp(DateTimeOffset value) => new(value);

    /// <summary>Whether both are the same instant.</summary>
    /// <param name="left">One timestamp.</param>
    /// <param name="right">The other.</param>
    public static bool operator ==(CloudEventTimestamp left, CloudEventTimestamp right) => left.Equals(right);

    /// <summary>Whether the instants differ.</summary>
    /// <param name="left">One timestamp.</param>
    /// <param name="right">The other.</param>
    public static bool operator !=(CloudEventTimestamp left, CloudEventTimestamp right) => !left.Equals(right);

    /// <summary>Whether <paramref name="left"/> is earlier.</summary>
    /// <param name="left">One timestamp.</param>
    /// <param name="right">The other.</param>
    public static bool operator <(CloudEventTimestamp left, CloudEventTimestamp right) => left.CompareTo(right) < 0;

    /// <summary>Whether <paramref name="left"/> is earlier or the same instant.</summary>
    /// <param name="left">One timestamp.</param>
    /// <param name="right">The other.</param>
    public static bool operator <=(CloudEventTimestamp left, CloudEventTimestamp right) => left.CompareTo(right) <= 0;

    /// <summary>Whether <paramref name="left"/> is later.</summary>
    /// <param name="left">One timestamp.</param>
    /// <param name="right">The other.</param>
    public static bool operator >(CloudEventTimestamp left, CloudEventTimestamp right) => left.CompareTo(right) > 0;

    /// <summary>Whether <paramref name="left"/> is later or the same instant.</summary>
    /// <param name="left">One timestamp.</param>
    /// <param name="right">The other.</param>
    public static bool operator >=(CloudEventTimestamp left, CloudEventTimestamp right) => left.CompareTo(right) >= 0;

    /// <summary>Builds a UTC timestamp from protobuf-style seconds and nanos; returns null or the reason it is out of range.</summary>
    internal static string? TryFromUnixTime(long seconds, int nanoseconds, out CloudEventTimestamp result)
    {
        result = default;
        if (seconds < MinUnixSeconds || seconds > MaxUnixSeconds)
        {
            return $"seconds={seconds} is outside 0001-01-01..9999-12-31";
        }

        if (nanoseconds is < 0 or > 999_999_999)
        {
            return $"nanos={nanoseconds} is outside 0..999999999";
        }

        long ticks = DateTime.UnixEpoch.Ticks + (seconds * TimeSpan.TicksPerSecond) + (nanoseconds / NanosecondsPerTick);
        result = new CloudEventTimestamp(new DateTimeOffset(ticks, TimeSpan.Zero), nanoseconds % NanosecondsPerTick);
        return null;
    }
}
