namespace Bridge.Server.Tests.Interop;

/// <summary>Builds the Go peers (Interop/&lt;name&gt;/main.go) once each, in GOPATH mode against Debian's Go packages.</summary>
internal static class GoPrograms
{
    private static readonly Dictionary<string, Lazy<Task<string>>> Built = new(StringComparer.Ordinal);

    /// <summary>The path of the built program; fails (never skips) naming the Debian packages when Go or grpc-go is missing.</summary>
    public static Task<string> BuildAsync(string name)
    {
        lock (Built)
        {
            if (!Built.TryGetValue(name, out var build))
            {
                Built[name] = build = new Lazy<Task<string>>(() => CompileAsync(name));
            }

            return build.Value;
        }
    }

    private static async Task<string> CompileAsync(string name)
    {
        var work = Directory.CreateTempSubdirectory($"bridge-go-{name}-").FullName;
        var binary = Path.Combine(work, name);
        var source = Path.Combine(AppContext.BaseDirectory, "Interop", name, "main.go");
        var environment = new Dictionary<string, string>
        {
            ["GO111MODULE"] = "off",
            ["GOPATH"] = work + ":/usr/share/gocode",
            ["GOCACHE"] = Path.Combine(work, "cache"),
        };
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
        var (code, output) = await ProcessRunner.RunAsync("go", ["build", "-o", binary, source], TimeSpan.FromMinutes(5), environment);
        Assert.True(code == 0,
            $"Building the Go program {name} failed; it needs the Debian packages golang-go, golang-google-grpc-dev and " +
            "golang-google-protobuf-dev (apt-get install -y golang-go golang-google-grpc-dev golang-google-protobuf-dev): " + output);
        return binary;
    }
}
