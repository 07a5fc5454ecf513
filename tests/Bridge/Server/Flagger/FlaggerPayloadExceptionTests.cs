using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerPayloadExceptionTests
{
    [Theory]
    [InlineData("podinfo", "podinfo")]
    [InlineData("a\nb", "a\\u000ab")]
    [InlineData("caf\u00e9", "caf\\u00e9")]
    public void Describe_Text_PrintableAsciiOnly(string value, string expected)
    {
        Assert.Equal(expected, FlaggerPayloadException.Describe(value));
    }

    [Fact]
    public void Describe_LongText_TruncatedWithLength()
    {
        Assert.Equal(new string('x', 64) + "... (65 characters)", FlaggerPayloadException.Describe(new string('x', 65)));
    }

    [Fact]
    public void Constructor_FieldAndMessage_Kept()
    {
        var inner = new InvalidOperationException("inner");

        var ex = new FlaggerPayloadException("metadata.timestamp", "bad", inner);

        Assert.Equal("metadata.timestamp", ex.Field);
        Assert.Equal("bad", ex.Message);
        Assert.Same(inner, ex.InnerException);
    }
}
