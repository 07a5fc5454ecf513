using Bridge.Client.V1;
using Grpc.Core;

namespace Bridge.Server.Tests.GrpcApi;

public sealed class GrpcCallAuthenticatorTests
{
    private const string AdminToken = "admin-token-0123456789";
    private const string TeamToken = "team-token-0123456789";

    private static readonly Dictionary<string, string?> Tokens = new()
    {
        ["Auth:Tokens:0:Name"] = "admin",
        ["Auth:Tokens:0:Token"] = AdminToken,
        ["Auth:Tokens:1:Name"] = "team",
        ["Auth:Tokens:1:Token"] = TeamToken,
        ["Auth:Tokens:1:Namespaces:0"] = "team",
    };

    private static Metadata Bearer(string token) => new() { { "authorization", "Bearer " + token } };

    [Fact]
    public async Task Publish_NoOrWrongToken_Unauthenticated()
    {
        await using var host = await GrpcBridgeHost.StartAsync(Tokens);

        var missing = await Assert.ThrowsAsync<RpcException>(() => host.PublishAsync([GrpcBridgeHost.Event("a")]));
        var wrong = await Assert.ThrowsAsync<RpcException>(() => host.PublishAsync([GrpcBridgeHost.Event("a")], Bearer("not-a-token-at-all")));
        var malformed = await Assert.ThrowsAsync<RpcException>(() => host.PublishAsync([GrpcBridgeHost.Event("a")], new Metadata { { "authorization", AdminToken } }));

        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Contains("no 'authorization' metadata", missing.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.Contains("not valid", wrong.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(StatusCode.Unauthenticated, malformed.StatusCode);
        Assert.Contains("'Bearer <token>'", malformed.Status.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Publish_RestrictedToken_PermissionDeniedPerEventOfOtherNamespaces()
    {
        await using var host = await GrpcBridgeHost.StartAsync(Tokens);

        var response = await host.PublishAsync(
            [
                GrpcBridgeHost.Event("mine", "team", type: "com.example.deploy.finished", source: "/ci/pipeline"),
                GrpcBridgeHost.Event("theirs", "prod", type: "com.example.deploy.finished", source: "/ci/pipeline"),
                GrpcBridgeHost.Event("posing", "team"),
            ],
            Bearer(TeamToken));
        var admin = await host.PublishAsync([GrpcBridgeHost.Event("any", "prod")], Bearer(AdminToken));

        Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, response.Results[0].OutcomeCase);
        Assert.Equal((int)StatusCode.PermissionDenied, response.Results[1].Error.Code);
        Assert.Contains("'prod'", response.Results[1].Error.Message, StringComparison.Ordinal);

        // Flagger's source and types are reserved to unscoped callers, even within the token's own namespace.
        Assert.Equal((int)StatusCode.PermissionDenied, response.Results[2].Error.Code);
        Assert.StartsWith("events[2]: ", response.Results[2].Error.Message, StringComparison.Ordinal);
        Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, admin.Results[0].OutcomeCase);
    }

    [Fact]
    public async Task Subscribe_WrongToken_UnauthenticatedAndRestrictedTokenSeesOnlyItsNamespaces()
    {
        await using var host = await GrpcBridgeHost.StartAsync(Tokens);
        await host.PublishAsync([GrpcBridgeHost.Event("prod-1", "prod"), GrpcBridgeHost.Event("team-1", "team")], Bearer(AdminToken));

        await using var rejected = await host.SubscribeAsync("intruder", headers: Bearer("not-a-token-at-all"));
        var status = await rejected.EndAsync();
        await using var team = await host.SubscribeAsync("team-view", headers: Bearer(TeamToken));
        var delivery = await team.NextAsync();

        Assert.Equal(StatusCode.Unauthenticated, status.StatusCode);
        Assert.Equal("team-1", delivery.Event.Id);
        Assert.Null(await team.PollAsync(TimeSpan.FromMilliseconds(500)));
    }
}
