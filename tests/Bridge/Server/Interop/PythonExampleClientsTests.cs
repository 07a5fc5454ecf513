using System.Text.Json;

namespace Bridge.Server.Tests.Interop;

/// <summary>
/// The Python clients users copy (examples/clients/python: publisher.py, subscriber.py, gen.sh) against the
/// real bridge, run exactly as the README says.
/// </summary>
[Collection(BridgeInteropCollection.Name)]
public sealed class PythonExampleClientsTests(BridgeInteropFixture bridge)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PublisherAndSubscriber_TwoEvents_PublishedThenPrintedAsJson()
    {
        string ns = InteropEvents.UniqueNamespace();

        using var publisher = bridge.StartExample("publisher.py", "--type", "com.example.examples.tested", "--source", "/examples/python",
            "--subject", $"{ns}/app", "--attr", $"namespace={ns}", "--id", "example", "--data", "{\"n\": 1}", "--count", "2");
        Assert.True(await publisher.WaitForExitAsync(Timeout) == 0, publisher.Transcript);
        Assert.Equal(2, publisher.Output.Count(line => line.StartsWith("accepted example-", StringComparison.Ordinal)));

        using var subscriber = bridge.StartExample("subscriber.py", "--subscription", InteropEvents.UniqueSubscription("example"),
            "--namespace", ns, "--start", "earliest", "--output", "json", "--count", "2");
        Assert.True(await subscriber.WaitForExitAsync(Timeout) == 0, subscriber.Transcript);

        var events = subscriber.Output.Select(line => JsonDocument.Parse(line).RootElement).ToList();
        Assert.Equal(["example-1", "example-2"], events.Select(e => e.GetProperty("id").GetString()));
        Assert.All(events, e =>
        {
            Assert.Equal("com.example.examples.tested", e.GetProperty("type").GetString());
            Assert.Equal("/examples/python", e.GetProperty("source").GetString());
            Assert.Equal($"{ns}/app", e.GetProperty("subject").GetString());
            Assert.Equal(ns, e.GetProperty("namespace").GetString());
            Assert.Equal(1, e.GetProperty("data").GetProperty("n").GetInt32());
            Assert.Equal(1, e.GetProperty("_delivery").GetProperty("attempt").GetInt32());
            Assert.EndsWith("Z", e.GetProperty("time").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task Publisher_InvalidSource_PrintsRejectedAndExitsOne()
    {
        using var publisher = bridge.StartExample("publisher.py", "--type", "com.example.examples.tested", "--source", "not a uri reference",
            "--id", "bad-source", "--data", "{}");

        Assert.Equal(1, await publisher.WaitForExitAsync(Timeout));
        var line = Assert.Single(publisher.Output);
        Assert.StartsWith("rejected bad-source: INVALID_ARGUMENT: ", line, StringComparison.Ordinal);
        Assert.Contains("source", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriber_CtrlC_SendsPendingAcksAndStopsCleanly()
    {
        string ns = InteropEvents.UniqueNamespace();
        string subscription = InteropEvents.UniqueSubscription("ctrl-c");
        await bridge.PeerAsync("publish", "--events", InteropEvents.Events(InteropEvents.Event("ctrl-c-1", ns), InteropEvents.Event("ctrl-c-2", ns)));

        // Acks wait for a full batch or 60 s, so only the stop can have sent them.
        using (var subscriber = bridge.StartExample("subscriber.py", "--subscription", subscription, "--namespace", ns,
            "--start", "earliest", "--output", "json", "--ack-batch", "100", "--ack-interval", "60"))
        {
            await subscriber.WaitForLineAsync(line => line.Contains("\"ctrl-c-2\"", StringComparison.Ordinal), Timeout);
            subscriber.Signal(2);
            Assert.True(await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(15)) == 0, subscriber.Transcript);
            Assert.DoesNotContain("while stopping", subscriber.Transcript, StringComparison.Ordinal);
        }

        await bridge.PeerAsync("publish", "--events", InteropEvents.Events(InteropEvents.Event("ctrl-c-3", ns)));
        using var again = bridge.StartExample("subscriber.py", "--subscription", subscription, "--namespace", ns,
            "--output", "json", "--count", "1");
        Assert.True(await again.WaitForExitAsync(Timeout) == 0, again.Transcript);
        Assert.Equal("ctrl-c-3", JsonDocument.Parse(Assert.Single(again.Output)).RootElement.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Subscriber_BridgeRefusesTheOpen_ExitsOneNamingTheStatus()
    {
        using var subscriber = bridge.StartExample("subscriber.py", "--subscription", InteropEvents.UniqueSubscription("refused"),
            "--max-in-flight", "2000000");

        Assert.Equal(1, await subscriber.WaitForExitAsync(Timeout));
        Assert.Contains("refused the subscription: INVALID_ARGUMENT: open.max_in_flight", subscriber.Transcript, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Subscriber_NothingListening_ReconnectsWithBackoffUntilStopped()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();

        using var subscriber = bridge.StartExample("subscriber.py", "--address", $"127.0.0.1:{port}", "--subscription", "nobody-home",
            "--max-backoff", "0.2");
        for (int i = 0; i < 3; i++)
        {
            await WaitForErrorAsync(subscriber, "stream ended (UNAVAILABLE", i + 1);
        }

        subscriber.Signal(2);
        Assert.Equal(0, await subscriber.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Theory]
    [InlineData("--subscription", "has space", "--subscription 'has space'")]
    [InlineData("--exact", "Bad=1", "--exact 'Bad=1'")]
    [InlineData("--start", "yesterday", "'yesterday' is not a time")]
    public async Task Subscriber_BadArgument_ExitsTwoNamingIt(string option, string value, string expected)
    {
        string[] arguments = option == "--subscription" ? [option, value] : ["--subscription", "fine", option, value];
        using var subscriber = bridge.StartExample("subscriber.py", arguments);

        int exitCode = await subscriber.WaitForExitAsync(Timeout);

        Assert.Contains(expected, subscriber.Transcript, StringComparison.Ordinal);
        Assert.Equal(2, exitCode);
    }

    private static async Task WaitForErrorAsync(ScriptProcess process, string text, int count)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (CountOf(process.Transcript, text) < count)
        {
            Assert.False(cts.IsCancellationRequested, $"'{text}' did not appear {count} times.\n{process.Transcript}");
            await Task.Delay(50, CancellationToken.None);
        }
    }

    private static int CountOf(string haystack, string needle)
    {
        int count = 0;
        for (int i = haystack.IndexOf(needle, StringComparison.Ordinal); i >= 0; i = haystack.IndexOf(needle, i + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
