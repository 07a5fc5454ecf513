using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents.Tests.Internal;

public class Rfc3339Tests
{
    [Theory]
    [InlineData("2024-05-01T10:00:00Z", "2024-05-01T10:00:00Z")]
    [InlineData("2024-05-01t10:00:00z", "2024-05-01T10:00:00Z")]
    [InlineData("2024-05-01T12:00:00+02:00", "2024-05-01T10:00:00Z")]
    [InlineData("2024-05-01T08:30:00-01:30", "2024-05-01T10:00:00Z")]
    [InlineData("2024-05-01T10:00:00.5Z", "2024-05-01T10:00:00.5Z")]
    [InlineData("2024-05-01T10:00:00.1234567Z", "2024-05-01T10:00:00.1234567Z")]
    [InlineData("2024-05-01T10:00:00.123456789Z", "2024-05-01T10:00:00.1234567Z")]
    [InlineData("2024-05-01T10:00:00.000Z", "2024-05-01T10:00:00Z")]
    [InlineData("2024-02-29T00:00:00Z", "2024-02-29T00:00:00Z")]
    [InlineData("2000-02-29T00:00:00Z", "2000-02-29T00:00:00Z")]
    [InlineData("2024-05-01T23:00:00+23:59", "2024-04-30T23:01:00Z")]
    [InlineData("0001-01-01T00:00:00Z", "0001-01-01T00:00:00Z")]
    [InlineData("9999-12-31T23:59:59.9999999Z", "9999-12-31T23:59:59.9999999Z")]
    public void TryParse_Valid_ParsesAndFormatsInUtc(string text, string canonical)
    {
        string? reason = Rfc3339.TryParse(text, out DateTimeOffset value);

        Assert.Null(reason);
        Assert.Equal(canonical, Rfc3339.Format(value));
    }

    [Fact]
    public void TryParse_OffsetWithinDotNetRange_KeepsOffset()
    {
        Assert.Null(Rfc3339.TryParse("2024-05-01T12:00:00+02:00", out DateTimeOffset value));

        Assert.Equal(TimeSpan.FromHours(2), value.Offset);
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), value);
    }

    [Theory]
    [InlineData("2024-02-30T00:00:00Z", "no such date")]
    [InlineData("2023-02-29T00:00:00Z", "no such date")]
    [InlineData("1900-02-29T00:00:00Z", "no such date")]
    [InlineData("2024-04-31T00:00:00Z", "no such date")]
    [InlineData("2024-13-01T00:00:00Z", "month out of range")]
    [InlineData("2024-00-01T00:00:00Z", "month out of range")]
    [InlineData("2024-05-01T24:00:00Z", "hour out of range")]
    [InlineData("2024-05-01T10:60:00Z", "minute out of range")]
    [InlineData("2024-05-01T10:00:61Z", "second out of range")]
    [InlineData("2024-05-01T10:00:60Z", "leap second")]
    [InlineData("2024-05-01T10:00Z", "seconds are mandatory")]
    [InlineData("2024-05-01T10:00", "seconds are mandatory")]
    [InlineData("2024-05-01T10:00:00", "offset")]
    [InlineData("2024-05-01T10:00:00+02", "offset")]
    [InlineData("2024-05-01T10:00:00+0200", "offset")]
    [InlineData("2024-05-01T10:00:00+24:00", "offset out of range")]
    [InlineData("2024-05-01T10:00:00+02:60", "offset out of range")]
    [InlineData("2024-05-01 10:00:00Z", "separated by 'T'")]
    [InlineData("2024-05-01T10:00:00.Z", "fraction digits")]
    [InlineData("2024-05-01T10:00:00ZZ", "after the offset")]
    [InlineData("24-05-01T10:00:00Z", "expected")]
    [InlineData("2024-5-01T10:00:00Z", "expected")]
    [InlineData("0000-01-01T00:00:00Z", "year 0000")]
    [InlineData("0001-01-01T00:00:00+01:00", "range")]
    [InlineData("", "expected")]
    [InlineData("2024-05-01T10:00:00\uFF10Z", "offset")]
    public void TryParse_Invalid_ReturnsReason(string text, string reasonPart)
    {
        string? reason = Rfc3339.TryParse(text, out _);

        Assert.NotNull(reason);
        Assert.Contains(reasonPart, reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_LocalOffset_RendersUtcWithZ()
    {
        var value = new DateTimeOffset(2024, 1, 1, 1, 0, 0, TimeSpan.FromHours(5)).AddTicks(10);

        Assert.Equal("2023-12-31T20:00:00.000001Z", Rfc3339.Format(value));
    }
}
