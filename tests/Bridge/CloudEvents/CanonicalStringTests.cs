namespace Bridge.CloudEvents.Tests;

public class CanonicalStringTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("42", 42)]
    [InlineData("-2147483648", int.MinValue)]
    [InlineData("2147483647", int.MaxValue)]
    public void Parse_IntegerValid_ReturnsInt(string text, int expected) =>
        Assert.Equal(expected, CanonicalString.Parse(text, CloudEventAttributeType.Integer, "n"));

    [Theory]
    [InlineData("2147483648", "range")]
    [InlineData("-2147483649", "range")]
    [InlineData("99999999999999999999", "range")]
    [InlineData("+1", "'+'")]
    [InlineData("01", "leading zeros")]
    [InlineData("1.0", "integral")]
    [InlineData("1e3", "integral")]
    [InlineData("", "no digits")]
    [InlineData("-", "no digits")]
    [InlineData(" 1", "unexpected")]
    [InlineData("0x10", "leading zeros")]
    [InlineData("1x0", "unexpected")]
    public void Parse_IntegerInvalid_ThrowsNamingAttribute(string text, string reasonPart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CanonicalString.Parse(text, CloudEventAttributeType.Integer, "n"));

        Assert.Equal("n", e.AttributeName);
        Assert.Contains("Attribute 'n' is not an Integer", e.Message, StringComparison.Ordinal);
        Assert.Contains(reasonPart, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Parse_BooleanValid_ReturnsBool(string text, bool expected) =>
        Assert.Equal(expected, CanonicalString.Parse(text, CloudEventAttributeType.Boolean, "b"));

    [Theory]
    [InlineData("True")]
    [InlineData("TRUE")]
    [InlineData("1")]
    [InlineData("")]
    [InlineData("yes")]
    public void Parse_BooleanInvalid_Throws(string text)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CanonicalString.Parse(text, CloudEventAttributeType.Boolean, "b"));

        Assert.Contains("case-sensitive", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", new byte[0])]
    [InlineData("AA==", new byte[] { 0 })]
    [InlineData("AAE=", new byte[] { 0, 1 })]
    [InlineData("AAEC", new byte[] { 0, 1, 2 })]
    [InlineData("+/8=", new byte[] { 0xfb, 0xff })]
    public void Parse_BinaryValid_Decodes(string text, byte[] expected) =>
        Assert.Equal(expected, (byte[])CanonicalString.Parse(text, CloudEventAttributeType.Binary, "x"));

    [Theory]
    [InlineData("AA=", "multiple of 4")]
    [InlineData("A===", "'='")]
    [InlineData("AA=A", "after '='")]
    [InlineData("AA A", "alphabet")]
    [InlineData("-_8=", "alphabet")]
    [InlineData("AAE", "multiple of 4")]
    public void Parse_BinaryInvalid_Throws(string text, string reasonPart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CanonicalString.Parse(text, CloudEventAttributeType.Binary, "x"));

        Assert.Contains("is not Base64", e.Message, StringComparison.Ordinal);
        Assert.Contains(reasonPart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TimestampInvalid_MessageMatchesConvention()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CanonicalString.Parse("2024-02-30T00:00:00Z", CloudEventAttributeType.Timestamp, "time"));

        Assert.Equal("Attribute 'time' is not an RFC 3339 timestamp: '2024-02-30T00:00:00Z' (no such date)", e.Message);
        Assert.Equal("time", e.AttributeName);
    }

    [Fact]
    public void Parse_UriRelative_ThrowsForUriButNotForReference()
    {
        Assert.Throws<CloudEventFormatException>(() => CanonicalString.Parse("/a", CloudEventAttributeType.Uri, "u"));
        Assert.Equal("/a", CanonicalString.Parse("/a", CloudEventAttributeType.UriReference, "u"));
    }

    [Fact]
    public void Parse_StringWithControl_Throws()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CanonicalString.Parse("a\u0007", CloudEventAttributeType.String, "s"));

        Assert.Contains("U+0007", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(FormatCases))]
    public void Format_EachType_ProducesCanonicalStringThatParsesBack(object value, CloudEventAttributeType type, string expected)
    {
        string text = CanonicalString.Format(value, type);

        Assert.Equal(expected, text);
        object parsed = CanonicalString.Parse(text, type, "x");
        Assert.Equal(expected, CanonicalString.Format(parsed, type));
    }

    public static TheoryData<object, CloudEventAttributeType, string> FormatCases() => new()
    {
        { true, CloudEventAttributeType.Boolean, "true" },
        { false, CloudEventAttributeType.Boolean, "false" },
        { -5, CloudEventAttributeType.Integer, "-5" },
        { "x y", CloudEventAttributeType.String, "x y" },
        { new byte[] { 1, 2, 3 }, CloudEventAttributeType.Binary, "AQID" },
        { "https://e.com/a%20b", CloudEventAttributeType.Uri, "https://e.com/a%20b" },
        { new Uri("https://e.com/a%20b"), CloudEventAttributeType.Uri, "https://e.com/a%20b" },
        { "../a", CloudEventAttributeType.UriReference, "../a" },
        { new DateTimeOffset(2024, 1, 2, 3, 4, 5, TimeSpan.FromHours(-1)), CloudEventAttributeType.Timestamp, "2024-01-02T04:04:05Z" },
    };

    [Fact]
    public void Format_WrongDotNetType_ThrowsArgumentException() =>
        Assert.Throws<ArgumentException>(() => CanonicalString.Format("1", CloudEventAttributeType.Integer));

    [Fact]
    public void Predicates_Table_MatchRules()
    {
        Assert.True(CanonicalString.IsUri("https://a"));
        Assert.False(CanonicalString.IsUri("/a"));
        Assert.False(CanonicalString.IsUri(null));
        Assert.True(CanonicalString.IsUriReference("/a"));
        Assert.False(CanonicalString.IsUriReference("a b"));
        Assert.True(CanonicalString.IsValidString("ok"));
        Assert.False(CanonicalString.IsValidString("\u0001"));
        Assert.True(CanonicalString.TryParseTimestamp("2024-01-01T00:00:00z", out DateTimeOffset t));
        Assert.Equal(2024, t.Year);
        Assert.False(CanonicalString.TryParseTimestamp("2024-01-01", out _));
    }
}
