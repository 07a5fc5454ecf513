using Bridge.Server.Auth;

namespace Bridge.Server.Tests.Auth;

public sealed class AuthOptionsValidatorTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("bridge-auth-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Validate_NoTokens_Succeeds() =>
        Assert.True(new AuthOptionsValidator().Validate(null, new AuthOptions()).Succeeded);

    [Fact]
    public void Validate_ValidTokenAndFile_Succeeds()
    {
        var path = Path.Combine(_directory, "t");
        File.WriteAllText(path, "fedcba9876543210\r\n");

        var result = Validate(
            new TokenOptions { Name = "a", Token = "0123456789abcdef", Namespaces = ["test"] },
            new TokenOptions { Name = "b", TokenFile = path });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Theory]
    [InlineData("", "0123456789abcdef", null, "Auth:Tokens:0:Name is required")]
    [InlineData("a", "short", null, "Auth:Tokens:0:Token: the token has 5 characters; at least 16 are required")]
    [InlineData("a", null, null, "Auth:Tokens:0: set exactly one of Token and TokenFile")]
    [InlineData("a", "0123456789abcdef", "/some/file", "Auth:Tokens:0: set exactly one of Token and TokenFile")]
    [InlineData("a", "0123456789 abcdef", null, "Auth:Tokens:0:Token: the token contains whitespace")]
    [InlineData("a", null, "/does/not/exist/token", "Auth:Tokens:0:TokenFile '/does/not/exist/token' cannot be read")]
    public void Validate_InvalidToken_FailsNamingTheKey(string name, string? token, string? file, string expected)
    {
        var result = Validate(new TokenOptions { Name = name, Token = token, TokenFile = file });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_ShortTokenFile_FailsNamingTheFileKey()
    {
        var path = Path.Combine(_directory, "short");
        File.WriteAllText(path, "abc\n");

        var result = Validate(new TokenOptions { Name = "a", TokenFile = path });

        Assert.Contains("Auth:Tokens:0:TokenFile: the token has 3 characters", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_DuplicateNames_Fails()
    {
        var result = Validate(
            new TokenOptions { Name = "a", Token = "0123456789abcdef" },
            new TokenOptions { Name = "a", Token = "fedcba9876543210" });

        Assert.Contains("Auth:Tokens:1:Name 'a' is used by another token", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("a/b")]
    [InlineData(" test")]
    [InlineData("Prod")]
    [InlineData("team_a")]
    [InlineData("-test")]
    [InlineData("test.prod")]
    [InlineData("a123456789012345678901234567890123456789012345678901234567890123")]
    public void Validate_NamespaceNotAKubernetesNamespace_FailsNamingTheKey(string ns)
    {
        var result = Validate(new TokenOptions { Name = "a", Token = "0123456789abcdef", Namespaces = ["test", ns] });

        Assert.True(result.Failed);
        Assert.Contains("Auth:Tokens:0:Namespaces:1", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("DNS-1123 label", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_KubernetesNamespaces_Succeeds()
    {
        var result = Validate(new TokenOptions { Name = "a", Token = "0123456789abcdef", Namespaces = ["test", "prod-eu-1", "a"] });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Validate_SameSecretTwice_FailsNamingBothKeys()
    {
        var path = Path.Combine(_directory, "shared");
        File.WriteAllText(path, "0123456789abcdef\n");

        var result = Validate(
            new TokenOptions { Name = "a", Token = "0123456789abcdef", Namespaces = ["test"] },
            new TokenOptions { Name = "b", Token = "fedcba9876543210" },
            new TokenOptions { Name = "c", TokenFile = path, Namespaces = ["prod"] });

        Assert.True(result.Failed);
        Assert.Contains("Auth:Tokens:2:TokenFile holds the same token as Auth:Tokens:0:Token", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_SameTokenTwiceAndBadNamespace_BridgeStopsNamingTheKeys()
    {
        using var error = new StringWriter();

        var code = await Bridge.Server.Hosting.BridgeHost.RunAsync(
        [
            "--Ingress:Port=0", "--Grpc:Port=0", "--Kafka:EmbeddedBrokers=1",
            "--Auth:Tokens:0:Name=flagger", "--Auth:Tokens:0:Token=shared-token-0123456789", "--Auth:Tokens:0:Namespaces:0=test",
            "--Auth:Tokens:1:Name=ci", "--Auth:Tokens:1:Token=shared-token-0123456789", "--Auth:Tokens:1:Namespaces:0=Prod",
        ], error);

        Assert.Equal(1, code);
        var message = error.ToString();
        Assert.Contains("Auth:Tokens:1:Token holds the same token as Auth:Tokens:0:Token", message, StringComparison.Ordinal);
        Assert.Contains("Auth:Tokens:1:Namespaces:0 'Prod' is not a Kubernetes namespace", message, StringComparison.Ordinal);
        Assert.DoesNotContain("shared-token-0123456789", message, StringComparison.Ordinal);
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(params TokenOptions[] tokens) =>
        new AuthOptionsValidator().Validate(null, new AuthOptions { Tokens = [.. tokens] });
}
