using Bridge.Client.V1;

namespace Bridge.Client.Tests;

public sealed class StartPositionsTests
{
    [Fact]
    public void LatestAndEarliest_SetTheirCase()
    {
        Assert.Equal(StartPosition.PositionOneofCase.Latest, StartPositions.Latest().PositionCase);
        Assert.Equal(StartPosition.PositionOneofCase.Earliest, StartPositions.Earliest().PositionCase);
    }

    [Fact]
    public void At_TimeWithOffset_StoredAsUtcTimestamp()
    {
        StartPosition position = StartPositions.At(new DateTimeOffset(2024, 5, 1, 12, 0, 0, TimeSpan.FromHours(2)));

        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero), position.Timestamp.ToDateTimeOffset());
    }

    [Theory]
    [InlineData("latest", StartPosition.PositionOneofCase.Latest)]
    [InlineData("EARLIEST", StartPosition.PositionOneofCase.Earliest)]
    [InlineData(" earliest ", StartPosition.PositionOneofCase.Earliest)]
    [InlineData("2024-05-01T10:00:00Z", StartPosition.PositionOneofCase.Timestamp)]
    [InlineData("2024-05-01T12:00:00.5+02:00", StartPosition.PositionOneofCase.Timestamp)]
    public void Parse_ValidText_ReturnsPosition(string text, StartPosition.PositionOneofCase expected) =>
        Assert.Equal(expected, StartPositions.Parse(text).PositionCase);

    [Fact]
    public void Parse_Rfc3339WithOffset_KeepsTheInstant() =>
        Assert.Equal(new DateTimeOffset(2024, 5, 1, 10, 0, 0, 500, TimeSpan.Zero),
            StartPositions.Parse("2024-05-01T12:00:00.5+02:00").Timestamp.ToDateTimeOffset());

    [Theory]
    [InlineData("")]
    [InlineData("newest")]
    [InlineData("2024-05-01")]
    [InlineData("2024-05-01T10:00:00")]
    [InlineData("2024-13-01T10:00:00Z")]
    public void Parse_InvalidText_ThrowsNamingForms(string text)
    {
        var ex = Assert.Throws<FormatException>(() => StartPositions.Parse(text));

        Assert.Contains("'latest', 'earliest' or an RFC 3339 time", ex.Message, StringComparison.Ordinal);
        Assert.False(StartPositions.TryParse(text, out StartPosition? position));
        Assert.Null(position);
    }
}
