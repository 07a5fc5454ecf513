using System.Security.Cryptography;
using System.Text;
using Bridge.Server.Auth;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Auth;

public sealed class TokenAuthenticatorTests : IDisposable
{
    private const string FlaggerToken = "flagger-token-0123456789";
    private const string CiToken = "ci-token-abcdefghijklmnop";

    private readonly string _directory = Directory.CreateTempSubdirectory("bridge-auth-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void IsOpen_NoTokens_TrueAndAnyTokenIsAnonymous()
    {
        var authenticator = Create();

        Assert.True(authenticator.IsOpen);
        Assert.Same(BridgeCaller.Anonymous, authenticator.AuthenticateToken("anything"));
        Assert.Same(BridgeCaller.Anonymous, authenticator.AuthenticateSignature(new byte[32], "x"u8));
    }

    [Fact]
    public void AuthenticateToken_ConfiguredToken_ReturnsItsCaller()
    {
        var authenticator = Create(
            new TokenOptions { Name = "flagger", Token = FlaggerToken, Namespaces = ["test"] },
            new TokenOptions { Name = "ci", Token = CiToken });

        var flagger = authenticator.AuthenticateToken(FlaggerToken);
        var ci = authenticator.AuthenticateToken(CiToken);

        Assert.False(authenticator.IsOpen);
        Assert.Equal("flagger", flagger?.Name);
        Assert.True(flagger!.IsRestricted);
        Assert.True(flagger.MayAccess("test"));
        Assert.False(flagger.MayAccess("prod"));
        Assert.False(flagger.MayAccess(null));
        Assert.Equal("ci", ci?.Name);
        Assert.False(ci!.IsRestricted);
        Assert.True(ci.MayAccess(null));
    }

    [Theory]
    [InlineData("")]
    [InlineData("flagger-token-012345678")]
    [InlineData("flagger-token-01234567890")]
    [InlineData("FLAGGER-TOKEN-0123456789")]
    public void AuthenticateToken_OtherToken_ReturnsNull(string token)
    {
        var authenticator = Create(new TokenOptions { Name = "flagger", Token = FlaggerToken });

        Assert.Null(authenticator.AuthenticateToken(token));
    }

    [Fact]
    public void AuthenticateToken_VeryLongToken_ReturnsNull()
    {
        var authenticator = Create(new TokenOptions { Name = "flagger", Token = FlaggerToken });

        Assert.Null(authenticator.AuthenticateToken(new string('a', 100_000)));
    }

    [Fact]
    public void AuthenticateToken_TokenFile_ReadsFileWithoutTrailingNewline()
    {
        var path = Path.Combine(_directory, "token");
        File.WriteAllText(path, FlaggerToken + "\n");
        var authenticator = Create(new TokenOptions { Name = "mounted", TokenFile = path });

        Assert.Equal("mounted", authenticator.AuthenticateToken(FlaggerToken)?.Name);
        Assert.Null(authenticator.AuthenticateToken(FlaggerToken + "\n"));
    }

    [Fact]
    public void AuthenticateSignature_HmacOfBodyWithToken_ReturnsCaller()
    {
        var authenticator = Create(
            new TokenOptions { Name = "flagger", Token = FlaggerToken },
            new TokenOptions { Name = "ci", Token = CiToken });
        var body = "{\"name\":\"podinfo\"}"u8.ToArray();
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(CiToken), body);

        Assert.Equal("ci", authenticator.AuthenticateSignature(signature, body)?.Name);
    }

    [Fact]
    public void AuthenticateSignature_BodyChanged_ReturnsNull()
    {
        var authenticator = Create(new TokenOptions { Name = "flagger", Token = FlaggerToken });
        var signature = HMACSHA256.HashData(Encoding.UTF8.GetBytes(FlaggerToken), "{\"a\":1}"u8);

        Assert.Null(authenticator.AuthenticateSignature(signature, "{\"a\":2}"u8));
        Assert.Null(authenticator.AuthenticateSignature(signature.AsSpan(0, 31), "{\"a\":1}"u8));
    }

    [Fact]
    public void TokenNames_Configured_ListsNamesInOrder()
    {
        var authenticator = Create(new TokenOptions { Name = "b", Token = CiToken }, new TokenOptions { Name = "a", Token = FlaggerToken });

        Assert.Equal(["b", "a"], authenticator.TokenNames);
    }

    private static TokenAuthenticator Create(params TokenOptions[] tokens) =>
        new(Options.Create(new AuthOptions { Tokens = [.. tokens] }));
}
