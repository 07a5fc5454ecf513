using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridge.Grpc.Internal;

/// <summary>Converts between <see cref="Metadata"/> and HTTP header collections on both sides.</summary>
internal static class MetadataHeaders
{
    public static Metadata FromRequestHeaders(IHeaderDictionary headers)
    {
        var metadata = new Metadata();
        foreach (KeyValuePair<string, StringValues> header in headers)
        {
            foreach (string? value in header.Value)
            {
                AddFromWire(metadata, header.Key, value ?? string.Empty);
            }
        }
        return metadata;
    }

    public static Metadata FromHttpHeaders(params HttpHeaders?[] collections)
    {
        var metadata = new Metadata();
        foreach (HttpHeaders? headers in collections)
        {
            if (headers is null)
            {
                continue;
            }
            foreach (KeyValuePair<string, HeaderStringValues> header in headers.NonValidated)
            {
                foreach (string value in header.Value)
                {
                    AddFromWire(metadata, header.Key, value);
                }
            }
        }
        return metadata;
    }

    public static void AppendTo(IHeaderDictionary headers, Metadata metadata)
    {
        foreach (Metadata.Entry entry in metadata)
        {
            if (!GrpcProtocol.IsReservedHeader(entry.Key))
            {
                headers.Append(entry.Key, ToWireValue(entry));
            }
        }
    }

    public static void AppendTrailers(HttpResponse response, Metadata metadata)
    {
        foreach (Metadata.Entry entry in metadata)
        {
            if (!GrpcProtocol.IsReservedHeader(entry.Key))
            {
                response.AppendTrailer(entry.Key, ToWireValue(entry));
            }
        }
    }

    public static void AppendTo(HttpRequestHeaders headers, Metadata metadata)
    {
        foreach (Metadata.Entry entry in metadata)
        {
            if (GrpcProtocol.IsReservedHeader(entry.Key))
            {
                throw new ArgumentException($"Metadata key '{entry.Key}' is reserved by the gRPC protocol and cannot be sent.", nameof(metadata));
            }
            headers.TryAddWithoutValidation(entry.Key, ToWireValue(entry));
        }
    }

    public static string ToWireValue(Metadata.Entry entry) =>
        entry.IsBinary ? Convert.ToBase64String(entry.ValueBytes) : entry.Value;

    /// <summary>Decodes base64 with or without padding (grpcio sends it unpadded).</summary>
    public static byte[] DecodeBase64(string key, string value)
    {
        string trimmed = value.Trim();
        int remainder = trimmed.Length % 4;
        if (remainder == 1)
        {
            throw InvalidBase64(key);
        }
        if (remainder != 0)
        {
            trimmed += new string('=', 4 - remainder);
        }
        try
        {
            return Convert.FromBase64String(trimmed);
        }
        catch (FormatException)
        {
            throw InvalidBase64(key);
        }
    }

    private static void AddFromWire(Metadata metadata, string name, string value)
    {
        if (GrpcProtocol.IsReservedHeader(name) || !IsMetadataKey(name))
        {
            // Not gRPC metadata (pseudo-headers, protocol headers, HTTP headers with other characters).
            return;
        }
        string key = name.ToLowerInvariant();
        if (Metadata.IsBinaryKey(key))
        {
            // A binary header may carry several comma-separated values.
            foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                metadata.Add(key, DecodeBase64(key, part));
            }
            if (value.Trim().Length == 0)
            {
                metadata.Add(key, Array.Empty<byte>());
            }
            return;
        }
        try
        {
            metadata.Add(key, value);
        }
        catch (ArgumentException ex)
        {
            throw new RpcException(new Status(StatusCode.Internal, $"Invalid value for metadata '{key}': {ex.Message}"), new Metadata(), ex);
        }
    }

    private static bool IsMetadataKey(string name)
    {
        foreach (char c in name)
        {
            if (!(c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '-' or '_' or '.'))
            {
                return false;
            }
        }
        return true;
    }

    private static RpcException InvalidBase64(string key) =>
        new(StatusCode.Internal, $"Metadata '{key}' is not valid base64.");
}
