using System.Reflection;
using System.Runtime.InteropServices;
using Confluent.Kafka;

namespace Bridge.Server.Kafka;

/// <summary>
/// Makes the process use the librdkafka build that ships with the librdkafka.redist package, whatever
/// the machine has installed, for Confluent.Kafka and for the embedded cluster's own calls alike.
/// </summary>
/// <remarks>
/// Left alone, Confluent.Kafka asks the loader for "librdkafka". On Debian 12 the redist's default
/// Linux build does not load (it links <c>libsasl2.so.3</c>, Debian has <c>.so.2</c>), and the loader
/// then falls back to the system's <c>librdkafka.so</c> when Debian's librdkafka-dev is installed: an
/// older librdkafka, silently. Here every candidate is loaded by absolute path from the directories the
/// .NET host probes for the application's native assets (the build output's
/// <c>runtimes/&lt;rid&gt;/native</c>, or the application folder of a RID-specific publish), the first
/// that loads wins, and a DllImport resolver hands that one handle to every librdkafka import of
/// Confluent.Kafka and of this assembly. It goes through the runtime's own loader, which needs no
/// <c>libdl.so</c> (Confluent.Kafka's <c>Library.Load(path)</c> does).
/// </remarks>
internal static class KafkaNativeLibrary
{
    /// <summary>The library name of every librdkafka DllImport in Confluent.Kafka's default variant and in this assembly.</summary>
    public const string ImportName = "librdkafka";

    // Confluent.Kafka's other variants import these names; they resolve to the same handle.
    private static readonly string[] ImportNames = [ImportName, "centos8-librdkafka", "alpine-librdkafka"];

    private static readonly Lazy<LoadedLibrdkafka> Loaded = new(LoadAndBind, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Loads the redist's librdkafka and binds Confluent.Kafka and this assembly to it; later calls return
    /// the same result. Call before the first Kafka client is built.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// No build of the redist loads on this machine, or Confluent.Kafka had already loaded a librdkafka
    /// on its own.
    /// </exception>
    public static LoadedLibrdkafka Load() => Loaded.Value;

    /// <summary>
    /// File names of the redist's builds for this platform, most capable first: on glibc Linux the
    /// default build (with GSSAPI, needs <c>libsasl2.so.3</c>) and then the one built on CentOS 8; on musl
    /// the Alpine build.
    /// </summary>
    internal static IReadOnlyList<string> CandidateFileNames()
    {
        if (OperatingSystem.IsWindows())
        {
            return ["librdkafka.dll"];
        }

        if (OperatingSystem.IsMacOS())
        {
            return ["librdkafka.dylib"];
        }

        return RuntimeInformation.RuntimeIdentifier.Contains("musl", StringComparison.Ordinal)
            ? ["alpine-librdkafka.so"]
            : ["librdkafka.so", "centos8-librdkafka.so"];
    }

    /// <summary>
    /// Where the host keeps the application's native assets: its native search directories, then the
    /// application folder and its <c>runtimes/&lt;rid&gt;/native</c> folder. Distinct, in that order.
    /// </summary>
    internal static IReadOnlyList<string> SearchDirectories()
    {
        var directories = new List<string>();
        if (AppContext.GetData("NATIVE_DLL_SEARCH_DIRECTORIES") is string probed)
        {
            directories.AddRange(probed.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        }

        var rid = $"{PlatformName()}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}";
        directories.Add(AppContext.BaseDirectory);
        directories.Add(Path.Combine(AppContext.BaseDirectory, "runtimes", rid, "native"));
        return directories
            .Select(d => Path.TrimEndingDirectorySeparator(Path.GetFullPath(d)))
            .Distinct(StringComparer.Ordinal)
            .ToArray();
    }

    private static LoadedLibrdkafka LoadAndBind()
    {
        if (Library.IsLoaded)
        {
            // Its imports are bound already; a resolver set now would split the process between two libraries.
            throw new InvalidOperationException(
                $"Confluent.Kafka loaded librdkafka {Library.VersionString} before the bridge could choose the redist's build; "
                + $"{nameof(KafkaNativeLibrary)}.{nameof(Load)} must run before the first Kafka client is built.");
        }

        var (path, handle) = LoadFirst(CandidateFileNames(), SearchDirectories());
        DllImportResolver resolver = (name, _, _) => IsLibrdkafka(name) ? handle : IntPtr.Zero;
        NativeLibrary.SetDllImportResolver(typeof(Library).Assembly, resolver);
        NativeLibrary.SetDllImportResolver(typeof(KafkaNativeLibrary).Assembly, resolver);
        return new LoadedLibrdkafka(path, handle, Library.VersionString, Library.Version);
    }

    /// <summary>Loads the first of <paramref name="fileNames"/> (in that order) found in one of <paramref name="directories"/> that loads.</summary>
    /// <exception cref="InvalidOperationException">None is there, or none loads; the message says which and why.</exception>
    internal static (string Path, IntPtr Handle) LoadFirst(IReadOnlyList<string> fileNames, IReadOnlyList<string> directories)
    {
        var failures = new List<string>();
        foreach (var fileName in fileNames)
        {
            foreach (var directory in directories)
            {
                var path = Path.Combine(directory, fileName);
                if (!File.Exists(path))
                {
                    continue;
                }

                try
                {
                    return (path, NativeLibrary.Load(path));
                }
                catch (DllNotFoundException e)
                {
                    // Typically a missing dependency (libsasl2.so.3 on Debian 12): the next build may not need it.
                    failures.Add($"{path}: {e.Message}");
                }
            }
        }

        var tried = failures.Count > 0
            ? "none of them loaded: " + string.Join("; ", failures)
            : $"none was found in {string.Join(", ", directories)}";
        throw new InvalidOperationException(
            $"Could not load librdkafka from the librdkafka.redist package ({string.Join(" or ", fileNames)}): {tried}. "
            + "The package's runtimes/<rid>/native files must be deployed with the application.");
    }

    private static bool IsLibrdkafka(string libraryName)
    {
        var name = Path.GetFileName(libraryName);
        foreach (var import in ImportNames)
        {
            if (name.StartsWith(import, StringComparison.Ordinal)
                && (name.Length == import.Length || name[import.Length] == '.'))
            {
                return true;
            }
        }

        return false;
    }

    private static string PlatformName() =>
        OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
}

/// <summary>The librdkafka the process uses.</summary>
/// <param name="Path">The file it was loaded from.</param>
/// <param name="Handle">The loader's handle of it.</param>
/// <param name="Version">Its version as Confluent.Kafka reports it (<c>Library.VersionString</c>), e.g. <c>2.16.0</c>.</param>
/// <param name="VersionNumber">Its version as an integer (<c>0xMMmmrrpp</c>), as Confluent.Kafka reports it.</param>
internal sealed record LoadedLibrdkafka(string Path, IntPtr Handle, string Version, int VersionNumber);
