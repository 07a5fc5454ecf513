using Bridge.Server.Hosting;
using Bridge.Server.Spool;
using Bridge.Server.Tests.Hosting;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Spool;

public sealed class SpoolOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed() =>
        Assert.True(new SpoolOptionsValidator().Validate(null, new SpoolOptions()).Succeeded);

    [Theory]
    [InlineData("Directory", "", "Spool:Directory must name a directory")]
    [InlineData("SegmentBytes", "1024", "Spool:SegmentBytes must be between 65536 and 1073741824, got 1024")]
    [InlineData("MaxBytes", "65535", "Spool:MaxBytes (65535) must be at least Spool:SegmentBytes")]
    [InlineData("KafkaBudget", "00:00:09", "Spool:KafkaBudget must be between")]
    [InlineData("KafkaBudget", "00:00:00.010", "Spool:KafkaBudget must be between")]
    [InlineData("MaxForwardsInFlight", "0", "Spool:MaxForwardsInFlight must be between 1 and 10000, got 0")]
    [InlineData("RetryBackoff", "00:00:00", "Spool:RetryBackoff must be between")]
    [InlineData("MaxRetryBackoff", "00:00:00.100", "Spool:MaxRetryBackoff must be between Spool:RetryBackoff")]
    public async Task StartAsync_InvalidSpoolSetting_FailsNamingTheKey(string key, string value, string expected)
    {
        var error = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using var app = BridgeTestServer.Build(new Dictionary<string, string?> { ["Spool:" + key] = value, ["Spool:SegmentBytes"] = key == "SegmentBytes" ? value : "65536" }, null, out _);
            await app.StartAsync();
        });

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(2000, 5000, 2000)]
    [InlineData(2000, 3000, 1500)]
    [InlineData(500, 1000, 500)]
    public void EffectiveKafkaBudget_AtMostHalfTheProduceTimeout(int budgetMs, int produceTimeoutMs, int expectedMs)
    {
        var options = new SpoolOptions { KafkaBudget = TimeSpan.FromMilliseconds(budgetMs) };

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), options.EffectiveKafkaBudget(TimeSpan.FromMilliseconds(produceTimeoutMs)));
    }

    [Fact]
    public async Task StartAsync_SpoolDirectoryOfARunningBridge_FailsWithOneLineNamingTheDirectory()
    {
        var directory = Directory.CreateTempSubdirectory("bridge-spool-shared-").FullName;
        try
        {
            var settings = new Dictionary<string, string?> { ["Spool:Directory"] = directory };
            await using var first = await BridgeTestServer.StartAsync(settings);

            var error = await Assert.ThrowsAnyAsync<Exception>(async () =>
            {
                await using var second = BridgeTestServer.Build(settings, null, out _);
                await second.StartAsync();
            });

            var reason = BridgeHost.DescribeStartFailure(error);
            Assert.NotNull(reason);
            Assert.Contains($"Spool:Directory '{directory}' is in use by another bridge process", reason, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
