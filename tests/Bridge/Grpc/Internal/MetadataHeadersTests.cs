using Bridge.Grpc.Internal;
using Microsoft.AspNetCore.Http;

namespace Bridge.Grpc.Tests.Internal;

public class MetadataHeadersTests
{
    [Fact]
    public void FromRequestHeaders_ReservedAndCustom_KeepsOnlyCustomLowerCased()
    {
        var headers = new HeaderDictionary
        {
            ["content-type"] = "application/grpc",
            ["te"] = "trailers",
            ["grpc-timeout"] = "1S",
            ["user-agent"] = "x",
            ["Host"] = "127.0.0.1",
            ["X-Custom"] = "value",
            ["authorization"] = "Bearer t",
        };

        Metadata metadata = MetadataHeaders.FromRequestHeaders(headers);

        Assert.Equal(["x-custom: value", "authorization: Bearer t"], metadata.Select(e => e.ToString()));
    }

    [Theory]
    [InlineData("AAEC/w")]
    [InlineData("AAEC/w==")]
    public void FromRequestHeaders_BinaryPaddedOrUnpadded_Decodes(string value)
    {
        var headers = new HeaderDictionary { ["x-data-bin"] = value };

        Metadata metadata = MetadataHeaders.FromRequestHeaders(headers);

        Assert.Equal(new byte[] { 0, 1, 2, 255 }, metadata.GetValueBytes("x-data-bin"));
    }

    [Fact]
    public void FromRequestHeaders_BinaryCommaSeparated_AddsEachValue()
    {
        var headers = new HeaderDictionary { ["x-data-bin"] = "AQ, Ag==" };

        Metadata metadata = MetadataHeaders.FromRequestHeaders(headers);

        Assert.Equal([[1], [2]], metadata.GetAll("x-data-bin").Select(e => e.ValueBytes));
    }

    [Fact]
    public void FromRequestHeaders_InvalidBase64_ThrowsInternalNamingKey()
    {
        var headers = new HeaderDictionary { ["x-data-bin"] = "!!!" };

        var ex = Assert.Throws<RpcException>(() => MetadataHeaders.FromRequestHeaders(headers));

        Assert.Equal(StatusCode.Internal, ex.StatusCode);
        Assert.Contains("x-data-bin", ex.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AppendTo_BinaryEntry_WritesPaddedBase64()
    {
        var headers = new HeaderDictionary();

        MetadataHeaders.AppendTo(headers, new Metadata { { "x-data-bin", new byte[] { 0, 1, 2, 255 } }, { "x-a", "b" } });

        Assert.Equal("AAEC/w==", headers["x-data-bin"].ToString());
        Assert.Equal("b", headers["x-a"].ToString());
    }

    [Fact]
    public void AppendTo_ReservedKeyOnRequest_Throws()
    {
        using var request = new HttpRequestMessage();

        var ex = Assert.Throws<ArgumentException>(() => MetadataHeaders.AppendTo(request.Headers, new Metadata { { "grpc-timeout", "1S" } }));

        Assert.Contains("grpc-timeout", ex.Message, StringComparison.Ordinal);
    }
}
