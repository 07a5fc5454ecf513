using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// Errors with a readable message and, for clients that read rich errors, a <c>google.rpc.Status</c> in the
/// <c>grpc-status-details-bin</c> trailer.
/// </summary>
internal static class GrpcErrors
{
    /// <summary>The status every open stream ends with when the bridge shuts down.</summary>
    public static readonly Grpc.Core.Status ShuttingDown = new(Grpc.Core.StatusCode.Unavailable, "Server is shutting down");

    /// <summary>
    /// INVALID_ARGUMENT with <paramref name="message"/> as its detail, and a <c>BadRequest</c> with one field violation:
    /// <paramref name="field"/>, or else the message's leading <c>path: </c> (the bridge's messages start with the
    /// request field they are about, e.g. <c>open.filters[1].any[0].exact: ...</c>).
    /// </summary>
    public static RpcException InvalidArgument(string message, string? field = null)
    {
        var separator = message.IndexOf(": ", StringComparison.Ordinal);
        var prefixed = separator > 0 && !message.AsSpan(0, separator).ContainsAny(' ', ';');
        var violation = new BadRequest.Types.FieldViolation
        {
            Field = field ?? (prefixed ? message[..separator] : string.Empty),
            Description = prefixed && field is null ? message[(separator + 2)..] : message,
        };
        var status = new Google.Rpc.Status
        {
            Code = (int)Code.InvalidArgument,
            Message = message,
            Details = { Any.Pack(new BadRequest { FieldViolations = { violation } }) },
        };
        return status.ToRpcException();
    }
}
