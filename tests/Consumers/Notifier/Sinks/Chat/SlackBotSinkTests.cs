using System.Text.Json;
using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class SlackBotSinkTests : IAsyncLifetime, IDisposable
{
    private readonly string dataDirectory = Path.Combine(Path.GetTempPath(), "nchat-slack-" + Guid.NewGuid().ToString("N"));
    private RecordingHttpServer server = null!;
    private int messages;

    public async Task InitializeAsync()
    {
        server = await RecordingHttpServer.StartAsync();
        // Slack's Web API: chat.postMessage answers the channel's id and the new message's ts; chat.update echoes them.
        server.Responder = request => request.Path switch
        {
            "/api/chat.postMessage" => ScriptedResponse.Ok($$"""{"ok":true,"channel":"C0DEPLOYS","ts":"1736500000.{{Interlocked.Increment(ref messages):D6}}"}"""),
            "/api/chat.update" => ScriptedResponse.Ok($$"""{"ok":true,"channel":"C0DEPLOYS","ts":"{{request.Json.GetProperty("ts").GetString()}}"}"""),
            _ => new ScriptedResponse(404, """{"ok":false,"error":"unknown_method"}"""),
        };
    }

    public async Task DisposeAsync() => await server.DisposeAsync();

    public void Dispose()
    {
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    private ISink Bot(Dictionary<string, string?>? extra = null, string? directory = null)
    {
        var keys = new Dictionary<string, string?>
        {
            ["token"] = "xoxb-test-token",
            ["channel"] = "#deploys",
            ["apiUrl"] = server.Url("/api").AbsoluteUri,
        };
        foreach ((string key, string? value) in extra ?? [])
        {
            keys[key] = value;
        }
        return Create("slack", keys, name: "slack-bot", dataDirectory: directory);
    }

    private static Notification Revision() => Notification(message: "New revision detected! Scaling up podinfo.test", type: "app.flagger.canary.revision.detected", id: "e1");

    private static Notification Advance() => Notification(id: "e2");

    private static Notification Promoted() => Notification(message: "Promotion completed! Scaling down podinfo.test", type: "app.flagger.canary.promoted", phase: "Succeeded", id: "e3");

    private static string? Member(RecordedRequest request, string name) =>
        request.Json.TryGetProperty(name, out JsonElement value) ? value.GetString() : null;

    [Fact]
    public async Task DeliverAsync_OneRollout_OpensThreadRepliesAndUpdatesTheOpening()
    {
        ISink sink = Bot();

        await sink.DeliverAsync(Message(Revision()), CancellationToken.None);
        await sink.DeliverAsync(Message(Advance()), CancellationToken.None);
        await sink.DeliverAsync(Message(Promoted()), CancellationToken.None);

        IReadOnlyList<RecordedRequest> r = server.Requests;
        Assert.Equal(["/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage"], r.Select(x => x.Path));
        Assert.All(r, x => Assert.Equal("Bearer xoxb-test-token", x.Header("Authorization")));

        // The opening message goes to the configured channel, outside any thread.
        Assert.Equal("#deploys", Member(r[0], "channel"));
        Assert.Null(Member(r[0], "thread_ts"));
        Assert.Equal("podinfo.test: New revision detected! Scaling up podinfo.test", Member(r[0], "text"));

        // Updates address the opening message by the channel id and ts Slack answered, keep its text, show the phase.
        AssertJson("""
            {
              "channel": "C0DEPLOYS", "ts": "1736500000.000001",
              "text": "podinfo.test: New revision detected! Scaling up podinfo.test",
              "attachments": [{
                "color": "good",
                "blocks": [
                  {"type": "section", "text": {"type": "mrkdwn", "text": "*podinfo.test*\nNew revision detected! Scaling up podinfo.test"}},
                  {"type": "section", "fields": [
                    {"type": "mrkdwn", "text": "*Phase*\nSucceeded"},
                    {"type": "mrkdwn", "text": "*Severity*\ninfo"},
                    {"type": "mrkdwn", "text": "*Cluster*\nflagger-test"},
                    {"type": "mrkdwn", "text": "*Type*\npromoted"}]},
                  {"type": "section", "text": {"type": "mrkdwn", "text": "<https://grafana.example.com/d/podinfo?var-ns=test|dashboard>"}},
                  {"type": "context", "elements": [{"type": "mrkdwn", "text": "<!date^1736500000^{date_short_pretty} {time_secs}|2025-01-10 09:06:40 UTC>"}]}
                ]
              }]
            }
            """, r[3].Json);
        Assert.Equal("1736500000.000001", Member(r[1], "ts"));

        // Replies carry the later events in the thread of the channel Slack named.
        Assert.Equal("C0DEPLOYS", Member(r[2], "channel"));
        Assert.Equal("1736500000.000001", Member(r[2], "thread_ts"));
        Assert.Equal("podinfo.test: Advance podinfo.test canary weight 10", Member(r[2], "text"));
        Assert.Equal("1736500000.000001", Member(r[4], "thread_ts"));
        Assert.Equal("podinfo.test: Promotion completed! Scaling down podinfo.test", Member(r[4], "text"));
    }

    [Fact]
    public async Task DeliverAsync_NewRevision_OpensANewThread()
    {
        ISink sink = Bot();

        await sink.DeliverAsync(Message(Revision()), CancellationToken.None);
        await sink.DeliverAsync(Message(Notification(checksum: "9f0e1d2c3b", id: "e9")), CancellationToken.None);

        IReadOnlyList<RecordedRequest> r = server.Requests;
        Assert.Equal(["/api/chat.postMessage", "/api/chat.postMessage"], r.Select(x => x.Path));
        Assert.Null(Member(r[1], "thread_ts"));
    }

    [Fact]
    public async Task DeliverAsync_NewSinkOnSameDataDirectory_KeepsReplyingInTheThread()
    {
        await Bot(directory: dataDirectory).DeliverAsync(Message(Revision()), CancellationToken.None);

        // As after a restart (or a configuration reload): a new instance, nothing shared but the directory.
        ISink restarted = Bot(directory: dataDirectory);
        await restarted.DeliverAsync(Message(Advance()), CancellationToken.None);

        IReadOnlyList<RecordedRequest> r = server.Requests;
        Assert.Equal(["/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage"], r.Select(x => x.Path));
        Assert.Equal("1736500000.000001", Member(r[1], "ts"));
        Assert.Equal("1736500000.000001", Member(r[2], "thread_ts"));
        Assert.Equal(["slack-threads-slack-bot.json"], Directory.GetFiles(dataDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task DeliverAsync_WithoutDataDirectory_NewSinkStartsNewThreads()
    {
        await Bot().DeliverAsync(Message(Revision()), CancellationToken.None);
        await Bot().DeliverAsync(Message(Advance()), CancellationToken.None);

        Assert.All(server.Requests, x => Assert.Null(Member(x, "thread_ts")));
    }

    [Fact]
    public async Task DeliverAsync_UnreadableStateFile_StartsAfresh()
    {
        Directory.CreateDirectory(dataDirectory);
        await File.WriteAllTextAsync(Path.Combine(dataDirectory, "slack-threads-slack-bot.json"), "{ not json");

        await Bot(directory: dataDirectory).DeliverAsync(Message(Advance()), CancellationToken.None);

        Assert.Null(Member(Assert.Single(server.Requests), "thread_ts"));
        Assert.Contains("1736500000.000001", await File.ReadAllTextAsync(Path.Combine(dataDirectory, "slack-threads-slack-bot.json")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task DeliverAsync_OpeningMessageDeleted_OpensANewThread()
    {
        ISink sink = Bot();
        await sink.DeliverAsync(Message(Revision()), CancellationToken.None);
        server.Enqueue(ScriptedResponse.Ok("""{"ok":false,"error":"message_not_found"}"""));

        await sink.DeliverAsync(Message(Advance()), CancellationToken.None);
        await sink.DeliverAsync(Message(Promoted()), CancellationToken.None);

        IReadOnlyList<RecordedRequest> r = server.Requests;
        Assert.Equal(["/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage"], r.Select(x => x.Path));
        Assert.Null(Member(r[2], "thread_ts"));
        Assert.Equal("1736500000.000002", Member(r[3], "ts"));
        Assert.Equal("1736500000.000002", Member(r[4], "thread_ts"));
    }

    [Theory]
    [InlineData("channel_not_joined", false)]
    [InlineData("invalid_auth", false)]
    [InlineData("ratelimited", true)]
    public async Task DeliverAsync_OkFalse_ThrowsSinkExceptionNamingTheError(string error, bool transient)
    {
        server.Enqueue(ScriptedResponse.Ok($$"""{"ok":false,"error":"{{error}}"}"""));

        SinkException e = await Assert.ThrowsAsync<SinkException>(() => Bot().DeliverAsync(Message(), CancellationToken.None));

        Assert.Contains(error, e.Message, StringComparison.Ordinal);
        Assert.Contains("slack-bot", e.Message, StringComparison.Ordinal);
        Assert.Equal(transient, e.IsTransient);
    }

    [Fact]
    public async Task DeliverAsync_ReplyRefused_NothingIsForgottenAndRedeliveryRepliesOnce()
    {
        ISink sink = Bot();
        await sink.DeliverAsync(Message(Revision()), CancellationToken.None);
        server.Enqueue(ScriptedResponse.Ok("""{"ok":true}"""), ScriptedResponse.Ok("""{"ok":false,"error":"ratelimited"}"""));

        await Assert.ThrowsAsync<SinkException>(() => sink.DeliverAsync(Message(Advance()), CancellationToken.None));
        await sink.DeliverAsync(Message(Advance()), CancellationToken.None);

        IReadOnlyList<RecordedRequest> r = server.Requests;
        Assert.Equal(["/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage", "/api/chat.update", "/api/chat.postMessage"], r.Select(x => x.Path));
        Assert.Equal("1736500000.000001", Member(r[4], "thread_ts"));
    }

    [Fact]
    public async Task DeliverAsync_MoreRolloutsThanCapacity_ForgetsTheLeastRecentlyUsed()
    {
        ISink sink = Bot(new() { ["threadCapacity"] = "2" });

        await sink.DeliverAsync(Message(Notification(checksum: "a1", id: "a")), CancellationToken.None);
        await sink.DeliverAsync(Message(Notification(checksum: "b2", id: "b")), CancellationToken.None);
        await sink.DeliverAsync(Message(Notification(checksum: "a1", id: "a2")), CancellationToken.None);
        await sink.DeliverAsync(Message(Notification(checksum: "c3", id: "c")), CancellationToken.None);
        await sink.DeliverAsync(Message(Notification(checksum: "b2", id: "b3")), CancellationToken.None);
        await sink.DeliverAsync(Message(Notification(checksum: "a1", id: "a3")), CancellationToken.None);

        IReadOnlyList<RecordedRequest> posts = server.Requests.Where(x => x.Path == "/api/chat.postMessage").ToList();
        // a opens, b opens, a replies, c opens (b, least recently used, is forgotten), b opens again (a is forgotten), a opens again.
        Assert.Equal([null, null, "1736500000.000001", null, null, null], posts.Select(x => Member(x, "thread_ts")));
    }

    [Fact]
    public async Task DeliverAsync_ThreadsOff_PostsEveryEventToTheChannel()
    {
        ISink sink = Bot(new() { ["threads"] = "false" });

        await sink.DeliverAsync(Message(Revision()), CancellationToken.None);
        await sink.DeliverAsync(Message(Advance()), CancellationToken.None);

        Assert.Equal(["/api/chat.postMessage", "/api/chat.postMessage"], server.Requests.Select(x => x.Path));
        Assert.All(server.Requests, x => Assert.Null(Member(x, "thread_ts")));
    }

    [Fact]
    public async Task DeliverAsync_RouteBody_IsSentWithChannelAndThreadAdded()
    {
        ISink sink = Bot();
        await sink.DeliverAsync(Message(Revision(), body: """{"text":"opened"}"""), CancellationToken.None);
        await sink.DeliverAsync(Message(Advance(), body: """{"text":"advanced","channel":"C0OTHER"}"""), CancellationToken.None);

        IReadOnlyList<RecordedRequest> r = server.Requests;
        AssertJson("""{"text":"opened","channel":"#deploys"}""", r[0].Json);
        AssertJson("""{"text":"advanced","channel":"C0OTHER","thread_ts":"1736500000.000001"}""", r[2].Json);
    }

    [Fact]
    public async Task DeliverAsync_LongOpeningText_IsShortenedToSlacksLimitsWithoutSplittingCharacters()
    {
        ISink sink = Bot();
        // After the 'a', every pair starts at an odd index, so the cut at an even one falls inside a pair.
        string text = "a" + string.Concat(Enumerable.Repeat("🚀", 20_000)) + " <&>";

        await sink.DeliverAsync(Message(Notification(message: text, id: "long")), CancellationToken.None);
        await sink.DeliverAsync(Message(Advance()), CancellationToken.None);

        IReadOnlyList<RecordedRequest> r = server.Requests;
        string whole = "podinfo.test: " + Bridge.Notifier.Sinks.Chat.SlackText.Escape(text);
        AssertShortened(Member(r[0], "text")!, whole, 40_000);
        AssertShortened(Member(r[1], "text")!, whole, 3000);
    }

    private static void AssertShortened(string shown, string whole, int limit)
    {
        Assert.True(shown.Length <= limit, $"the text has {shown.Length} characters, over {limit}");
        int mark = shown.IndexOf("… (truncated, ", StringComparison.Ordinal);
        Assert.True(mark > 0, "the shortened text carries no mark");
        Assert.StartsWith(shown[..mark], whole, StringComparison.Ordinal);
        Assert.False(char.IsHighSurrogate(shown[mark - 1]), "the shortened text ends with half a character");
    }

    [Fact]
    public async Task DeliverAsync_ManyCanariesAtOnce_EveryThreadIsKeptAndSaved()
    {
        ISink sink = Bot(directory: dataDirectory);

        // The pipeline keeps order per canary but runs canaries in parallel.
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => sink.DeliverAsync(Message(Notification(checksum: $"rev{i}", id: $"o{i}")), CancellationToken.None))));
        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => Task.Run(() => sink.DeliverAsync(Message(Notification(checksum: $"rev{i}", id: $"r{i}")), CancellationToken.None))));

        IReadOnlyList<RecordedRequest> replies = server.Requests.Where(x => x.Path == "/api/chat.postMessage" && Member(x, "thread_ts") is not null).ToList();
        Assert.Equal(20, replies.Count);
        Assert.Equal(20, replies.Select(x => Member(x, "thread_ts")).Distinct().Count());
        using JsonDocument saved = JsonDocument.Parse(await File.ReadAllBytesAsync(Path.Combine(dataDirectory, "slack-threads-slack-bot.json")));
        Assert.Equal(20, saved.RootElement.GetArrayLength());
    }
}
