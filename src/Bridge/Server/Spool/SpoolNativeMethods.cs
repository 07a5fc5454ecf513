using System.Runtime.InteropServices;
using System.Text;

namespace Bridge.Server.Spool;

/// <summary>
/// fsync of a directory, which .NET has no API for: a new or renamed file survives a power loss only once
/// the directory holding its name is synced too.
/// </summary>
internal static class SpoolNativeMethods
{
    private const string Libc = "libc";

    /// <summary>Syncs the directory's entries to disk; a no-op where directories cannot be opened (Windows).</summary>
    /// <exception cref="IOException">The directory could not be opened or synced.</exception>
    public static void SyncDirectory(string path)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS() && !OperatingSystem.IsFreeBSD())
        {
            return;
        }

        var name = new byte[Encoding.UTF8.GetByteCount(path) + 1];
        Encoding.UTF8.GetBytes(path, name);
        var fd = Open(name, 0);
        if (fd < 0)
        {
            throw new IOException($"Could not open directory '{path}' to sync it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw new IOException($"Could not sync directory '{path}' (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [DllImport(Libc, EntryPoint = "open", SetLastError = true)]
    private static extern int Open(byte[] path, int flags);

    [DllImport(Libc, EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport(Libc, EntryPoint = "close", SetLastError = true)]
    private static extern int Close(int fd);
}
