using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Bridge.Notifier.Tests.Sinks;

public sealed class WebhookSinkTests
{
    [Fact]
    public async Task Deliver_HmacSecret_SignatureVerifiesWithIndependentHmac()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              hook:
                type: webhook
                url: {{server.Url("/hook")}}
                hmacSecret: s3cr3t
            routes:
              - sinks: [hook]
            """);

        await harness.HandleAsync(Events.Flagger(message: "quotes \" and\nnewlines"));

        RecordedRequest request = Assert.Single(server.Requests);
        string signature = request.Header("X-Signature")!;
        Assert.StartsWith("sha256=", signature, StringComparison.Ordinal);
        // Independent check: the HMAC computed here over the received bytes, compared as bytes.
        using var hmac = new HMACSHA256(Encoding.UTF8.GetBytes("s3cr3t"));
        byte[] expected = hmac.ComputeHash(request.Body);
        Assert.True(CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(signature["sha256=".Length..])));
    }

    [Fact]
    public async Task Deliver_Default_PostsJsonSummaryWithIdempotencyKey()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$"""
            cluster: prod-eu
            sinks:
              hook: { type: webhook, url: "{{server.Url("/hook")}}" }
            routes:
              - name: all
                sinks: [hook]
            """);

        await harness.HandleAsync(Events.Flagger("rolledback", id: "ev-1", severity: "error", phase: "Failed", message: "Rolling back"));

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.StartsWith("application/json", request.Header("Content-Type"), StringComparison.Ordinal);
        Assert.Equal(32, request.Header("Idempotency-Key")!.Length);
        JsonElement json = request.Json;
        Assert.Equal("ev-1", json.GetProperty("id").GetString());
        Assert.Equal("app.flagger.canary.rolledback", json.GetProperty("type").GetString());
        Assert.Equal("podinfo", json.GetProperty("canary").GetString());
        Assert.Equal("prod", json.GetProperty("namespace").GetString());
        Assert.Equal("Failed", json.GetProperty("phase").GetString());
        Assert.Equal("error", json.GetProperty("severity").GetString());
        Assert.Equal("prod-eu", json.GetProperty("cluster").GetString());
        Assert.Equal("Rolling back", json.GetProperty("text").GetString());
        Assert.Equal("all", json.GetProperty("route").GetString());
        Assert.Equal("OPS", json.GetProperty("metadata").GetProperty("jiraProject").GetString());
        Assert.Equal("podinfo", json.GetProperty("data").GetProperty("name").GetString());
    }

    [Fact]
    public async Task Deliver_BearerTokenFromFileHeadersFromEnvironmentAndMethod_Sent()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        string tokenFile = Path.GetTempFileName();
        await File.WriteAllTextAsync(tokenFile, "tok-123\n");
        string variable = "NOTIFIER_TEST_HEADER_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "from-env");
        try
        {
            await using var harness = await NotifierHarness.StartAsync($$"""
                sinks:
                  hook:
                    type: webhook
                    url: {{server.Url("/jenkins")}}
                    method: PUT
                    tokenFile: {{tokenFile}}
                    headers: { X-Static: plain }
                    headerEnv: { X-From-Env: {{variable}} }
                routes:
                  - sinks: [hook]
                """);

            await harness.HandleAsync(Events.Flagger());

            RecordedRequest request = Assert.Single(server.Requests);
            Assert.Equal("PUT", request.Method);
            Assert.Equal("Bearer tok-123", request.Header("Authorization"));
            Assert.Equal("plain", request.Header("X-Static"));
            Assert.Equal("from-env", request.Header("X-From-Env"));
        }
        finally
        {
            File.Delete(tokenFile);
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    [Fact]
    public async Task Deliver_BasicAuth_Sent()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              hook: { type: webhook, url: "{{server.Url("/h")}}", username: ci, password: "p:w" }
            routes:
              - sinks: [hook]
            """);

        await harness.HandleAsync(Events.Flagger());

        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("ci:p:w")), Assert.Single(server.Requests).Header("Authorization"));
    }

    [Fact]
    public async Task Deliver_RouteBodyWithHostileMessage_BodyParsesAndIsSigned()
    {
        string hostile = "\"}{\" \\ \n\r\t {{ canary }} {% if %} \u00e9\u4e2d\U0001F680 " + new string('y', 64 * 1024);
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$$"""
            sinks:
              hook: { type: webhook, url: "{{{server.Url("/h")}}}", hmacSecret: k }
            routes:
              - sinks: [hook]
                body: '{"event_type": "canary-{{ shorttype }}", "client_payload": {"text": "{{ message }}", "canary": "{{ canary }}"}}'
            """);

        await harness.HandleAsync(Events.Flagger("promoted", message: hostile));

        RecordedRequest request = Assert.Single(server.Requests);
        JsonElement json = request.Json;
        Assert.Equal("canary-promoted", json.GetProperty("event_type").GetString());
        Assert.Equal(hostile, json.GetProperty("client_payload").GetProperty("text").GetString());
        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData("k"u8.ToArray(), request.Body)), request.Header("X-Signature"));
    }

    [Fact]
    public async Task Deliver_SinkBodyTemplate_UsedWhenRouteHasNone()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$$"""
            sinks:
              hook:
                type: webhook
                url: "{{{server.Url("/h")}}}"
                body: '{"text": "{{ title }}: {{ message }}"}'
            routes:
              - sinks: [hook]
            """);

        await harness.HandleAsync(Events.Flagger(message: "say \"hi\""));

        Assert.Equal("podinfo.prod: say \"hi\"", Assert.Single(server.Requests).Json.GetProperty("text").GetString());
    }
}
