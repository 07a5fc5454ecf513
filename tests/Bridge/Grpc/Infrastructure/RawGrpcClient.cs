using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace Bridge.Grpc.Tests.Infrastructure;

/// <summary>Sends hand-made gRPC requests with HttpClient, to test the server byte by byte.</summary>
public sealed class RawGrpcClient : IDisposable
{
    private readonly HttpClient _http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public static byte[] Frame(byte[] payload, bool compressed = false)
    {
        var frame = new byte[5 + payload.Length];
        frame[0] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        return frame;
    }

    public async Task<RawResponse> SendAsync(Uri baseAddress, string path, byte[] body, string? contentType = "application/grpc",
        IEnumerable<KeyValuePair<string, string>>? headers = null, Version? version = null, HttpMethod? method = null)
    {
        using var request = new HttpRequestMessage(method ?? HttpMethod.Post, new Uri(baseAddress, path))
        {
            Version = version ?? HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new ByteArrayContent(body),
        };
        if (contentType is not null)
        {
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        foreach (var header in headers ?? [])
        {
            request.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
        using HttpResponseMessage response = await _http.SendAsync(request);
        byte[] responseBody = await response.Content.ReadAsByteArrayAsync();
        return new RawResponse(
            response.StatusCode,
            ToDictionary(response.Headers),
            ToDictionary(response.TrailingHeaders),
            response.Content.Headers.ContentType?.ToString(),
            responseBody);
    }

    public void Dispose() => _http.Dispose();

    private static Dictionary<string, string> ToDictionary(HttpHeaders headers) =>
        headers.NonValidated.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
}

public sealed record RawResponse(HttpStatusCode StatusCode, Dictionary<string, string> Headers, Dictionary<string, string> Trailers,
    string? ContentType, byte[] Body)
{
    /// <summary>The grpc-status wherever it was sent (trailers, or headers for Trailers-Only).</summary>
    public string? GrpcStatus => Trailers.GetValueOrDefault("grpc-status") ?? Headers.GetValueOrDefault("grpc-status");

    public string? GrpcMessage => Trailers.GetValueOrDefault("grpc-message") ?? Headers.GetValueOrDefault("grpc-message");

    public bool IsTrailersOnly => Headers.ContainsKey("grpc-status") && Trailers.Count == 0 && Body.Length == 0;
}
