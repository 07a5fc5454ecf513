using System.Text.Json;
using Bridge.Server.Ingress;
using Microsoft.AspNetCore.Http;

namespace Bridge.Server.Tests.Ingress;

public sealed class ProblemResponseTests
{
    [Fact]
    public async Task WriteAsync_ErrorNamingAField_ListedWithPointer()
    {
        var (context, body) = NewContext();

        await ProblemResponse.WriteAsync(context, 400, "metadata.timestamp must be a string", errors: [new ProblemError("metadata.timestamp", "must be a string")]);

        var json = Parse(body);
        Assert.Equal("application/problem+json", context.Response.ContentType);
        Assert.Equal(400, json.GetProperty("status").GetInt32());
        Assert.Equal("metadata.timestamp", json.GetProperty("errors")[0].GetProperty("pointer").GetString());
    }

    [Fact]
    public async Task WriteAsync_SingleErrorRepeatingTheDetail_Omitted()
    {
        var (context, body) = NewContext();

        await ProblemResponse.WriteAsync(context, 400, "Request body is not valid JSON", errors: [new ProblemError(null, "Request body is not valid JSON")]);

        var json = Parse(body);
        Assert.Equal("Request body is not valid JSON", json.GetProperty("detail").GetString());
        Assert.False(json.TryGetProperty("errors", out _));
    }

    private static (DefaultHttpContext Context, MemoryStream Body) NewContext()
    {
        var body = new MemoryStream();
        var context = new DefaultHttpContext();
        context.Response.Body = body;
        return (context, body);
    }

    private static JsonElement Parse(MemoryStream body) => JsonDocument.Parse(body.ToArray()).RootElement;
}
