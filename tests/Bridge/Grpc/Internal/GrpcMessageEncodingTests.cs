using Bridge.Grpc.Internal;

namespace Bridge.Grpc.Tests.Internal;

public class GrpcMessageEncodingTests
{
    [Fact]
    public void Encode_UnicodePercentAndNewline_EncodesUtf8Bytes()
    {
        string encoded = GrpcMessageEncoding.Encode("— ünïcödé\n100%");

        Assert.Equal("%E2%80%94 %C3%BCn%C3%AFc%C3%B6d%C3%A9%0A100%25", encoded);
    }

    [Fact]
    public void Encode_PlainAscii_Unchanged()
    {
        Assert.Equal("Deadline Exceeded (x=1)", GrpcMessageEncoding.Encode("Deadline Exceeded (x=1)"));
    }

    [Theory]
    [InlineData("— ünïcödé\n100%")]
    [InlineData("tab\there \u0000 nul")]
    [InlineData("emoji 😀 and ~")]
    public void Decode_Encoded_RoundTripsByteExact(string message)
    {
        Assert.Equal(message, GrpcMessageEncoding.Decode(GrpcMessageEncoding.Encode(message)));
    }

    [Theory]
    [InlineData("100%", "100%")]
    [InlineData("%zz", "%zz")]
    [InlineData("%4", "%4")]
    [InlineData("a%41b", "aAb")]
    public void Decode_MalformedSequences_KeptLiterally(string value, string expected)
    {
        Assert.Equal(expected, GrpcMessageEncoding.Decode(value));
    }
}
