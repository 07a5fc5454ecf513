using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Bridge.Server.Tests.Ingress;

/// <summary>
/// HTTP/1.1 over a plain socket, for requests no HttpClient sends (oversized request lines, malformed
/// heads, bodies that stall) and to see a response exactly as the server wrote it.
/// </summary>
internal static class RawHttp
{
    /// <summary>Sends <paramref name="head"/> and <paramref name="body"/> and reads one response.</summary>
    public static async Task<RawResponse> SendAsync(Uri server, string head, byte[]? body = null, TimeSpan? timeout = null) =>
        (await SendManyAsync(server, head, 1, body, timeout))[0];

    /// <summary>
    /// Sends <paramref name="head"/> (which may hold several pipelined requests) and <paramref name="body"/>,
    /// then reads <paramref name="count"/> responses.
    /// </summary>
    public static async Task<IReadOnlyList<RawResponse>> SendManyAsync(Uri server, string head, int count, byte[]? body = null, TimeSpan? timeout = null)
    {
        using var client = new TcpClient();
        using var cancellation = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(20));
        await client.ConnectAsync(server.Host, server.Port, cancellation.Token);
        var stream = client.GetStream();
        try
        {
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head), cancellation.Token);
            if (body is not null)
            {
                await stream.WriteAsync(body, cancellation.Token);
            }
        }
        catch (IOException)
        {
            // The server may answer and close before it read everything; the answer is what counts.
        }

        var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        var responses = new List<RawResponse>(count);
        var consumed = 0;
        while (responses.Count < count)
        {
            if (RawResponse.TryParse(received.GetBuffer().AsSpan(consumed, (int)received.Length - consumed), out var response, out var length))
            {
                responses.Add(response);
                consumed += length;
                continue;
            }

            int read;
            try
            {
                read = await stream.ReadAsync(buffer, cancellation.Token);
            }
            catch (IOException)
            {
                read = 0;
            }

            if (read == 0)
            {
                throw new InvalidOperationException(
                    $"The server closed the connection after {responses.Count} of {count} responses; unparsed: " +
                    $"'{Encoding.ASCII.GetString(received.GetBuffer(), consumed, (int)received.Length - consumed)}'");
            }

            received.Write(buffer, 0, read);
        }

        return responses;
    }
}

/// <summary>A response as read from the socket.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>Checks the response is RFC 9457 problem JSON with <paramref name="status"/> and returns it.</summary>
    public JsonElement Problem(int status)
    {
        Assert.True(Status == status, $"Expected {status}, got {Status}: {Body}");
        Assert.StartsWith("application/problem+json", Header("Content-Type") ?? "(none)", StringComparison.Ordinal);
        if (Header("Content-Length") is { } length)
        {
            Assert.Equal(Encoding.UTF8.GetByteCount(Body).ToString(CultureInfo.InvariantCulture), length);
        }

        using var document = JsonDocument.Parse(Body);
        var problem = document.RootElement.Clone();
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("type").GetString()));
        Assert.NotEqual("Error", problem.GetProperty("title").GetString());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("detail").GetString()));
        return problem;
    }

    /// <summary>Parses one complete response at the start of <paramref name="bytes"/>; <paramref name="length"/> is how many bytes it took.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, out RawResponse response, out int length)
    {
        response = null!;
        length = 0;
        var headEnd = bytes.IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return false;
        }

        var lines = Encoding.ASCII.GetString(bytes[..headEnd]).Split("\r\n");
        var status = int.Parse(lines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon]] = line[(colon + 1)..].Trim();
        }

        var rest = bytes[(headEnd + 4)..];
        if (headers.TryGetValue("Content-Length", out var contentLength))
        {
            var declared = int.Parse(contentLength, CultureInfo.InvariantCulture);
            if (rest.Length < declared)
            {
                return false;
            }

            response = new RawResponse(status, headers, Encoding.UTF8.GetString(rest[..declared]));
            length = headEnd + 4 + declared;
            return true;
        }

        if (!string.Equals(headers.GetValueOrDefault("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var body = new MemoryStream();
        while (true)
        {
            var lineEnd = rest.IndexOf("\r\n"u8);
            if (lineEnd < 0)
            {
                return false;
            }

            var size = int.Parse(Encoding.ASCII.GetString(rest[..lineEnd]).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (rest.Length < lineEnd + 2 + size + 2)
            {
                return false;
            }

            if (size == 0)
            {
                response = new RawResponse(status, headers, Encoding.UTF8.GetString(body.ToArray()));
                length = bytes.Length - rest.Length + lineEnd + 4;
                return true;
            }

            body.Write(rest.Slice(lineEnd + 2, size));
            rest = rest[(lineEnd + 2 + size + 2)..];
        }
    }
}
