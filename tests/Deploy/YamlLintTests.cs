namespace Bridge.Deploy.Tests;

/// <summary>yamllint (Debian package) over the chart's non-template files and the examples, with the repository's .yamllint.</summary>
public sealed class YamlLintTests
{
    [Fact]
    public async Task ChartValuesMetadataAndExamples_PassYamllint()
    {
        string[] targets = ["charts/flagger-bridge/values.yaml", "charts/flagger-bridge/Chart.yaml", "examples", ".yamllint"];
        var (exitCode, output) = await ProcessRunner.RunAsync(
            "yamllint", ["--strict", "--format", "parsable", "--config-file", ".yamllint", .. targets],
            TimeSpan.FromMinutes(2), workingDirectory: Repo.Root);
        Assert.True(exitCode != -1, $"yamllint is not installed (Debian package yamllint; make deps-test installs it): {output}");
        Assert.True(exitCode == 0, $"yamllint found problems:\n{output}");
    }

    [Fact]
    public async Task Yamllint_RefusesABrokenFile()
    {
        var dir = Directory.CreateTempSubdirectory("bridge-yamllint-");
        try
        {
            var file = Path.Combine(dir.FullName, "values.yaml");
            await File.WriteAllTextAsync(file, "bridge:\n  replicaCount: 2\n  replicaCount: 3\n");
            var (exitCode, output) = await ProcessRunner.RunAsync(
                "yamllint", ["--strict", "--format", "parsable", "--config-file", Repo.PathOf(".yamllint"), file], TimeSpan.FromMinutes(2));
            Assert.True(exitCode != -1, $"yamllint is not installed (Debian package yamllint): {output}");
            Assert.NotEqual(0, exitCode);
            Assert.Contains("key-duplicates", output, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
