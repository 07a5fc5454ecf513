using System.Text.RegularExpressions;

namespace Bridge.Deploy.Tests;

/// <summary>The Containerfiles' contract, read from the files themselves (builds: <see cref="ImageBuildTests"/>).</summary>
public sealed partial class ContainerfileTests
{
    public static TheoryData<string, string, int> Services() => new()
    {
        { "bridge", "Bridge.Server.dll", 8080 },
        { "notifier", "Bridge.Notifier.dll", 8090 },
        { "audit", "Bridge.Audit.dll", 8091 },
    };

    private static string Read(string service) =>
        File.ReadAllText(Repo.PathOf("deploy", "containers", $"{service}.Containerfile"));

    [Theory]
    [MemberData(nameof(Services))]
    public void Containerfile_BuildsOnTheOfficialImagesByDefault(string service, string dll, int port)
    {
        var text = Read(service);
        Assert.Matches(@"(?m)^ARG SDK_IMAGE=mcr\.microsoft\.com/dotnet/sdk:10\.0$", text);
        Assert.Matches(@"(?m)^ARG RUNTIME_IMAGE=mcr\.microsoft\.com/dotnet/aspnet:10\.0$", text);
        Assert.Matches(@"(?m)^FROM \$\{SDK_IMAGE\} AS build$", text);
        Assert.Matches(@"(?m)^FROM \$\{RUNTIME_IMAGE\}$", text);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"/app/{dll}\"]", text, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^EXPOSE {port}\b", text);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Containerfile_RunsAsANumericNonRootUserWithoutHealthcheck(string service, string dll, int port)
    {
        _ = (dll, port);
        var text = Read(service);
        var user = UserLine().Match(text);
        Assert.True(user.Success, $"{service}.Containerfile has no numeric USER line.");
        Assert.NotEqual("0", user.Groups[1].Value);
        Assert.DoesNotMatch(@"(?mi)^HEALTHCHECK", text);
        // Only the runtime stage's last USER counts: nothing after it may switch back.
        Assert.Equal(1, Regex.Count(text, "(?m)^USER "));
        Assert.Contains("DOTNET_EnableDiagnostics=0", text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Containerfile_HasOciLabelsAndNoOsLibrdkafka(string service, string dll, int port)
    {
        _ = (dll, port);
        var text = Read(service);
        foreach (var label in new[] { "title", "description", "version", "revision", "created", "source" })
        {
            Assert.Contains($"org.opencontainers.image.{label}=", text, StringComparison.Ordinal);
        }

        // librdkafka comes with the published application (librdkafka.redist), never from the OS.
        var instructions = string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith('#')));
        Assert.DoesNotMatch(@"(?i)\b(apt-get|apt|apk|dnf|yum|microdnf)\s+(-\S+\s+)*(install|add)\b", instructions);
        Assert.DoesNotMatch(@"(?i)librdkafka", instructions);
    }

    [Fact]
    public void BridgeContainerfile_ShipsBridgectlOnPath()
    {
        var text = Read("bridge");
        var stages = text.Split("FROM ${RUNTIME_IMAGE}");
        Assert.Equal(2, stages.Length);
        var (build, runtime) = (stages[0], stages[1]);

        // Published like the bridge (same architecture, framework-dependent, same extra arguments) into the same folder,
        // but with its native launcher, which the symlink on PATH runs without a shell.
        var publish = Regex.Match(build, @"dotnet publish src/Tools/Bridgectl/Bridge\.Ctl\.csproj([^\n]*\\\n[^\n]*)");
        Assert.True(publish.Success, "bridge.Containerfile does not publish src/Tools/Bridgectl/Bridge.Ctl.csproj.");
        foreach (var argument in new[] { "-c Release", "-a \"$arch\"", "--no-self-contained", "-o /out/app", "${PUBLISH_ARGS}" })
        {
            Assert.Contains(argument, publish.Groups[1].Value, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("UseAppHost=false", publish.Groups[1].Value, StringComparison.Ordinal);
        Assert.Matches(@"ln -s /app/bridgectl /out/bin/bridgectl\b", build);
        Assert.Matches(@"(?m)^COPY --from=build /out/bin/ /usr/local/bin/$", runtime);

        // The runtime stage stays shell-free, so chiseled bases keep working.
        Assert.DoesNotMatch(@"(?m)^RUN\b", runtime);
    }

    [GeneratedRegex(@"(?m)^USER ([0-9]+)(:[0-9]+)?\s*$")]
    private static partial Regex UserLine();
}
