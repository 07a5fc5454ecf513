using Microsoft.Extensions.Options;

namespace Bridge.Audit.Tests.Configuration;

/// <summary>Invalid configuration stops the start with a message naming the key.</summary>
public sealed class ConfigurationTests
{
    [Theory]
    [InlineData("--Audit:Storage:Provider=mysql", "Audit:Storage:Provider 'mysql' is not supported; use 'sqlite' or 'postgres'.")]
    [InlineData("--Audit:Storage:Provider=postgres", "Audit:Storage: the postgres provider needs exactly one of ConnectionString and ConnectionStringFile.")]
    [InlineData("--Audit:Storage:ConnectionStringFile=/nonexistent/pg", "Audit:Storage:ConnectionStringFile '/nonexistent/pg' cannot be read:")]
    [InlineData("--Audit:Retention:MaxAge=00:00:10", "Audit:Retention:MaxAge 00:00:10 is too short")]
    [InlineData("--Auth:Tokens:0:Name=ci", "Auth:Tokens:0: set exactly one of Token and TokenFile.")]
    [InlineData("--Auth:Tokens:0:Token=short", "Auth:Tokens:0:Name is required")]
    [InlineData("--Audit:StreamHeartbeat=00:00:00", "Audit:StreamHeartbeat 00:00:00 must be from 00:00:00.1 to 00:10:00.")]
    public async Task Start_InvalidSetting_FailsNamingTheKey(string setting, string message)
    {
        var directory = Directory.CreateTempSubdirectory("audit-config-").FullName;
        try
        {
            await using var app = AuditApp.Build(
            [
                "--Urls=http://127.0.0.1:0", "--Subscriber:Address=http://127.0.0.1:1",
                $"--Audit:Storage:SqlitePath={Path.Combine(directory, "audit.db")}", "--Logging:LogLevel:Default=None", setting,
            ]);

            var error = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

            Assert.Contains(message, error.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Build_PortOutOfRange_FailsNamingTheKey()
    {
        var error = Assert.Throws<OptionsValidationException>(() => AuditApp.Build(["--Audit:Port=70000", "--Subscriber:Address=http://127.0.0.1:1"]));

        Assert.Contains("Audit:Port 70000 is not a TCP port (0-65535).", error.Message, StringComparison.Ordinal);
    }
}
