namespace Bridge.Server.Spool;

/// <summary>The spool cannot take an event: it is full, not open, or its disk failed. The message says which.</summary>
internal sealed class SpoolUnavailableException(string message, Exception? inner = null) : Exception(message, inner);
