using System.Text.Json.Nodes;
using Xunit.Abstractions;

namespace Bridge.Deploy.Tests;

/// <summary>
/// The images as scripts/build-images.sh builds them here (buildah, bases made locally): their configuration,
/// their content, and the bridge image's root filesystem run read-only as the image's user. A container
/// runtime runs the image too where one can start containers.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class ImageBuildTests(ITestOutputHelper output)
{
    private const string Prefix = "localhost/flagger-bridge";
    private const string Tag = "test";

    private static readonly (string Service, string Project, string Dll)[] Services =
    [
        ("bridge", "src/Bridge/Server/Bridge.Server.csproj", "Bridge.Server.dll"),
        ("notifier", "src/Consumers/Notifier/Bridge.Notifier.csproj", "Bridge.Notifier.dll"),
        ("audit", "src/Consumers/Audit/Bridge.Audit.csproj", "Bridge.Audit.dll"),
    ];

    [ImageFact]
    public async Task Images_Build_HoldThePublishedServices_AndRunAsNonRoot()
    {
        Assert.True(Environment.UserName == "root", "buildah and debootstrap need root here; run the image tests as root.");
        var started = DateTime.UtcNow;
        var (exitCode, text) = await ProcessRunner.RunAsync(Repo.PathOf("scripts", "build-images.sh"), [],
            TimeSpan.FromMinutes(40), new Dictionary<string, string> { ["IMAGE_TAG"] = Tag }, Repo.Root);
        Assert.True(exitCode == 0, $"scripts/build-images.sh failed ({exitCode}):\n{text}");
        output.WriteLine($"scripts/build-images.sh took {(DateTime.UtcNow - started).TotalSeconds:F0} s:\n{text.Trim()}");

        var built = Services.Where(s => File.Exists(Repo.PathOf(s.Project))).ToArray();
        foreach (var (service, project, _) in Services.Except(built))
        {
            output.WriteLine($"{service}: {project} is not in this checkout; its image was not built.");
        }

        Assert.Contains(built, s => s.Service == "bridge");
        foreach (var (service, _, dll) in built)
        {
            var image = $"{Prefix}/{service}:{Tag}";
            var config = await InspectAsync(image);
            var user = config["User"]?.GetValue<string>() ?? string.Empty;
            Assert.Matches("^[1-9][0-9]*(:[0-9]+)?$", user);
            Assert.Null(config["Healthcheck"]);
            Assert.Equal(["dotnet", $"/app/{dll}"], config["Entrypoint"]!.AsArray().Select(n => n!.GetValue<string>()));
            var labels = config["Labels"]!.AsObject();
            foreach (var label in new[] { "title", "version", "revision", "created" })
            {
                Assert.True(labels.ContainsKey($"org.opencontainers.image.{label}"), $"{image} has no org.opencontainers.image.{label} label");
            }

            await using var rootfs = await MountedImage.MountAsync(image);
            var app = Path.Combine(rootfs.Path, "app");
            Assert.True(File.Exists(Path.Combine(app, dll)), $"{image} holds no /app/{dll}");
            var (_, owner) = await ProcessRunner.RunAsync("stat", ["-c", "%u %a", app, Path.Combine(app, dll)], TimeSpan.FromSeconds(30));
            Assert.Equal(["0 755", "0 644"], owner.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            output.WriteLine($"{image}: user {user}, no HEALTHCHECK, /app/{dll} owned by root and read-only to the user.");
        }

        await RunBridgeRootfsAsync($"{Prefix}/bridge:{Tag}");
        await RunWithContainerRuntimeAsync($"{Prefix}/bridge:{Tag}");
    }

    /// <summary>
    /// Runs the image's entrypoint, user and environment in its root filesystem mounted read-only (chroot),
    /// with tmpfs at /tmp and the spool folder, as Kubernetes would with readOnlyRootFilesystem.
    /// </summary>
    private async Task RunBridgeRootfsAsync(string image)
    {
        var config = await InspectAsync(image);
        await using var rootfs = await MountedImage.MountAsync(image);
        var readOnly = Directory.CreateTempSubdirectory("bridge-rootfs-").FullName;
        var mounts = new Stack<string>();
        try
        {
            await Mount(["--bind", rootfs.Path, readOnly], readOnly);
            await Mount(["-o", "remount,bind,ro", readOnly], null);
            await Mount(["-t", "proc", "proc", Path.Combine(readOnly, "proc")], Path.Combine(readOnly, "proc"));
            await Mount(["-t", "tmpfs", "tmpfs", Path.Combine(readOnly, "tmp")], Path.Combine(readOnly, "tmp"));
            await Mount(["-t", "tmpfs", "-o", "uid=1654,gid=1654", "tmpfs", Path.Combine(readOnly, "var/lib/bridge/spool")], Path.Combine(readOnly, "var/lib/bridge/spool"));

            var user = config["User"]!.GetValue<string>();
            var environment = config["Env"]!.AsArray().Select(n => n!.GetValue<string>())
                .Concat(["Ingress__Port=0", "Ingress__BindAddress=127.0.0.1", "Grpc__Port=0", "Grpc__BindAddress=127.0.0.1"]);
            string[] arguments = [$"--userspec={user}", readOnly, "/usr/bin/env", "-i", .. environment, .. config["Entrypoint"]!.AsArray().Select(n => n!.GetValue<string>())];
            using var bridge = new ScriptProcess("chroot", arguments);
            var port = await BridgeProbe.IngressPortAsync(bridge);
            await BridgeProbe.ServesFlaggerAsync(bridge, port);
            bridge.Kill();
            output.WriteLine($"{image}: its root filesystem, read-only, ran its entrypoint as {user}: /readyz 200, the Flagger examples 202.");
        }
        finally
        {
            while (mounts.TryPop(out var target))
            {
                await ProcessRunner.RunAsync("umount", ["-l", target], TimeSpan.FromSeconds(30));
            }

            Directory.Delete(readOnly);
        }

        async Task Mount(string[] arguments, string? target)
        {
            var (exitCode, text) = await ProcessRunner.RunAsync("mount", arguments, TimeSpan.FromSeconds(30));
            Assert.True(exitCode == 0, $"mount {string.Join(' ', arguments)}: {text}");
            if (target is not null)
            {
                mounts.Push(target);
            }
        }
    }

    /// <summary>Runs the image with podman or docker where one can start containers; else says why not, in one line.</summary>
    private async Task RunWithContainerRuntimeAsync(string image)
    {
        foreach (var runtime in new[] { "podman", "docker" })
        {
            var (exitCode, text) = await ProcessRunner.RunAsync(runtime, ["run", "--rm", "--pull=never", "--entrypoint", "/bin/true", image], TimeSpan.FromMinutes(2));
            if (exitCode != 0)
            {
                var reason = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? $"exit code {exitCode}";
                output.WriteLine($"Skipped running {image} with {runtime}: {(exitCode == -1 ? "not installed" : "it cannot start containers here")} ({reason}).");
                continue;
            }

            using var container = new ScriptProcess(runtime,
            [
                "run", "--rm", "--pull=never", "--network=host", "--read-only", "--tmpfs", "/tmp", "--tmpfs", "/var/lib/bridge/spool:uid=1654,gid=1654",
                "-e", "Ingress__Port=0", "-e", "Ingress__BindAddress=127.0.0.1", "-e", "Grpc__Port=0", "-e", "Grpc__BindAddress=127.0.0.1", image,
            ]);
            var port = await BridgeProbe.IngressPortAsync(container);
            await BridgeProbe.ServesFlaggerAsync(container, port);
            container.Kill();
            output.WriteLine($"{image} ran with {runtime} (read-only root): /readyz 200, the Flagger examples 202.");
            return;
        }
    }

    private static async Task<JsonObject> InspectAsync(string image)
    {
        var (exitCode, text) = await ProcessRunner.RunAsync("buildah", ["inspect", "--type", "image", image], TimeSpan.FromMinutes(1));
        Assert.True(exitCode == 0, $"buildah inspect {image}: {text}");
        return JsonNode.Parse(text)!["OCIv1"]!["config"]!.AsObject();
    }

    /// <summary>A working container of an image, its root filesystem mounted on the host; removed when disposed.</summary>
    private sealed class MountedImage : IAsyncDisposable
    {
        private readonly string _container;

        private MountedImage(string container, string path) => (_container, Path) = (container, path);

        public string Path { get; }

        public static async Task<MountedImage> MountAsync(string image)
        {
            var (created, container) = await ProcessRunner.RunAsync("buildah", ["from", "--pull=false", image], TimeSpan.FromMinutes(2));
            Assert.True(created == 0, $"buildah from {image}: {container}");
            container = container.Trim().Split('\n')[^1];
            var (mounted, path) = await ProcessRunner.RunAsync("buildah", ["mount", container], TimeSpan.FromMinutes(1));
            Assert.True(mounted == 0, $"buildah mount {container}: {path}");
            return new MountedImage(container, path.Trim());
        }

        public async ValueTask DisposeAsync()
        {
            await ProcessRunner.RunAsync("buildah", ["umount", _container], TimeSpan.FromMinutes(1));
            await ProcessRunner.RunAsync("buildah", ["rm", _container], TimeSpan.FromMinutes(1));
        }
    }
}
