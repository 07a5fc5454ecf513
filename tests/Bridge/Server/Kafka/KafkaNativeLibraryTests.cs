using System.Runtime.InteropServices;
using Bridge.Server.Kafka;
using Confluent.Kafka;

namespace Bridge.Server.Tests.Kafka;

public sealed class KafkaNativeLibraryTests
{
    private const string RedistVersion = "2.16.0";

    [Fact]
    public void Load_OnThisMachine_ConfluentKafkaUsesTheRedistsLibrdkafka()
    {
        var library = KafkaNativeLibrary.Load();

        Assert.Equal(RedistVersion, library.Version);
        Assert.Equal(RedistVersion, Library.VersionString);
        Assert.Equal(0x021000, library.VersionNumber >> 8);
        Assert.Contains(Path.GetFileName(library.Path), KafkaNativeLibrary.CandidateFileNames());
        Assert.StartsWith(Path.GetFullPath(AppContext.BaseDirectory), library.Path, StringComparison.Ordinal);
        Assert.Same(library, KafkaNativeLibrary.Load());
    }

    [SystemLibrdkafkaFact]
    public async Task Load_SystemLibrdkafkaInstalled_OnlyTheRedistsLibraryIsInTheProcess()
    {
        var system = SystemLibrdkafkaFactAttribute.Installed()!;

        await ProduceThroughEmbeddedClusterAsync();

        Assert.Equal(RedistVersion, Library.VersionString);
        var mapped = MappedLibrdkafkaFiles();
        Assert.DoesNotContain(mapped, path => path.StartsWith(Path.GetDirectoryName(system)!, StringComparison.Ordinal));
        Assert.Equal([Resolve(KafkaNativeLibrary.Load().Path)], mapped);
    }

    [Fact]
    public async Task EmbeddedCluster_NativeCalls_GoToTheLibraryConfluentKafkaUses()
    {
        var library = KafkaNativeLibrary.Load();

        await ProduceThroughEmbeddedClusterAsync();

        // The embedded cluster's own import reports the version of the one library mapped into the process.
        Assert.Equal(Library.VersionString, Marshal.PtrToStringUTF8(LibrdkafkaNativeMethods.VersionString()));
        Assert.Equal([Resolve(library.Path)], MappedLibrdkafkaFiles());
        Assert.NotEqual(IntPtr.Zero, NativeLibrary.GetExport(library.Handle, "rd_kafka_mock_cluster_new"));
    }

    [Fact]
    public void CandidateFileNames_Linux_DefaultBuildThenTheCentos8BuildOnGlibcAndTheAlpineBuildOnMusl()
    {
        var musl = RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal);

        var names = KafkaNativeLibrary.CandidateFileNames();

        Assert.Equal(musl ? ["alpine-librdkafka.so"] : ["librdkafka.so", "centos8-librdkafka.so"], names);
    }

    [Fact]
    public void SearchDirectories_BuildOutput_IncludesTheRedistsNativeFolder()
    {
        var native = Path.Combine(Path.GetFullPath(AppContext.BaseDirectory), "runtimes", "linux-x64", "native");

        var directories = KafkaNativeLibrary.SearchDirectories();

        Assert.Contains(native, directories);
        Assert.Equal(directories.Count, directories.Distinct().Count());
    }

    [Fact]
    public void LoadFirst_NoCandidateInTheDirectories_ThrowsNamingWhereItLooked()
    {
        var empty = Directory.CreateTempSubdirectory("rdkafka-none-");
        try
        {
            var error = Assert.Throws<InvalidOperationException>(() => KafkaNativeLibrary.LoadFirst(["librdkafka.so"], [empty.FullName]));

            Assert.Equal(
                $"Could not load librdkafka from the librdkafka.redist package (librdkafka.so): none was found in {empty.FullName}. "
                + "The package's runtimes/<rid>/native files must be deployed with the application.",
                error.Message);
        }
        finally
        {
            empty.Delete(recursive: true);
        }
    }

    [Fact]
    public void LoadFirst_CandidatesThatDoNotLoad_ThrowsWithTheLoadersReasonForEach()
    {
        var folder = Directory.CreateTempSubdirectory("rdkafka-broken-");
        try
        {
            File.WriteAllText(Path.Combine(folder.FullName, "librdkafka.so"), "not a shared object");
            File.WriteAllText(Path.Combine(folder.FullName, "centos8-librdkafka.so"), "nor this");

            var error = Assert.Throws<InvalidOperationException>(
                () => KafkaNativeLibrary.LoadFirst(["librdkafka.so", "centos8-librdkafka.so"], [folder.FullName]));

            Assert.StartsWith("Could not load librdkafka from the librdkafka.redist package (librdkafka.so or centos8-librdkafka.so): none of them loaded: ", error.Message, StringComparison.Ordinal);
            Assert.Contains($"{Path.Combine(folder.FullName, "librdkafka.so")}: ", error.Message, StringComparison.Ordinal);
            Assert.Contains($"{Path.Combine(folder.FullName, "centos8-librdkafka.so")}: ", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private static async Task ProduceThroughEmbeddedClusterAsync()
    {
        await using var cluster = EmbeddedKafkaCluster.Start(1);
        cluster.CreateTopic("native", 1, 1);
        using var producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var delivery = await producer.ProduceAsync("native", new Message<byte[]?, byte[]?> { Value = [1] });
        Assert.Equal(PersistenceStatus.Persisted, delivery.Status);
    }

    /// <summary>Every librdkafka file the process has mapped (from /proc/self/maps), resolved and distinct.</summary>
    private static string[] MappedLibrdkafkaFiles() =>
        File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries))
            .Where(fields => fields.Length == 6 && fields[5].StartsWith('/'))
            .Select(fields => fields[5].Trim())
            .Where(path => Path.GetFileName(path).Contains("rdkafka", StringComparison.Ordinal))
            .Select(Resolve)
            .Distinct(StringComparer.Ordinal)
            .ToArray();

    private static string Resolve(string path) =>
        new FileInfo(path).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? Path.GetFullPath(path);
}

/// <summary>A fact that runs only where a system librdkafka (e.g. Debian's librdkafka1 / librdkafka-dev) is installed.</summary>
public sealed class SystemLibrdkafkaFactAttribute : FactAttribute
{
    private static readonly string[] Folders =
    [
        $"/usr/lib/{(RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64" : "x86_64")}-linux-gnu",
        "/usr/lib64",
        "/usr/lib",
        "/usr/local/lib",
    ];

    public SystemLibrdkafkaFactAttribute()
    {
        if (Installed() is null)
        {
            Skip = $"No system librdkafka in {string.Join(", ", Folders)} (install Debian's librdkafka-dev to run it).";
        }
    }

    /// <summary>The path of the system's librdkafka, or null.</summary>
    public static string? Installed() =>
        OperatingSystem.IsLinux()
            ? Folders.SelectMany(f => new[] { Path.Combine(f, "librdkafka.so"), Path.Combine(f, "librdkafka.so.1") }).FirstOrDefault(File.Exists)
            : null;
}
