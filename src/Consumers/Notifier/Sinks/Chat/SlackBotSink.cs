using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>
/// Posts with a Slack bot token through the Web API. With threads (the default) the first event of a rollout
/// (<see cref="Model.Notification.RolloutKey"/>) opens a thread, later events reply in it, and the opening message is
/// rewritten with <c>chat.update</c> so the channel shows each rollout once, at its current phase.
/// </summary>
internal sealed class SlackBotSink(string name, Uri apiUrl, string token, SlackIdentity identity, SlackThreadStore? threads, HttpClient http, ILogger logger) : ISink
{
    // Answers of chat.update meaning the opening message can no longer be edited, so the rollout needs a new thread.
    private static readonly HashSet<string> ThreadGoneErrors = new(StringComparer.Ordinal)
    {
        "message_not_found", "cant_update_message", "edit_window_closed", "thread_not_found", "channel_not_found", "is_archived",
    };

    // Slack limits a section's text to 3000 characters; the opening text is only repeated in it, so the thread store
    // keeps no more of it.
    private static readonly ChatLimit OpeningTextLimit = ChatLimit.Chars(2900);

    public string Name => name;

    public string Kind => "slack";

    public TextEscaping Escaping => TextEscaping.Slack;

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        ChatContent content = ChatContent.From(message, SlackText.Escape);
        SlackPayload payload = SlackLayout.Build(content, identity.Channel, identity.Username, identity.IconEmoji, identity.IconUrl);
        if (threads is null)
        {
            await CallAsync("chat.postMessage", Body(message, payload), cancellationToken).ConfigureAwait(false);
            return;
        }
        string key = $"{identity.Channel}|{message.Notification.RolloutKey}";
        if (threads.Get(key) is { } thread)
        {
            // The update goes first: if the reply then fails, a redelivery repeats an idempotent update, not a reply.
            SlackPayload opening = SlackLayout.Build(content with { Text = thread.OpeningText }, thread.Channel, null, null, null) with { Ts = thread.Ts };
            string? updateError = await TryCallAsync("chat.update", Serialize(opening), cancellationToken).ConfigureAwait(false);
            if (updateError is null || !ThreadGoneErrors.Contains(updateError))
            {
                ThrowIfFailed("chat.update", updateError);
                // Replies name the channel by the id Slack answered: a thread_ts is only unique within its channel.
                await CallAsync("chat.postMessage", Body(message, payload with { Channel = thread.Channel, ThreadTs = thread.Ts }), cancellationToken).ConfigureAwait(false);
                return;
            }
            ChatLog.SlackThreadGone(logger, name, message.Notification.RolloutKey, updateError);
            threads.Remove(key);
        }
        JsonObject answer = await CallAsync("chat.postMessage", Body(message, payload), cancellationToken).ConfigureAwait(false);
        string channel = ChatHttp.String(answer, "channel") ?? identity.Channel!;
        string ts = ChatHttp.String(answer, "ts") ?? throw new SinkException($"Sink '{name}': chat.postMessage answered without the message's ts");
        threads.Set(new SlackThread(key, channel, ts, ChatLimits.Truncate(content.Text, OpeningTextLimit, TextEscaping.Slack)));
    }

    private byte[] Body(SinkMessage message, SlackPayload payload)
    {
        if (message.Body is null)
        {
            return Serialize(payload);
        }
        // The Web API needs to know the channel and thread; a route's body gets them unless it names its own.
        JsonObject body = ChatHttp.OverrideObject(message.Body, name);
        if (!body.ContainsKey("channel"))
        {
            body["channel"] = payload.Channel;
        }
        if (payload.ThreadTs is not null && !body.ContainsKey("thread_ts"))
        {
            body["thread_ts"] = payload.ThreadTs;
        }
        return Encoding.UTF8.GetBytes(body.ToJsonString(ChatHttp.JsonOptions));
    }

    private static byte[] Serialize(SlackPayload payload) => JsonSerializer.SerializeToUtf8Bytes(payload, ChatHttp.JsonOptions);

    private async Task<JsonObject> CallAsync(string method, byte[] body, CancellationToken cancellationToken)
    {
        JsonObject answer = await SendAsync(method, body, cancellationToken).ConfigureAwait(false);
        ThrowIfFailed(method, ErrorOf(answer));
        return answer;
    }

    /// <summary>Calls a method and returns Slack's error name, or null when it answered <c>ok:true</c>.</summary>
    private async Task<string?> TryCallAsync(string method, byte[] body, CancellationToken cancellationToken) =>
        ErrorOf(await SendAsync(method, body, cancellationToken).ConfigureAwait(false));

    private async Task<JsonObject> SendAsync(string method, byte[] body, CancellationToken cancellationToken)
    {
        string text = await ChatHttp.PostBytesAsync(http, new Uri(apiUrl, method), body, name, cancellationToken, token).ConfigureAwait(false);
        return ChatHttp.ParseObject(text) ?? throw new SinkException($"Sink '{name}': Slack {method} answered something other than a JSON object");
    }

    private static string? ErrorOf(JsonObject answer) =>
        answer["ok"] is JsonValue ok && ok.TryGetValue(out bool success) && success ? null : ChatHttp.String(answer, "error") ?? "unknown_error";

    // Slack answers 200 with ok:false for its errors; only a rate limit or an outage on its side is worth retrying.
    private void ThrowIfFailed(string method, string? error)
    {
        if (error is not null)
        {
            throw new SinkException(
                $"Sink '{name}': Slack {method} failed: {error}",
                transient: error is "ratelimited" or "service_unavailable" or "request_timeout" or "fatal_error" or "internal_error");
        }
    }
}
