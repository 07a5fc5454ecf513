using Bridge.Server.Auth;
using Bridge.Server.Subscriptions;
using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// Authenticates a gRPC call by its <c>authorization: Bearer &lt;token&gt;</c> metadata. When no token is
/// configured every call is anonymous and allowed.
/// </summary>
internal sealed class GrpcCallAuthenticator(ITokenAuthenticator authenticator, ILogger<GrpcCallAuthenticator> logger)
{
    /// <summary>The metadata key (gRPC metadata keys are lower-case).</summary>
    public const string MetadataKey = "authorization";

    /// <summary>The caller of <paramref name="context"/>.</summary>
    /// <exception cref="RpcException">UNAUTHENTICATED: tokens are configured and the call has none, a malformed one, or an unknown one.</exception>
    public BridgeCaller Authenticate(ServerCallContext context)
    {
        if (authenticator.IsOpen)
        {
            return BridgeCaller.Anonymous;
        }

        string? problem;
        var entry = context.RequestHeaders.Get(MetadataKey);
        if (entry is null || entry.IsBinary)
        {
            problem = "The call has no 'authorization' metadata; send 'authorization: Bearer <token>'.";
        }
        else if (!HttpCredentials.TryParseBearer(entry.Value, out var token))
        {
            problem = "The 'authorization' metadata must be 'Bearer <token>'.";
        }
        else if (authenticator.AuthenticateToken(token) is { } caller)
        {
            return caller;
        }
        else
        {
            problem = "The bearer token is not valid.";
        }

        SubscriptionLog.Unauthenticated(logger, context.Method, context.Peer, problem);
        throw new RpcException(new Status(StatusCode.Unauthenticated, problem));
    }
}
