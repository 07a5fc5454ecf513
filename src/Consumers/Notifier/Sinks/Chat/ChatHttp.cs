using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace Bridge.Notifier.Sinks.Chat;

/// <summary>The one way chat sinks send: JSON over the sink's <see cref="SinkDefinition.Http"/>, failures as <see cref="SinkException"/>.</summary>
internal static class ChatHttp
{
    /// <summary>Payload records name every member with <see cref="JsonPropertyNameAttribute"/>; absent members are left out.</summary>
    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        // Bodies go to APIs, never into HTML, so only what JSON requires is escaped and other scripts stay readable.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly MediaTypeHeaderValue JsonType = new("application/json") { CharSet = "utf-8" };

    /// <summary>
    /// Posts <paramref name="payload"/> (or the route's body override when the message has one, unchanged) and
    /// returns the answer's body. Non-2xx answers throw <see cref="SinkException"/>.
    /// </summary>
    public static Task<string> PostAsync<T>(HttpClient http, Uri url, SinkMessage message, T payload, string sinkName, CancellationToken cancellationToken, string? bearerToken = null)
    {
        byte[] body = message.Body is { } overrideBody ? Encoding.UTF8.GetBytes(overrideBody) : JsonSerializer.SerializeToUtf8Bytes(payload, JsonOptions);
        return PostBytesAsync(http, url, body, sinkName, cancellationToken, bearerToken);
    }

    /// <summary>
    /// Posts the body <paramref name="payloadBody"/> makes (or the route's body override when the message has one,
    /// unchanged: the route's author owns its size) and returns the answer's body.
    /// </summary>
    public static Task<string> PostBodyAsync(HttpClient http, Uri url, SinkMessage message, Func<byte[]> payloadBody, string sinkName, CancellationToken cancellationToken)
    {
        byte[] body = message.Body is { } overrideBody ? Encoding.UTF8.GetBytes(overrideBody) : payloadBody();
        return PostBytesAsync(http, url, body, sinkName, cancellationToken);
    }

    public static async Task<string> PostBytesAsync(HttpClient http, Uri url, byte[] body, string sinkName, CancellationToken cancellationToken, string? bearerToken = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = JsonType;
        if (bearerToken is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearerToken);
        }
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await SinkException.EnsureSuccessAsync(response, sinkName, cancellationToken).ConfigureAwait(false);
        return await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The answer parsed as a JSON object, or null when it is empty or not a JSON object.</summary>
    public static JsonObject? ParseObject(string body)
    {
        if (string.IsNullOrWhiteSpace(body))
        {
            return null;
        }
        try
        {
            return JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// The route's body override as a JSON object, for sinks that must add members to it (a signature, a channel);
    /// a body that is not a JSON object is refused, since those members could not be added.
    /// </summary>
    public static JsonObject OverrideObject(string body, string sinkName)
    {
        try
        {
            return JsonNode.Parse(body) as JsonObject ?? throw new SinkException($"Sink '{sinkName}': the route's body is not a JSON object");
        }
        catch (JsonException e)
        {
            throw new SinkException($"Sink '{sinkName}': the route's body is not valid JSON: {e.Message}", innerException: e);
        }
    }

    /// <summary>An integer member of an answer such as <c>errcode</c>, or null.</summary>
    public static long? Integer(JsonObject? answer, string name) =>
        answer?[name] is JsonValue value && value.TryGetValue(out long number) ? number : null;

    /// <summary>A string member of an answer, or null.</summary>
    public static string? String(JsonObject? answer, string name) =>
        answer?[name] is JsonValue value && value.TryGetValue(out string? text) ? text : null;
}

/// <summary>Readers for the keys several chat sinks share.</summary>
internal static class ChatConfig
{
    /// <summary>The <c>msgType</c> key: one of <paramref name="allowed"/> (case-insensitive), or the first when absent.</summary>
    public static string MessageType(SinkDefinition definition, params string[] allowed)
    {
        string? value = definition.GetString("msgType");
        if (value is null)
        {
            return allowed[0];
        }
        string? known = allowed.FirstOrDefault(a => string.Equals(a, value.Trim(), StringComparison.OrdinalIgnoreCase));
        return known ?? throw definition.Error("msgType", $"'{value}' is not one of {string.Join(", ", allowed)}");
    }

    /// <summary>An optional absolute http(s) URL that is not a secret (an icon, an avatar).</summary>
    public static Uri? PublicUrl(SinkDefinition definition, string key)
    {
        string? value = definition.GetString(key);
        if (value is null)
        {
            return null;
        }
        return Uri.TryCreate(value.Trim(), UriKind.Absolute, out Uri? uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri
            : throw definition.Error(key, $"'{value}' is not an absolute http:// or https:// URL");
    }
}
