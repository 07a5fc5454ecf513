using Bridge.Server.Auth;
using Microsoft.AspNetCore.Http;

namespace Bridge.Server.Tests.Auth;

public sealed class HttpCredentialsTests
{
    private const string Hex = "0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789abcdef";

    [Theory]
    [InlineData("Bearer abc", "abc")]
    [InlineData("bearer   abc ", "abc")]
    [InlineData("BEARER abc", "abc")]
    public void From_BearerHeader_IsToken(string header, string token)
    {
        var credentials = HttpCredentials.From(Request(h => h.Authorization = header));

        Assert.Equal(CredentialKind.Token, credentials.Kind);
        Assert.Equal(token, credentials.Token);
    }

    [Theory]
    [InlineData("Basic YTpi")]
    [InlineData("Bearer")]
    [InlineData("Bearer   ")]
    [InlineData("abc")]
    public void From_OtherAuthorization_IsMalformed(string header)
    {
        var credentials = HttpCredentials.From(Request(h => h.Authorization = header));

        Assert.Equal(CredentialKind.Malformed, credentials.Kind);
        Assert.Contains("Bearer <token>", credentials.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void From_QueryToken_IsToken()
    {
        var credentials = HttpCredentials.From(Request(query: "?token=s3cr3t-s3cr3t-s3cr3t&x=1"));

        Assert.Equal(CredentialKind.Token, credentials.Kind);
        Assert.Equal("s3cr3t-s3cr3t-s3cr3t", credentials.Token);
    }

    [Theory]
    [InlineData("?token=")]
    [InlineData("?token=a&token=b")]
    public void From_EmptyOrRepeatedQueryToken_IsMalformed(string query) =>
        Assert.Equal(CredentialKind.Malformed, HttpCredentials.From(Request(query: query)).Kind);

    [Fact]
    public void From_HeaderAndQuery_HeaderWins()
    {
        var credentials = HttpCredentials.From(Request(h => h.Authorization = "Bearer header", "?token=query"));

        Assert.Equal("header", credentials.Token);
    }

    [Fact]
    public void From_Signature_DecodesHex()
    {
        var credentials = HttpCredentials.From(Request(h => h["X-Signature"] = "SHA256=" + Hex));

        Assert.Equal(CredentialKind.Signature, credentials.Kind);
        Assert.Equal(Convert.FromHexString(Hex), credentials.Signature);
    }

    [Theory]
    [InlineData("sha1=0123")]
    [InlineData("sha256=xyz")]
    [InlineData("sha256=0123456789abcdef")]
    [InlineData(Hex)]
    public void From_BadSignature_IsMalformed(string value)
    {
        var credentials = HttpCredentials.From(Request(h => h["X-Signature"] = value));

        Assert.Equal(CredentialKind.Malformed, credentials.Kind);
        Assert.Contains("sha256=", credentials.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void From_Nothing_IsNone() =>
        Assert.Equal(CredentialKind.None, HttpCredentials.From(Request()).Kind);

    private static HttpRequest Request(Action<IHeaderDictionary>? headers = null, string query = "")
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString(query);
        headers?.Invoke(context.Request.Headers);
        return context.Request;
    }
}
