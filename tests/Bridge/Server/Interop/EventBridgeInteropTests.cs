using System.Diagnostics;
using System.Text.Json;

namespace Bridge.Server.Tests.Interop;

/// <summary>
/// bridge.v1.EventBridge against Debian's grpcio: Publish, duplex Subscribe with acks, redelivery, and the
/// status codes of bad requests and deadlines, all over real HTTP/2 to the real host and its embedded Kafka.
/// </summary>
[Collection(BridgeInteropCollection.Name)]
public sealed class EventBridgeInteropTests(BridgeInteropFixture bridge)
{
    [Fact]
    public async Task Publish_ValidEvents_PythonGetsAnAcceptedResultPerEventInOrder()
    {
        string ns = InteropEvents.UniqueNamespace();

        var run = await bridge.PeerAsync("publish", "--events", InteropEvents.Events(
            InteropEvents.Event("valid-1", ns), InteropEvents.Event("valid-2", ns), InteropEvents.Event("valid-3", ns)));

        run.AssertStatus("OK");
        Assert.Equal(["valid-1", "valid-2", "valid-3"], run.Results.Select(r => r.GetProperty("id").GetString()));
        Assert.All(run.Results, r =>
        {
            Assert.Equal("accepted", r.GetProperty("outcome").GetString());
            Assert.InRange(r.GetProperty("partition").GetInt32(), 0, 5);
            Assert.True(r.GetProperty("offset").GetInt64() >= 0);
        });
        // One partition key: the three events are consecutive records of one partition.
        Assert.Single(run.Results.Select(r => r.GetProperty("partition").GetInt32()).Distinct());
        var offsets = run.Results.Select(r => r.GetProperty("offset").GetInt64()).ToArray();
        Assert.Equal([offsets[0], offsets[0] + 1, offsets[0] + 2], offsets);
    }

    [Fact]
    public async Task Publish_InvalidEventsAmongValidOnes_PythonGetsPerEventInvalidArgument()
    {
        string ns = InteropEvents.UniqueNamespace();

        var run = await bridge.PeerAsync("publish", "--events", InteropEvents.Events(
            InteropEvents.Event(string.Empty, ns),
            InteropEvents.Event("mixed-valid", ns),
            InteropEvents.Event("mixed-bad-source", ns, source: "not a uri reference"),
            InteropEvents.Event("mixed-no-source", ns, source: null)));

        run.AssertStatus("OK");
        Assert.Equal(4, run.Results.Count);
        AssertRejected(run.Results[0], string.Empty, "id");
        Assert.Equal("mixed-valid", run.Results[1].GetProperty("id").GetString());
        Assert.Equal("accepted", run.Results[1].GetProperty("outcome").GetString());
        AssertRejected(run.Results[2], "mixed-bad-source", "source");
        AssertRejected(run.Results[3], "mixed-no-source", "source");
    }

    [Fact]
    public async Task Subscribe_IngressAndPublishedEvents_PythonReceivesBothAndAcks()
    {
        string ns = InteropEvents.UniqueNamespace();
        string subscription = InteropEvents.UniqueSubscription("both");
        using var subscriber = bridge.StartPeer("subscribe", "--open", InteropEvents.Open(subscription, ns), "--expect", "2", "--ack", "all");

        await bridge.PostFlaggerEventAsync(InteropEvents.FlaggerWeightAdvanced(ns));
        var published = await bridge.PeerAsync("publish", "--events", InteropEvents.Events(InteropEvents.Event("published-1", ns)));
        Assert.Equal("accepted", Assert.Single(published.Results).GetProperty("outcome").GetString());
        var run = await FinishAsync(subscriber);

        run.AssertStatus("OK");
        Assert.Equal(2, run.Deliveries.Count);
        var flagger = Assert.Single(run.Deliveries, d => d.Type.StartsWith("app.flagger.canary.", StringComparison.Ordinal));
        Assert.Equal("app.flagger.canary.weight.advanced", flagger.Type);
        Assert.Equal($"{ns}/podinfo", flagger.Subject);
        Assert.Equal($"{ns}/podinfo", flagger.Key);
        Assert.Equal(ns, flagger.Namespace);
        Assert.Equal("info", flagger.Severity);
        Assert.Equal("podinfo", flagger.Data.GetProperty("name").GetString());
        Assert.Equal(ns, flagger.Data.GetProperty("namespace").GetString());
        var own = Assert.Single(run.Deliveries, d => d.Id == "published-1");
        Assert.Equal("/interop/python", own.Source);
        Assert.Equal($"{ns}/app", own.Key);
        Assert.Equal("published-1", own.Data.GetProperty("id").GetString());
        Assert.All(run.Deliveries, d => Assert.Equal(1, d.Attempt));
        Assert.Equal(2, run.Deliveries.Select(d => d.AckId).Distinct().Count());

        // Both were acked: the same subscription continues after them, with the next event only.
        await bridge.PeerAsync("publish", "--events", InteropEvents.Events(InteropEvents.Event("published-2", ns)));
        var next = await bridge.PeerAsync("subscribe", "--open", InteropEvents.Open(subscription, ns), "--expect", "1");
        next.AssertStatus("OK");
        Assert.Equal("published-2", Assert.Single(next.Deliveries).Id);
    }

    [Fact]
    public async Task Subscribe_SomeAckedThenReconnect_UnackedAreDeliveredAgainWithHigherAttempt()
    {
        string ns = InteropEvents.UniqueNamespace();
        string subscription = InteropEvents.UniqueSubscription("redelivery");
        var published = await bridge.PeerAsync("publish", "--events", InteropEvents.Events(
            [.. Enumerable.Range(1, 4).Select(i => InteropEvents.Event($"redelivery-{i}", ns))]));
        Assert.All(published.Results, r => Assert.Equal("accepted", r.GetProperty("outcome").GetString()));

        var first = await bridge.PeerAsync("subscribe", "--open", InteropEvents.Open(subscription, ns), "--expect", "4", "--ack", "first:2");
        first.AssertStatus("OK");
        Assert.Equal(["redelivery-1", "redelivery-2", "redelivery-3", "redelivery-4"], first.Deliveries.Select(d => d.Id));
        Assert.All(first.Deliveries, d => Assert.Equal(1, d.Attempt));

        var second = await bridge.PeerAsync("subscribe", "--open", InteropEvents.Open(subscription, ns), "--expect", "2");

        second.AssertStatus("OK");
        Assert.Equal(["redelivery-3", "redelivery-4"], second.Deliveries.Select(d => d.Id));
        Assert.All(second.Deliveries, d => Assert.True(d.Attempt >= 2, $"{d.Id} came with attempt {d.Attempt}."));
        Assert.Equal(first.Deliveries[2..].Select(d => (d.Partition, d.Offset)), second.Deliveries.Select(d => (d.Partition, d.Offset)));
    }

    [Fact]
    public async Task Subscribe_FirstMessageIsAnAck_InvalidArgument()
    {
        var run = await bridge.PeerAsync("subscribe", "--first-ack", "--deadline", "20");

        run.AssertStatus("INVALID_ARGUMENT");
        Assert.Contains("open", run.StatusDetails, StringComparison.Ordinal);
        Assert.Empty(run.Deliveries);
    }

    [Theory]
    [InlineData("ack-unknown", "987654321 was never issued")]
    [InlineData("open-again", "open may only be the first request")]
    public async Task Subscribe_BadRequestAfterOpen_InvalidArgument(string then, string expected)
    {
        var open = InteropEvents.Open(InteropEvents.UniqueSubscription("after-open"), InteropEvents.UniqueNamespace());

        var run = await bridge.PeerAsync("subscribe", "--open", open, "--then", then, "--deadline", "20");

        run.AssertStatus("INVALID_ARGUMENT");
        Assert.Contains(expected, run.StatusDetails, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("", "required")]
    [InlineData("has space", "' '")]
    [InlineData("slash/inside", "'/'")]
    [InlineData("ünïcode", "'ü'")]
    public async Task Subscribe_BadSubscriptionName_InvalidArgumentNamingTheProblem(string name, string expected)
    {
        var run = await bridge.PeerAsync("subscribe", "--open", InteropEvents.Open(name, InteropEvents.UniqueNamespace()), "--deadline", "20");

        run.AssertStatus("INVALID_ARGUMENT");
        Assert.Contains("subscription", run.StatusDetails, StringComparison.Ordinal);
        Assert.Contains(expected, run.StatusDetails, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_NameTooLong_InvalidArgument()
    {
        var run = await bridge.PeerAsync("subscribe", "--open", InteropEvents.Open(new string('a', 201), InteropEvents.UniqueNamespace()), "--deadline", "20");

        run.AssertStatus("INVALID_ARGUMENT");
        Assert.Contains("201", run.StatusDetails, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscribe_DeadlinePassesWithoutEvents_DeadlineExceeded()
    {
        var watch = Stopwatch.StartNew();

        var run = await bridge.PeerAsync("subscribe", "--open",
            InteropEvents.Open(InteropEvents.UniqueSubscription("deadline"), InteropEvents.UniqueNamespace()), "--deadline", "1.5");

        run.AssertStatus("DEADLINE_EXCEEDED");
        Assert.Empty(run.Deliveries);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"The call took {watch.Elapsed}.");
    }

    private static async Task<PeerRun> FinishAsync(ScriptProcess process)
    {
        int exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.True(exitCode == 0, $"bridge_peer.py exited with {exitCode}.\n{process.Transcript}");
        var run = new PeerRun(process.Output, process.Transcript);
        Assert.DoesNotContain(run.Lines, line => line.StartsWith("FAIL", StringComparison.Ordinal));
        return run;
    }

    private static void AssertRejected(JsonElement result, string id, string attribute)
    {
        Assert.Equal(id, result.GetProperty("id").GetString());
        Assert.Equal("error", result.GetProperty("outcome").GetString());
        Assert.Equal(3, result.GetProperty("code").GetInt32());
        Assert.Contains(attribute, result.GetProperty("message").GetString(), StringComparison.Ordinal);
    }
}
