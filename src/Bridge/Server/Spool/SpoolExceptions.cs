namespace Bridge.Server.Spool;

/// <summary>The spool cannot take an event: it is full, not open, or its disk failed. The message says which.</summary>
internal sealed class SpoolUnavailableException(string message, Exception? inner = null, bool full = false) : Exception(message, inner)
{
    /// <summary>The spool is full (<c>Spool:MaxBytes</c>); otherwise it is not open or its disk failed.</summary>
    public bool IsFull { get; } = full;
}
