using Google.Protobuf.WellKnownTypes;

namespace Bridge.CloudEvents.Tests;

public class CloudEventTimestampTests
{
    [Theory]
    [InlineData("2026-12-01T12:00:00.123456789Z", "2026-12-01T12:00:00.123456789Z")]
    [InlineData("2026-12-01T12:00:00.000000001Z", "2026-12-01T12:00:00.000000001Z")]
    [InlineData("2026-12-01T12:00:00.12345678Z", "2026-12-01T12:00:00.12345678Z")]
    [InlineData("2026-12-01T12:00:00.1234567Z", "2026-12-01T12:00:00.1234567Z")]
    [InlineData("2026-12-01T12:00:00.100000000Z", "2026-12-01T12:00:00.1Z")]
    [InlineData("2026-12-01T13:00:00.123456789+01:00", "2026-12-01T12:00:00.123456789Z")]
    [InlineData("2026-12-01T11:00:00.999999999-01:00", "2026-12-01T12:00:00.999999999Z")]
    [InlineData("2026-12-01T23:59:00.000000050+23:59", "2026-12-01T00:00:00.00000005Z")]
    [InlineData("2026-12-01T12:00:00.1234567891234Z", "2026-12-01T12:00:00.123456789Z")]
    [InlineData("9999-12-31T23:59:59.999999999Z", "9999-12-31T23:59:59.999999999Z")]
    [InlineData("0001-01-01T00:00:00.000000001Z", "0001-01-01T00:00:00.000000001Z")]
    public void ParseToString_FractionToTheNanosecond_CanonicalUtc(string text, string canonical)
    {
        CloudEventTimestamp value = CloudEventTimestamp.Parse(text);

        Assert.Equal(canonical, value.ToString());
        Assert.Equal(value, CloudEventTimestamp.Parse(canonical));
    }

    [Fact]
    public void Parse_Offset_KeptWithNanoseconds()
    {
        CloudEventTimestamp value = CloudEventTimestamp.Parse("2026-12-01T13:00:00.123456789+01:00");

        Assert.Equal(TimeSpan.FromHours(1), value.Offset);
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 13, 0, 0, TimeSpan.FromHours(1)).AddTicks(1234567), value.DateTimeOffset);
        Assert.Equal(89, value.SubTickNanoseconds);
        Assert.Equal(123_456_789, value.NanosecondOfSecond);
        Assert.True(value.EqualsExact(new CloudEventTimestamp(value.DateTimeOffset, 89)));
        Assert.False(value.EqualsExact(value.ToUniversalTime()));
        Assert.Equal(value, value.ToUniversalTime());
    }

    [Theory]
    [InlineData("2026-12-01T12:00:00.123456789")]
    [InlineData("2026-12-01T12:00:00.Z")]
    [InlineData("2026-02-30T12:00:00Z")]
    [InlineData("")]
    public void Parse_Invalid_ThrowsWithReason(string text)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CloudEventTimestamp.Parse(text));

        Assert.Contains("RFC 3339", e.Message, StringComparison.Ordinal);
        Assert.False(CloudEventTimestamp.TryParse(text, out _));
    }

    [Fact]
    public void TryParse_Null_False() => Assert.False(CloudEventTimestamp.TryParse(null, out _));

    [Theory]
    [InlineData(0L, 0, "1970-01-01T00:00:00Z")]
    [InlineData(1_796_126_400L, 123_456_789, "2026-12-01T12:00:00.123456789Z")]
    [InlineData(-1L, 999_999_999, "1969-12-31T23:59:59.999999999Z")]
    [InlineData(-62135596800L, 1, "0001-01-01T00:00:00.000000001Z")]
    [InlineData(253402300799L, 999_999_999, "9999-12-31T23:59:59.999999999Z")]
    public void FromUnixTime_ToProtobufTimestamp_RoundTrip(long seconds, int nanos, string canonical)
    {
        CloudEventTimestamp value = CloudEventTimestamp.FromUnixTime(seconds, nanos);

        Assert.Equal(canonical, value.ToString());
        Assert.Equal(seconds, value.UnixTimeSeconds);
        Assert.Equal(nanos, value.NanosecondOfSecond);
        Assert.Equal(new Timestamp { Seconds = seconds, Nanos = nanos }, value.ToProtobufTimestamp());
        Assert.Equal(value, CloudEventTimestamp.FromProtobufTimestamp(new Timestamp { Seconds = seconds, Nanos = nanos }));
    }

    [Fact]
    public void ToProtobufTimestamp_Offset_SameInstantInUtc()
    {
        CloudEventTimestamp value = CloudEventTimestamp.Parse("2026-12-01T13:00:00.123456789+01:00");

        Assert.Equal(new Timestamp { Seconds = 1_796_126_400L, Nanos = 123_456_789 }, value.ToProtobufTimestamp());
    }

    [Theory]
    [InlineData(253402300800L, 0)]
    [InlineData(-62135596801L, 0)]
    [InlineData(0L, -1)]
    [InlineData(0L, 1_000_000_000)]
    public void FromUnixTime_OutOfRange_Throws(long seconds, int nanos) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => CloudEventTimestamp.FromUnixTime(seconds, nanos));

    [Theory]
    [InlineData(-1)]
    [InlineData(100)]
    public void Constructor_SubTickOutOfRange_Throws(int subTick) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new CloudEventTimestamp(DateTimeOffset.UnixEpoch, subTick));

    [Fact]
    public void TryGetDateTimeOffset_SubTickNanoseconds_FalseWithTruncatedValue()
    {
        CloudEventTimestamp value = CloudEventTimestamp.Parse("2026-12-01T12:00:00.123456789Z");

        Assert.False(value.TryGetDateTimeOffset(out DateTimeOffset truncated));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero).AddTicks(1234567), truncated);
        Assert.True(CloudEventTimestamp.Parse("2026-12-01T12:00:00.1234567Z").TryGetDateTimeOffset(out DateTimeOffset exact));
        Assert.Equal(truncated, exact);
    }

    [Fact]
    public void ImplicitFromDateTimeOffset_Lossless()
    {
        var time = new DateTimeOffset(2024, 2, 29, 23, 59, 58, TimeSpan.FromHours(5.75)).AddTicks(1234567);

        CloudEventTimestamp value = time;

        Assert.True(value.TryGetDateTimeOffset(out DateTimeOffset back));
        Assert.True(time.EqualsExact(back));
        Assert.Equal(0, value.SubTickNanoseconds);
    }

    [Fact]
    public void CompareTo_OrdersWithinOneTick()
    {
        var tick = new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);
        var a = new CloudEventTimestamp(tick, 1);
        var b = new CloudEventTimestamp(tick, 2);
        var c = new CloudEventTimestamp(tick.AddTicks(1), 0);

        Assert.True(a < b && b < c && a <= b && c > a && c >= b && a != b && !(b <= a));
        Assert.Equal([a, b, c], new[] { c, a, b }.Order());
        Assert.NotEqual(a.GetHashCode(), b.GetHashCode());
        Assert.Equal(1, a.CompareTo(null));
        Assert.Throws<ArgumentException>(() => a.CompareTo((object)tick));
    }

    [Fact]
    public void Equals_SameInstantOtherOffset_EqualButNotExact()
    {
        CloudEventTimestamp utc = CloudEventTimestamp.Parse("2026-12-01T12:00:00.000000001Z");
        CloudEventTimestamp local = CloudEventTimestamp.Parse("2026-12-01T14:00:00.000000001+02:00");

        Assert.Equal(utc, local);
        Assert.True(utc == local);
        Assert.Equal(utc.GetHashCode(), local.GetHashCode());
        Assert.False(utc.EqualsExact(local));
        Assert.False(utc.Equals((object)utc.DateTimeOffset));
    }
}
