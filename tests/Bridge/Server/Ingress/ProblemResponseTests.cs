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

    [Theory]
    [InlineData(400, "Bad Request", "15.5.1")]
    [InlineData(408, "Request Timeout", "15.5.9")]
    [InlineData(411, "Length Required", "15.5.12")]
    [InlineData(413, "Content Too Large", "15.5.14")]
    [InlineData(414, "URI Too Long", "15.5.15")]
    [InlineData(431, "Request Header Fields Too Large", "rfc6585#section-5")]
    [InlineData(501, "Not Implemented", "15.6.2")]
    [InlineData(505, "HTTP Version Not Supported", "15.6.6")]
    public void TitleOfAndTypeOf_StatusesKestrelAnswers_StandardTitleAndSection(int status, string title, string section)
    {
        Assert.Equal(title, ProblemResponse.TitleOf(status));
        Assert.EndsWith(section, ProblemResponse.TypeOf(status), StringComparison.Ordinal);
    }

    [Fact]
    public void TitleOf_AnyStatus_NeverGeneric()
    {
        foreach (var status in Enumerable.Range(400, 200))
        {
            var title = ProblemResponse.TitleOf(status);
            Assert.False(string.IsNullOrEmpty(title));
            Assert.NotEqual("Error", title);
        }
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
