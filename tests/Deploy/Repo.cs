namespace Bridge.Deploy.Tests;

/// <summary>Paths in the repository the tests run from.</summary>
internal static class Repo
{
    /// <summary>The checkout's root: the first folder above the test assembly that holds Bridge.sln.</summary>
    public static string Root { get; } = FindRoot();

    public static string Chart => Path.Combine(Root, "charts", "flagger-bridge");

    public static string PathOf(params string[] parts) => Path.Combine([Root, .. parts]);

    /// <summary>Repository-relative path with forward slashes, for messages.</summary>
    public static string Relative(string path) => Path.GetRelativePath(Root, path).Replace('\\', '/');

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Bridge.sln above {AppContext.BaseDirectory}.");
    }
}
