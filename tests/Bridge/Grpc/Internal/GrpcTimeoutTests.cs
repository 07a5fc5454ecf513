using Bridge.Grpc.Internal;

namespace Bridge.Grpc.Tests.Internal;

public class GrpcTimeoutTests
{
    [Theory]
    [InlineData("1H", 36_000_000_000L)]
    [InlineData("2M", 1_200_000_000L)]
    [InlineData("3S", 30_000_000L)]
    [InlineData("301m", 3_010_000L)]
    [InlineData("999923u", 9_999_230L)]
    [InlineData("1000n", 10L)]
    [InlineData("1n", 1L)]
    [InlineData("12345678m", 123_456_780_000L)]
    public void TryParse_EveryUnit_ReturnsTimeout(string value, long expectedTicks)
    {
        Assert.True(GrpcTimeout.TryParse(value, out TimeSpan timeout));
        Assert.Equal(expectedTicks, timeout.Ticks);
    }

    [Fact]
    public void TryParse_HugeValue_ClampsToMaximum()
    {
        Assert.True(GrpcTimeout.TryParse("99999999H", out TimeSpan timeout));
        Assert.Equal(GrpcTimeout.MaxTimeout, timeout);
    }

    [Theory]
    [InlineData("")]
    [InlineData("S")]
    [InlineData("10")]
    [InlineData("123456789S")]
    [InlineData("10s")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    [InlineData(" 1S")]
    [InlineData(null)]
    public void TryParse_Invalid_ReturnsFalse(string? value)
    {
        Assert.False(GrpcTimeout.TryParse(value, out _));
    }

    [Theory]
    [InlineData(300L * TimeSpan.TicksPerMillisecond, "300000u")]
    [InlineData(1L, "1u")]
    [InlineData(200L * TimeSpan.TicksPerSecond, "200000m")]
    [InlineData(2L * TimeSpan.TicksPerDay, "172800S")]
    public void Format_Timeout_UsesFinestUnitThatFits(long ticks, string expected)
    {
        Assert.Equal(expected, GrpcTimeout.Format(TimeSpan.FromTicks(ticks)));
    }

    [Fact]
    public void Format_ThenParse_NeverShortensTheTimeout()
    {
        var timeout = TimeSpan.FromMilliseconds(1234.5678);

        Assert.True(GrpcTimeout.TryParse(GrpcTimeout.Format(timeout), out TimeSpan parsed));

        Assert.True(parsed >= timeout);
        Assert.True(parsed - timeout < TimeSpan.FromMicroseconds(1));
    }
}
