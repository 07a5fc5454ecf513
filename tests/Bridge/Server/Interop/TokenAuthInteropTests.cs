namespace Bridge.Server.Tests.Interop;

/// <summary>A bridge host with tokens configured: one for every namespace, one limited to <see cref="TeamNamespace"/>.</summary>
public sealed class SecuredBridgeInteropFixture : BridgeInteropFixture
{
    public const string AdminToken = "admin-token-0123456789abcdef";
    public const string TeamToken = "team-token-0123456789abcdef";
    public const string TeamNamespace = "team-a";

    protected override IEnumerable<KeyValuePair<string, string?>> Settings() => new Dictionary<string, string?>
    {
        ["Auth:Tokens:0:Name"] = "admin",
        ["Auth:Tokens:0:Token"] = AdminToken,
        ["Auth:Tokens:1:Name"] = "team",
        ["Auth:Tokens:1:Token"] = TeamToken,
        ["Auth:Tokens:1:Namespaces:0"] = TeamNamespace,
    };
}

/// <summary>
/// Bearer tokens on the gRPC API as grpcio sends them (<c>authorization</c> metadata): missing or wrong
/// tokens, and tokens limited to namespaces, for Publish, Subscribe and the example clients.
/// </summary>
public sealed class TokenAuthInteropTests(SecuredBridgeInteropFixture bridge) : IClassFixture<SecuredBridgeInteropFixture>
{
    private const string TeamNamespace = SecuredBridgeInteropFixture.TeamNamespace;

    [Theory]
    [InlineData(null, "no 'authorization' metadata")]
    [InlineData("wrong-token-0123456789abcdef", "not valid")]
    public async Task Publish_MissingOrWrongToken_Unauthenticated(string? token, string expected)
    {
        string[] arguments = ["publish", "--events", InteropEvents.Events(InteropEvents.Event("unauthenticated", TeamNamespace))];

        var run = await bridge.PeerAsync(token is null ? arguments : [.. arguments, "--token", token]);

        run.AssertStatus("UNAUTHENTICATED");
        Assert.Contains(expected, run.StatusDetails, StringComparison.Ordinal);
        Assert.Empty(run.Results);
    }

    [Fact]
    public async Task Publish_TokenLimitedToANamespace_OtherNamespacesPermissionDeniedPerEvent()
    {
        var run = await bridge.PeerAsync("publish", "--token", SecuredBridgeInteropFixture.TeamToken, "--events", InteropEvents.Events(
            InteropEvents.Event("own-namespace", TeamNamespace), InteropEvents.Event("other-namespace", "team-b")));

        run.AssertStatus("OK");
        Assert.Equal("accepted", run.Results[0].GetProperty("outcome").GetString());
        Assert.Equal("error", run.Results[1].GetProperty("outcome").GetString());
        Assert.Equal(7, run.Results[1].GetProperty("code").GetInt32());
        Assert.Contains("'team-b'", run.Results[1].GetProperty("message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_WrongToken_Unauthenticated()
    {
        var run = await bridge.PeerAsync("subscribe", "--token", "wrong-token-0123456789abcdef", "--deadline", "20",
            "--open", InteropEvents.Open(InteropEvents.UniqueSubscription("wrong-token"), TeamNamespace));

        run.AssertStatus("UNAUTHENTICATED");
        Assert.Empty(run.Deliveries);
    }

    [Fact]
    public async Task Subscribe_TokenLimitedToANamespace_ReceivesOnlyThatNamespace()
    {
        // One subject and partition key: the three events are consecutive records of one partition.
        string subject = "team-a/" + Guid.NewGuid().ToString("N");
        var published = await bridge.PeerAsync("publish", "--token", SecuredBridgeInteropFixture.AdminToken, "--events", InteropEvents.Events(
            WithKey(InteropEvents.Event("team-1", TeamNamespace, subject: subject), subject),
            WithKey(InteropEvents.Event("other-1", "team-b", subject: subject), subject),
            WithKey(InteropEvents.Event("team-2", TeamNamespace, subject: subject), subject)));
        Assert.All(published.Results, r => Assert.Equal("accepted", r.GetProperty("outcome").GetString()));
        string open = InteropEvents.Open(InteropEvents.UniqueSubscription("team"), "subject", subject);

        var run = await bridge.PeerAsync("subscribe", "--token", SecuredBridgeInteropFixture.TeamToken, "--open", open, "--expect", "2");

        run.AssertStatus("OK");
        Assert.Equal(["team-1", "team-2"], run.Deliveries.Select(d => d.Id));
    }

    [Fact]
    public async Task ExampleClients_TokenFromFileAndEnvironment_PublishAndRefuseAWrongOne()
    {
        string tokenFile = Path.Combine(bridge.StubDirectory, "token");
        await File.WriteAllTextAsync(tokenFile, SecuredBridgeInteropFixture.TeamToken + "\n");

        using var publisher = bridge.StartExample("publisher.py", new Dictionary<string, string> { ["BRIDGE_TOKEN_FILE"] = tokenFile },
            "--type", "com.example.examples.tested", "--source", "/examples/python", "--attr", $"namespace={TeamNamespace}", "--id", "with-token");
        Assert.True(await publisher.WaitForExitAsync(TimeSpan.FromSeconds(60)) == 0, publisher.Transcript);
        Assert.StartsWith("accepted with-token ", Assert.Single(publisher.Output), StringComparison.Ordinal);

        using var subscriber = bridge.StartExample("subscriber.py", new Dictionary<string, string> { ["BRIDGE_TOKEN"] = "wrong-token-0123456789abcdef" },
            "--subscription", InteropEvents.UniqueSubscription("example-token"));
        Assert.Equal(1, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("refused the subscription: UNAUTHENTICATED: The bearer token is not valid.", subscriber.Transcript, StringComparison.Ordinal);
    }

    private static System.Text.Json.Nodes.JsonObject WithKey(System.Text.Json.Nodes.JsonObject e, string key)
    {
        e["attributes"]!["partitionkey"] = new System.Text.Json.Nodes.JsonObject { ["ceString"] = key };
        return e;
    }
}
