namespace Bridge.Grpc.Internal;

/// <summary>Names and values of the gRPC-over-HTTP/2 protocol.</summary>
internal static class GrpcProtocol
{
    public const string ContentType = "application/grpc";
    public const string StatusHeader = "grpc-status";
    public const string MessageHeader = "grpc-message";
    public const string TimeoutHeader = "grpc-timeout";
    public const string EncodingHeader = "grpc-encoding";
    public const string AcceptEncodingHeader = "grpc-accept-encoding";
    public const string TeHeader = "te";
    public const string Identity = "identity";
    public const string Gzip = "gzip";
    public const string SupportedEncodings = "identity,gzip";
    public const int DefaultMaxMessageSize = 4 * 1024 * 1024;

    /// <summary>application/grpc, application/grpc+proto, application/grpc;charset=... are all gRPC.</summary>
    public static bool IsGrpcContentType(string? contentType)
    {
        if (contentType is null || !contentType.StartsWith(ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
        return contentType.Length == ContentType.Length || contentType[ContentType.Length] is '+' or ';';
    }

    /// <summary>
    /// Headers that belong to the protocol or to HTTP rather than to the application, so they are never
    /// exposed as (or accepted from) custom metadata.
    /// </summary>
    public static bool IsReservedHeader(string name) =>
        name.Length == 0
        || name[0] == ':'
        || name.StartsWith("grpc-", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-type", StringComparison.OrdinalIgnoreCase)
        || name.Equals("te", StringComparison.OrdinalIgnoreCase)
        || name.Equals("user-agent", StringComparison.OrdinalIgnoreCase)
        // Kestrel surfaces :authority as Host; these are transport framing, not metadata.
        || name.Equals("host", StringComparison.OrdinalIgnoreCase)
        || name.Equals("content-length", StringComparison.OrdinalIgnoreCase)
        || name.Equals("connection", StringComparison.OrdinalIgnoreCase)
        || name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase);
}
