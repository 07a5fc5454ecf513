using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Bridge.Notifier.Model;
using Bridge.Notifier.Templates;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Notifier.Sinks.Webhook;

/// <summary>
/// Any HTTP endpoint (<c>type: webhook</c>): method, URL, headers (values from the file or the environment for
/// secrets), basic or bearer auth, an HMAC-SHA256 signature of the body (<c>X-Signature: sha256=&lt;hex&gt;</c>, Flux's
/// generic-hmac), and a body: the route's <c>body</c>, else the sink's <c>body</c> template, else a JSON summary.
/// </summary>
internal sealed class WebhookSink(
    string name,
    HttpClient http,
    Uri url,
    HttpMethod method,
    IReadOnlyDictionary<string, string> headers,
    AuthenticationHeaderValue? authorization,
    byte[]? hmacSecret,
    string contentType,
    NotifierTemplate? bodyTemplate) : ISink
{
    public const string SignatureHeader = "X-Signature";

    public string Name { get; } = name;

    public string Kind => WebhookSinkFactory.KindName;

    public TextEscaping Escaping => TextEscaping.None;

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        string body = message.Body
            ?? (bodyTemplate is null ? null : await bodyTemplate.RenderAsync(TemplateModel.Create(message.Notification, message.Route), OutputEscaping.Json).ConfigureAwait(false))
            ?? DefaultBody(message);
        byte[] bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(method, url);
        if (method != HttpMethod.Get && method != HttpMethod.Head)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        foreach (KeyValuePair<string, string> header in headers)
        {
            if (!request.Headers.TryAddWithoutValidation(header.Key, header.Value))
            {
                request.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }
        request.Headers.Authorization = authorization;
        request.Headers.TryAddWithoutValidation("Idempotency-Key", message.IdempotencyKey);
        if (hmacSecret is not null)
        {
            request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(hmacSecret, bytes));
        }
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await SinkException.EnsureSuccessAsync(response, Name, cancellationToken).ConfigureAwait(false);
    }

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of <paramref name="body"/>.</summary>
    public static string Sign(byte[] secret, byte[] body) => "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(secret, body));

    /// <summary>The default body: the event's fields, the text to show, and the Flagger payload.</summary>
    public static string DefaultBody(SinkMessage message)
    {
        Notification n = message.Notification;
        var body = new Dictionary<string, object?>
        {
            ["id"] = n.Id,
            ["source"] = n.Source,
            ["type"] = n.Type,
            ["subject"] = n.Subject,
            ["time"] = n.Time,
            ["namespace"] = n.Namespace,
            ["canary"] = n.Canary,
            ["phase"] = n.Phase,
            ["severity"] = Notification.SeverityName(n.Severity),
            ["cluster"] = n.Cluster,
            ["checksum"] = n.Checksum,
            ["title"] = n.Title,
            ["text"] = message.TextOrDefault,
            ["route"] = message.Route,
            ["metadata"] = n.Metadata,
            ["data"] = n.Data,
        };
        return JsonSerializer.Serialize(body);
    }
}

internal sealed class WebhookSinkFactory : ISinkFactory
{
    public const string KindName = "webhook";

    private static readonly string[] Methods = ["POST", "PUT", "PATCH", "GET", "DELETE"];

    public string Kind => KindName;

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri url = definition.GetRequiredUrl("url");
        string methodName = (definition.GetString("method") ?? "POST").ToUpperInvariant();
        if (!Methods.Contains(methodName, StringComparer.Ordinal))
        {
            throw definition.Error("method", $"'{methodName}' is not one of {string.Join(", ", Methods)}");
        }
        var headers = new Dictionary<string, string>(definition.GetMap("headers"), StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> file in definition.GetMap("headerFiles"))
        {
            headers[file.Key] = definition.ReadFile($"headerFiles.{file.Key}", file.Value);
        }
        foreach (KeyValuePair<string, string> env in definition.GetMap("headerEnv"))
        {
            headers[env.Key] = definition.ReadEnvironment($"headerEnv.{env.Key}", env.Value);
        }
        string? username = definition.GetString("username");
        string? password = definition.GetSecret("password");
        string? token = definition.GetSecret("token");
        if (token is not null && (username is not null || password is not null))
        {
            throw definition.Error("token", "set either token (bearer) or username and password (basic), not both");
        }
        if ((username is null) != (password is null))
        {
            throw definition.Error(username is null ? "username" : "password", "basic auth needs both username and password");
        }
        AuthenticationHeaderValue? authorization = token is not null
            ? new AuthenticationHeaderValue("Bearer", token)
            : username is not null ? new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{username}:{password}"))) : null;
        string? secret = definition.GetSecret("hmacSecret");
        string contentType = definition.GetString("contentType") ?? "application/json";
        if (!MediaTypeHeaderValue.TryParse(contentType, out _))
        {
            throw definition.Error("contentType", $"'{contentType}' is not a media type");
        }
        NotifierTemplate? body = definition.GetString("body") is { } source
            ? definition.Services.GetRequiredService<TemplateEngine>().Compile(source, definition.PathOf("body"))
            : null;
        return new WebhookSink(definition.Name, definition.Http, url, new HttpMethod(methodName), headers, authorization,
            secret is null ? null : Encoding.UTF8.GetBytes(secret), contentType, body);
    }
}
