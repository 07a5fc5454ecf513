using Bridge.Notifier.Configuration;

namespace Bridge.Notifier.Tests.Configuration;

public sealed class ConfigurationStoreTests
{
    private const string Valid = """
        sinks:
          log: { type: console }
        routes:
          - name: first
            sinks: [log]
        """;

    [Fact]
    public async Task TryReload_ValidChangeThroughSymlinkSwap_NewConfigurationInUse()
    {
        await using var harness = await NotifierHarness.StartAsync(Valid);
        // A ConfigMap volume: the file is a symlink into a directory that is replaced as a whole.
        string data1 = Path.Combine(harness.Directory, "..data1");
        string data2 = Path.Combine(harness.Directory, "..data2");
        Directory.CreateDirectory(data1);
        Directory.CreateDirectory(data2);
        await File.WriteAllTextAsync(Path.Combine(data1, "notifier.yaml"), Valid);
        File.Delete(harness.File);
        File.CreateSymbolicLink(harness.File, Path.Combine(data1, "notifier.yaml"));
        Assert.False(harness.Store.TryReload());

        await File.WriteAllTextAsync(Path.Combine(data2, "notifier.yaml"), Valid.Replace("first", "second", StringComparison.Ordinal));
        string temporary = harness.File + ".tmp";
        File.CreateSymbolicLink(temporary, Path.Combine(data2, "notifier.yaml"));
        File.Move(temporary, harness.File, overwrite: true);

        Assert.True(harness.Store.TryReload());
        Assert.Equal("second", Assert.Single(harness.Store.Current.Routes).Name);
        Assert.Null(harness.Store.LastReloadError);
    }

    [Fact]
    public async Task TryReload_InvalidChange_KeepsLastGoodAndSaysWhy()
    {
        await using var harness = await NotifierHarness.StartAsync(Valid);

        await File.WriteAllTextAsync(harness.File, Valid.Replace("sinks: [log]", "sinks: [nowhere]", StringComparison.Ordinal));

        Assert.False(harness.Store.TryReload());
        Assert.Equal("first", Assert.Single(harness.Store.Current.Routes).Name);
        Assert.Contains("routes[0].sinks[0]: 'nowhere' is not a configured sink", harness.Store.LastReloadError, StringComparison.Ordinal);
        Assert.True(harness.Logs.Has(9002));

        // The same invalid content is reported once, not on every poll.
        Assert.False(harness.Store.TryReload());
        Assert.Single(harness.Logs.Entries, e => e.EventId.Id == 9002);

        await File.WriteAllTextAsync(harness.File, Valid.Replace("first", "fixed", StringComparison.Ordinal));
        Assert.True(harness.Store.TryReload());
        Assert.Equal("fixed", Assert.Single(harness.Store.Current.Routes).Name);
        Assert.Null(harness.Store.LastReloadError);
    }

    [Fact]
    public async Task StartAsync_InvalidFile_StartFails()
    {
        var error = await Assert.ThrowsAsync<NotifierConfigurationException>(() =>
            NotifierHarness.StartAsync("routes:\n  - sinks: [log]\n    match: { severity: critical }\nsinks:\n  log: { type: console }\n"));

        Assert.StartsWith("routes[0].match.severity: 'critical' is not info, warn or error", error.Message, StringComparison.Ordinal);
    }
}
