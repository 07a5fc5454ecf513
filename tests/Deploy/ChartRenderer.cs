using System.Text.Json.Nodes;

namespace Bridge.Deploy.Tests;

/// <summary>
/// The chart rendered by Render/main.go (Go's text/template with sprig and Helm's include, toYaml, required
/// and fail; built against Debian's Go packages), standing in for `helm template`, which is not available here.
/// </summary>
internal static class ChartRenderer
{
    private static readonly Lazy<Task<string>> Program = new(BuildAsync);

    /// <summary>Renders the chart with the values files (repository-relative or absolute) merged over values.yaml.</summary>
    public static async Task<(int ExitCode, string Output)> RenderAsync(params string[] valuesFiles)
    {
        var program = await Program.Value;
        string[] arguments = ["-chart", Repo.Chart, .. valuesFiles.SelectMany(f => new[] { "-f", Path.Combine(Repo.Root, f) })];
        return await ProcessRunner.RunAsync(program, arguments, TimeSpan.FromMinutes(1));
    }

    /// <summary>The rendered objects (templates other than NOTES.txt), and NOTES.txt's text.</summary>
    public static (IReadOnlyList<JsonObject> Objects, string Notes) Parse(string output)
    {
        var objects = new List<JsonObject>();
        var notes = string.Empty;
        foreach (var part in output.Split("# Source: ", StringSplitOptions.RemoveEmptyEntries))
        {
            var newline = part.IndexOf('\n', StringComparison.Ordinal);
            var (file, text) = (part[..newline], part[(newline + 1)..]);
            if (file == "NOTES.txt")
            {
                notes = text;
                continue;
            }

            try
            {
                objects.AddRange(YamlJson.ParseAll(text).OfType<JsonObject>());
            }
            catch (YamlDotNet.Core.YamlException e)
            {
                Assert.Fail($"{file} does not render to YAML: {e.Message}\n{text}");
            }
        }

        return (objects, notes);
    }

    private static async Task<string> BuildAsync()
    {
        var work = Directory.CreateTempSubdirectory("bridge-render-").FullName;
        var binary = Path.Combine(work, "render");
        var source = Path.Combine(AppContext.BaseDirectory, "Render", "main.go");
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temporary directory is harmless.
            }
        };
        var (code, output) = await ProcessRunner.RunAsync("go", ["build", "-o", binary, source], TimeSpan.FromMinutes(5), new Dictionary<string, string>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = work + ":/usr/share/gocode",
            ["GOCACHE"] = Path.Combine(work, "cache"),
        });
        Assert.True(code == 0,
            "Building the chart renderer (Render/main.go) failed; it needs the Debian packages golang-go, " +
            "golang-github-masterminds-sprig-dev and golang-gopkg-yaml.v3-dev (make deps-test installs them): " + output);
        return binary;
    }
}
