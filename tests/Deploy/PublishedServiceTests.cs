using System.Runtime.InteropServices;
using Xunit.Abstractions;

namespace Bridge.Deploy.Tests;

/// <summary>
/// The bridge published the way its Containerfile publishes it (the same sources, the same dotnet publish
/// arguments) runs the way the image runs it: as an unprivileged user, from an application folder it cannot
/// write, writing only to its spool and temporary folders.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class PublishedServiceTests(ITestOutputHelper output)
{
    private const int UnprivilegedId = 65532;

    [Fact]
    public async Task PublishedBridge_RunsUnprivilegedFromAReadOnlyFolder_AndTakesFlaggerEvents()
    {
        var work = Directory.CreateTempSubdirectory("bridge-published-");
        try
        {
            // Other users must be able to reach the folders below (the temporary folder's default is 0700).
            File.SetUnixFileMode(work.FullName, (UnixFileMode)0b111_101_101);
            var app = await PublishAsync(work.FullName, "src/Bridge/Server/Bridge.Server.csproj");
            Assert.True(File.Exists(Path.Combine(app, "Bridge.Server.dll")), "dotnet publish left no Bridge.Server.dll");
            Assert.NotEmpty(Directory.GetFiles(app, "*librdkafka*.so"));
            MakeReadOnly(app);
            var before = Listing(app);

            var data = Path.Combine(work.FullName, "data");
            var spool = Directory.CreateDirectory(Path.Combine(data, "spool")).FullName;
            var tmp = Directory.CreateDirectory(Path.Combine(data, "tmp")).FullName;
            var asRoot = Environment.UserName == "root";
            var (program, prefix) = asRoot
                ? ("setpriv", new[] { $"--reuid={UnprivilegedId}", $"--regid={UnprivilegedId}", "--clear-groups", "--" })
                : (Dotnet(), Array.Empty<string>());
            if (asRoot)
            {
                var (chowned, chownOutput) = await ProcessRunner.RunAsync("chown", ["-R", $"{UnprivilegedId}:{UnprivilegedId}", data], TimeSpan.FromSeconds(30));
                Assert.True(chowned == 0, chownOutput);
            }
            else
            {
                output.WriteLine($"Not root, so no setpriv: the bridge runs as the current user ({Environment.UserName}); the application folder is read-only to it all the same.");
            }

            string[] arguments = [.. prefix, .. (asRoot ? new[] { Dotnet() } : []), Path.Combine(app, "Bridge.Server.dll"), "--contentRoot", app];
            using var bridge = new ScriptProcess(program, arguments, new Dictionary<string, string>
            {
                ["DOTNET_EnableDiagnostics"] = "0",
                ["TMPDIR"] = tmp,
                ["HOME"] = "/nonexistent",
                ["Ingress__Port"] = "0",
                ["Ingress__BindAddress"] = "127.0.0.1",
                ["Grpc__Port"] = "0",
                ["Grpc__BindAddress"] = "127.0.0.1",
                ["Kafka__BootstrapServers"] = string.Empty,
                ["Spool__Directory"] = spool,
            });

            var port = await BridgeProbe.IngressPortAsync(bridge);
            await BridgeProbe.ServesFlaggerAsync(bridge, port);

            Assert.Equal(before, Listing(app));
            var lockFile = Path.Combine(spool, "spool.lock");
            Assert.True(File.Exists(lockFile), "The spool was not written to its folder: " + string.Join(", ", Directory.GetFileSystemEntries(spool)));
            if (asRoot)
            {
                // The files the bridge made are its user's: proof of the uid it ran as.
                var (_, owner) = await ProcessRunner.RunAsync("stat", ["-c", "%u", lockFile], TimeSpan.FromSeconds(30));
                Assert.Equal($"{UnprivilegedId}", owner.Trim());
            }

            output.WriteLine($"Published bridge ran as {(asRoot ? $"uid {UnprivilegedId}" : "the current user")} from a read-only {app}, answered /readyz and took the Flagger examples.");
        }
        finally
        {
            MakeWritable(work.FullName);
            work.Delete(recursive: true);
        }
    }

    /// <summary>Copies what the Containerfiles copy into a build folder and runs their dotnet publish there.</summary>
    internal static async Task<string> PublishAsync(string work, string project)
    {
        var source = Path.Combine(work, "src-copy");
        foreach (var file in new[] { "global.json", "Directory.Build.props", "Directory.Packages.props" })
        {
            Directory.CreateDirectory(source);
            File.Copy(Repo.PathOf(file), Path.Combine(source, file));
        }

        CopySources(Repo.PathOf("protos"), Path.Combine(source, "protos"));
        CopySources(Repo.PathOf("src"), Path.Combine(source, "src"));
        var app = Path.Combine(work, "app");
        var arch = RuntimeInformation.OSArchitecture == Architecture.Arm64 ? "arm64" : "x64";
        var (exitCode, text) = await ProcessRunner.RunAsync(Dotnet(),
            ["publish", project, "-c", "Release", "-a", arch, "--no-self-contained", "-p:UseAppHost=false",
             "-p:GenerateDocumentationFile=false", "-o", app, "-nologo", "-v", "q"],
            TimeSpan.FromMinutes(10), workingDirectory: source);
        Assert.True(exitCode == 0, $"dotnet publish {project} failed ({exitCode}):\n{text}");
        return app;
    }

    private static void CopySources(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.EnumerateFiles(from))
        {
            File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        }

        foreach (var dir in Directory.EnumerateDirectories(from))
        {
            // Build output of the checkout is not part of the build context (.dockerignore).
            if (Path.GetFileName(dir) is not ("bin" or "obj" or "data"))
            {
                CopySources(dir, Path.Combine(to, Path.GetFileName(dir)));
            }
        }
    }

    internal static string Dotnet() =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet";

    private static void MakeReadOnly(string dir)
    {
        foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
        {
            File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        }

        foreach (var sub in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Append(dir))
        {
            File.SetUnixFileMode(sub, (UnixFileMode)0b101_101_101);
        }
    }

    private static void MakeWritable(string dir)
    {
        foreach (var sub in Directory.EnumerateDirectories(dir, "*", SearchOption.AllDirectories).Append(dir))
        {
            File.SetUnixFileMode(sub, (UnixFileMode)0b111_101_101);
        }
    }

    private static string[] Listing(string dir) =>
        Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToArray();
}
