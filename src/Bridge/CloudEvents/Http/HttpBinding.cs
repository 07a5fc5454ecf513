using System.Buffers;
using System.Net.Http.Headers;
using Bridge.CloudEvents.Internal;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace Bridge.CloudEvents.Http;

/// <summary>
/// The CloudEvents HTTP protocol binding: binary, structured and batch content modes, both directions.
/// </summary>
/// <remarks>
/// <para>Receiving picks the mode from <c>Content-Type</c>, case-insensitively: <c>application/cloudevents-batch…</c> is
/// batch, other <c>application/cloudevents…</c> is structured (JSON or protobuf; any other format throws
/// <see cref="CloudEventUnsupportedMediaTypeException"/>, which maps to 415), anything else or no Content-Type is binary.
/// Invalid events throw <see cref="CloudEventFormatException"/> (400); a body over the limit throws
/// <see cref="CloudEventPayloadTooLargeException"/> (413).</para>
/// <para>Binary mode: attributes come from <c>ce-</c> headers (names case-insensitive, values decoded as in
/// <see cref="HttpHeaderValue"/>); a repeated <c>ce-</c> header is rejected; <c>datacontenttype</c> comes from
/// <c>Content-Type</c> only and a <c>ce-datacontenttype</c> header is ignored. Extensions from headers are Strings
/// with their exact text, except the known extensions (<see cref="CloudEventAttributes.KnownExtensions"/>) which are
/// parsed as their type. An empty body is no data. A JSON content type with a JSON body gives Json data, a UTF-8
/// <c>text/*</c> body gives Text data, a protobuf content type naming its message (<c>application/protobuf;
/// proto=pkg.Msg</c>, see <see cref="MediaTypes.WithProtobufTypeUrl"/>) gives Proto data with that type URL and without
/// the parameter in <c>datacontenttype</c>, anything else Binary data; the bytes are never changed. Sending Proto data
/// in binary mode writes the message bytes with such a Content-Type.</para>
/// <para>Structured and batch mode build events from the body only; <c>ce-</c> headers are disregarded.</para>
/// </remarks>
public static class HttpBinding
{
    /// <summary>The prefix of attribute headers.</summary>
    public const string HeaderPrefix = "ce-";

    private const string ContentTypeHeader = "Content-Type";

    private static readonly string[] CoreHeaderNames = CloudEventAttributes.Core.Select(a => HeaderPrefix + a.Name).ToArray();

    /// <summary>Reads the events of an ASP.NET Core request (one event for binary and structured mode, any number for batch).</summary>
    /// <param name="request">The request. Must not be null.</param>
    /// <param name="maxBodyBytes">The largest body accepted, in bytes (at least 0).</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>The valid events, in order. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The message is not a valid CloudEvent (or batch).</exception>
    /// <exception cref="CloudEventUnsupportedMediaTypeException">The structured or batch format is not supported.</exception>
    /// <exception cref="CloudEventPayloadTooLargeException">The body is larger than <paramref name="maxBodyBytes"/>.</exception>
    public static async Task<IReadOnlyList<CloudEvent>> ReadAsync(HttpRequest request, long maxBodyBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(maxBodyBytes);
        CheckUnsupportedEarly(request.ContentType);
        byte[] body = await ReadLimitedAsync(request.Body, request.ContentLength, maxBodyBytes, cancellationToken).ConfigureAwait(false);
        return Decode(request.ContentType, request.Headers, body);
    }

    /// <summary>Reads the events of a response, for example a reply event (the content is consumed).</summary>
    /// <param name="response">The response. Must not be null.</param>
    /// <param name="maxBodyBytes">The largest body accepted, in bytes (at least 0).</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>The valid events, in order. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The message is not a valid CloudEvent (or batch).</exception>
    /// <exception cref="CloudEventUnsupportedMediaTypeException">The structured or batch format is not supported.</exception>
    /// <exception cref="CloudEventPayloadTooLargeException">The body is larger than <paramref name="maxBodyBytes"/>.</exception>
    public static Task<IReadOnlyList<CloudEvent>> ReadAsync(HttpResponseMessage response, long maxBodyBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        return ReadAsync(response.Headers, response.Content, maxBodyBytes, cancellationToken);
    }

    /// <summary>Reads the events of an outgoing request message (the content is consumed).</summary>
    /// <param name="request">The request. Must not be null.</param>
    /// <param name="maxBodyBytes">The largest body accepted, in bytes (at least 0).</param>
    /// <param name="cancellationToken">Cancels reading the body.</param>
    /// <returns>The valid events, in order. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The message is not a valid CloudEvent (or batch).</exception>
    /// <exception cref="CloudEventUnsupportedMediaTypeException">The structured or batch format is not supported.</exception>
    /// <exception cref="CloudEventPayloadTooLargeException">The body is larger than <paramref name="maxBodyBytes"/>.</exception>
    public static Task<IReadOnlyList<CloudEvent>> ReadAsync(HttpRequestMessage request, long maxBodyBytes, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ReadAsync(request.Headers, request.Content, maxBodyBytes, cancellationToken);
    }

    /// <summary>
    /// Decodes a message from its parts, without any server. Header names are matched case-insensitively; a header
    /// whose entry has several values, or that appears in several entries, is a repeated header.
    /// </summary>
    /// <param name="contentType">The Content-Type header, or null when absent.</param>
    /// <param name="headers">All headers (Content-Type may be among them; it is not read from here). Must not be null.</param>
    /// <param name="body">The body; empty means no body. Not copied: binary-mode data refers to this memory.</param>
    /// <returns>The valid events, in order. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The message is not a valid CloudEvent (or batch).</exception>
    /// <exception cref="CloudEventUnsupportedMediaTypeException">The structured or batch format is not supported.</exception>
    public static IReadOnlyList<CloudEvent> Decode(string? contentType, IEnumerable<KeyValuePair<string, StringValues>> headers, ReadOnlyMemory<byte> body)
    {
        ArgumentNullException.ThrowIfNull(headers);
        if (MediaTypes.IsCloudEventsBatch(contentType))
        {
            return GetBatchFormat(contentType!) == Format.Json
                ? JsonEventFormat.DecodeBatch(body.Span)
                : ProtobufEventFormat.DecodeBatch(body.Span);
        }

        if (MediaTypes.IsCloudEvents(contentType))
        {
            CloudEvent single = GetStructuredFormat(contentType!) == Format.Json
                ? JsonEventFormat.Decode(body.Span)
                : ProtobufEventFormat.Decode(body.Span);
            return [single];
        }

        return [DecodeBinary(contentType, headers, body)];
    }

    /// <summary>Builds a POST request carrying one event.</summary>
    /// <param name="cloudEvent">The event. Must not be null; must be valid.</param>
    /// <param name="mode">Binary or structured (JSON).</param>
    /// <param name="uri">The target. Must not be null.</param>
    /// <returns>A new request message. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The event is not valid.</exception>
    public static HttpRequestMessage ToHttpRequestMessage(CloudEvent cloudEvent, HttpContentMode mode, Uri uri)
    {
        ArgumentNullException.ThrowIfNull(uri);
        return new HttpRequestMessage(HttpMethod.Post, uri) { Content = ToHttpContent(cloudEvent, mode) };
    }

    /// <summary>
    /// Builds the content for one event (usable in requests and responses). In binary mode the <c>ce-</c> headers are
    /// content headers, so they travel with the content.
    /// </summary>
    /// <param name="cloudEvent">The event. Must not be null; must be valid.</param>
    /// <param name="mode">Binary or structured (JSON).</param>
    /// <returns>New content. Never null.</returns>
    /// <exception cref="CloudEventFormatException">The event is not valid.</exception>
    public static HttpContent ToHttpContent(CloudEvent cloudEvent, HttpContentMode mode)
    {
        ArgumentNullException.ThrowIfNull(cloudEvent);
        cloudEvent.Validate();
        HttpContent content;
        if (mode == HttpContentMode.Structured)
        {
            content = new ByteArrayContent(JsonEventFormat.Encode(cloudEvent));
            content.Headers.TryAddWithoutValidation(ContentTypeHeader, MediaTypes.CloudEventsJsonUtf8);
            return content;
        }

        if (mode != HttpContentMode.Binary)
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown content mode");
        }

        content = new ReadOnlyMemoryContent(cloudEvent.Data.ToBytes());
        HttpContentHeaders headers = content.Headers;
        if (JsonEventFormat.EffectiveContentType(cloudEvent) is { } contentType)
        {
            headers.TryAddWithoutValidation(ContentTypeHeader, contentType);
        }

        foreach ((string name, string value) in GetBinaryHeaders(cloudEvent))
        {
            headers.TryAddWithoutValidation(name, value);
        }

        return content;
    }

    /// <summary>Builds batch content: <c>application/cloudevents-batch+json; charset=UTF-8</c>.</summary>
    /// <param name="events">The events. Must not be null, nor contain null; every event must be valid. May be empty.</param>
    /// <returns>New content. Never null.</returns>
    /// <exception cref="CloudEventFormatException">An event is not valid.</exception>
    public static HttpContent ToBatchContent(IEnumerable<CloudEvent> events)
    {
        var content = new ByteArrayContent(JsonEventFormat.EncodeBatch(events));
        content.Headers.TryAddWithoutValidation(ContentTypeHeader, MediaTypes.CloudEventsBatchJsonUtf8);
        return content;
    }

    /// <summary>Writes one event as an ASP.NET Core response (status code untouched).</summary>
    /// <param name="response">The response, not yet started. Must not be null.</param>
    /// <param name="cloudEvent">The event. Must not be null; must be valid.</param>
    /// <param name="mode">Binary or structured (JSON).</param>
    /// <param name="cancellationToken">Cancels writing.</param>
    /// <returns>A task that completes when the body is written.</returns>
    /// <exception cref="CloudEventFormatException">The event is not valid.</exception>
    public static async Task WriteAsync(HttpResponse response, CloudEvent cloudEvent, HttpContentMode mode, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentNullException.ThrowIfNull(cloudEvent);
        cloudEvent.Validate();
        ReadOnlyMemory<byte> body;
        if (mode == HttpContentMode.Structured)
        {
            response.ContentType = MediaTypes.CloudEventsJsonUtf8;
            body = JsonEventFormat.Encode(cloudEvent);
        }
        else
        {
            response.ContentType = JsonEventFormat.EffectiveContentType(cloudEvent);
            foreach ((string name, string value) in GetBinaryHeaders(cloudEvent))
            {
                response.Headers[name] = value;
            }

            body = cloudEvent.Data.ToBytes();
        }

        response.ContentLength = body.Length;
        if (!body.IsEmpty)
        {
            await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes a JSON batch as an ASP.NET Core response (status code untouched).</summary>
    /// <param name="response">The response, not yet started. Must not be null.</param>
    /// <param name="events">The events. Must not be null, nor contain null; every event must be valid. May be empty.</param>
    /// <param name="cancellationToken">Cancels writing.</param>
    /// <returns>A task that completes when the body is written.</returns>
    /// <exception cref="CloudEventFormatException">An event is not valid.</exception>
    public static async Task WriteBatchAsync(HttpResponse response, IEnumerable<CloudEvent> events, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        byte[] body = JsonEventFormat.EncodeBatch(events);
        response.ContentType = MediaTypes.CloudEventsBatchJsonUtf8;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The <c>ce-</c> headers of binary mode (every attribute but <c>datacontenttype</c>), values encoded.</summary>
    internal static IEnumerable<(string Name, string Value)> GetBinaryHeaders(CloudEvent cloudEvent)
    {
        yield return (CoreHeaderNames[0], CloudEventAttributes.SpecVersionValue);
        IReadOnlyList<CloudEventAttribute> core = CloudEventAttributes.Core;
        for (int i = 1; i < CoreHeaderNames.Length; i++)
        {
            if (i != CloudEventAttributes.DataContentType.CoreIndex && cloudEvent.GetCoreValue(i) is { } value)
            {
                yield return (CoreHeaderNames[i], HttpHeaderValue.Encode(CanonicalString.Format(value, core[i].Type)));
            }
        }

        if (cloudEvent.ExtensionList is { } extensions)
        {
            foreach (KeyValuePair<CloudEventAttribute, object> entry in extensions)
            {
                yield return (HeaderPrefix + entry.Key.Name, HttpHeaderValue.Encode(CanonicalString.Format(entry.Value, entry.Key.Type)));
            }
        }
    }

    private enum Format
    {
        Json,
        Protobuf,
    }

    private static async Task<IReadOnlyList<CloudEvent>> ReadAsync(HttpHeaders messageHeaders, HttpContent? content, long maxBodyBytes, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBodyBytes);
        var headers = new List<KeyValuePair<string, StringValues>>();
        string? contentType = null;
        AddHeaders(headers, messageHeaders);
        byte[] body = [];
        if (content != null)
        {
            AddHeaders(headers, content.Headers);
            if (content.Headers.NonValidated.TryGetValues(ContentTypeHeader, out HeaderStringValues values))
            {
                contentType = values.Count == 1 ? values.ToString() : throw new CloudEventFormatException("datacontenttype", "Content-Type appears more than once");
            }

            CheckUnsupportedEarly(contentType);
            Stream stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                body = await ReadLimitedAsync(stream, content.Headers.ContentLength, maxBodyBytes, cancellationToken).ConfigureAwait(false);
            }
        }

        return Decode(contentType, headers, body);
    }

    private static void AddHeaders(List<KeyValuePair<string, StringValues>> target, HttpHeaders source)
    {
        foreach (KeyValuePair<string, HeaderStringValues> header in source.NonValidated)
        {
            string[] values = new string[header.Value.Count];
            int i = 0;
            foreach (string value in header.Value)
            {
                values[i++] = value;
            }

            target.Add(new KeyValuePair<string, StringValues>(header.Key, values));
        }
    }

    /// <summary>Rejects an unsupported structured format before the body is read.</summary>
    private static void CheckUnsupportedEarly(string? contentType)
    {
        if (MediaTypes.IsCloudEventsBatch(contentType))
        {
            GetBatchFormat(contentType!);
        }
        else if (MediaTypes.IsCloudEvents(contentType))
        {
            GetStructuredFormat(contentType!);
        }
    }

    private static Format GetStructuredFormat(string contentType)
    {
        ReadOnlySpan<char> essence = MediaTypes.Essence(contentType);
        Format format = essence.Equals(MediaTypes.CloudEventsJson, StringComparison.OrdinalIgnoreCase) ? Format.Json
            : essence.Equals(MediaTypes.CloudEventsProtobuf, StringComparison.OrdinalIgnoreCase) ? Format.Protobuf
            : throw new CloudEventUnsupportedMediaTypeException(contentType,
                $"Structured content type {TextRules.Quote(contentType)} is not supported (supported: {MediaTypes.CloudEventsJson}, {MediaTypes.CloudEventsProtobuf})");
        CheckCharset(contentType, format);
        return format;
    }

    private static Format GetBatchFormat(string contentType)
    {
        ReadOnlySpan<char> essence = MediaTypes.Essence(contentType);
        Format format = essence.Equals(MediaTypes.CloudEventsBatchJson, StringComparison.OrdinalIgnoreCase) ? Format.Json
            : essence.Equals(MediaTypes.CloudEventsBatchProtobuf, StringComparison.OrdinalIgnoreCase) ? Format.Protobuf
            : throw new CloudEventUnsupportedMediaTypeException(contentType,
                $"Batch content type {TextRules.Quote(contentType)} is not supported (supported: {MediaTypes.CloudEventsBatchJson}, {MediaTypes.CloudEventsBatchProtobuf})");
        CheckCharset(contentType, format);
        return format;
    }

    private static void CheckCharset(string contentType, Format format)
    {
        if (format != Format.Json || !contentType.Contains(';', StringComparison.Ordinal))
        {
            return;
        }

        string? charset = MediaTypes.GetParameter(contentType, "charset");
        if (charset != null && !charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) && !charset.Equals("utf8", StringComparison.OrdinalIgnoreCase))
        {
            throw new CloudEventUnsupportedMediaTypeException(contentType,
                $"Charset {TextRules.Quote(charset)} of {TextRules.Quote(contentType)} is not supported; the JSON format is UTF-8");
        }
    }

    private static CloudEvent DecodeBinary(string? contentType, IEnumerable<KeyValuePair<string, StringValues>> headers, ReadOnlyMemory<byte> body)
    {
        var cloudEvent = new CloudEvent();
        bool specVersionSeen = false;
        List<string>? seen = null;
        foreach (KeyValuePair<string, StringValues> header in headers)
        {
            string headerName = header.Key;
            if (headerName.Length < HeaderPrefix.Length || !headerName.StartsWith(HeaderPrefix, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            string name = headerName[HeaderPrefix.Length..].ToLowerInvariant();
            if (!TextRules.IsValidAttributeName(name))
            {
                throw new CloudEventFormatException(name, $"{TextRules.DescribeInvalidName(name)} (header {TextRules.Quote(headerName)})");
            }

            seen ??= new List<string>(8);
            if (header.Value.Count > 1 || seen.Contains(name))
            {
                throw new CloudEventFormatException(name, $"Attribute '{name}' appears more than once (repeated header '{HeaderPrefix}{name}')");
            }

            seen.Add(name);
            if (name == "datacontenttype")
            {
                // Content-Type is authoritative in binary mode; the header must not appear and is ignored.
                continue;
            }

            string raw = header.Value.Count == 0 ? string.Empty : header.Value[0] ?? string.Empty;
            string? reason = HttpHeaderValue.TryDecode(raw, out string value);
            if (reason != null)
            {
                throw new CloudEventFormatException(name, $"Attribute '{name}' has an invalid header value {TextRules.Quote(raw)} ({reason})");
            }

            if (name == "specversion")
            {
                if (value != CloudEventAttributes.SpecVersionValue)
                {
                    throw new CloudEventFormatException(name, $"Attribute 'specversion' is {TextRules.Quote(value)}; only '1.0' is supported");
                }

                specVersionSeen = true;
                continue;
            }

            CloudEventAttribute? attribute = CloudEventAttributes.GetCore(name) ?? CloudEventAttributes.GetKnownExtension(name);
            if (attribute == null)
            {
                attribute = new CloudEventAttribute(name, CloudEventAttributeType.String, false, true, -1, false);
                cloudEvent.AddValidatedExtension(attribute, attribute.CheckText(value));
            }
            else if (attribute.IsExtension)
            {
                cloudEvent.AddValidatedExtension(attribute, attribute.Validate(value));
            }
            else
            {
                cloudEvent.SetAttribute(attribute, value);
            }
        }

        if (!specVersionSeen)
        {
            throw new CloudEventFormatException("specversion",
                "Required attribute 'specversion' is missing: a binary-mode CloudEvent needs a 'ce-specversion' header");
        }

        if (contentType != null)
        {
            cloudEvent.DataContentType = contentType;
        }

        if (!body.IsEmpty)
        {
            DataClassifier.SetBody(cloudEvent, contentType, body);
        }

        cloudEvent.Validate();
        return cloudEvent;
    }

    private static async Task<byte[]> ReadLimitedAsync(Stream stream, long? contentLength, long maxBodyBytes, CancellationToken cancellationToken)
    {
        if (contentLength > maxBodyBytes)
        {
            throw new CloudEventPayloadTooLargeException(maxBodyBytes);
        }

        if (contentLength == 0)
        {
            return [];
        }

        if (contentLength is long known)
        {
            // The server frames the body by Content-Length, so the exact size can be read without a growing buffer.
            byte[] exact = new byte[known];
            int read = await stream.ReadAtLeastAsync(exact, exact.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read < exact.Length)
            {
                throw new CloudEventFormatException($"The body ended after {read} of {known} bytes announced by Content-Length");
            }

            return exact;
        }

        int initial = (int)Math.Min(4096, maxBodyBytes + 1);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(Math.Max(initial, 256));
        int length = 0;
        try
        {
            while (true)
            {
                if (length == buffer.Length)
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent((int)Math.Min((long)buffer.Length * 2, Array.MaxLength));
                    buffer.AsSpan(0, length).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                int read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
                if (length > maxBodyBytes)
                {
                    throw new CloudEventPayloadTooLargeException(maxBodyBytes);
                }
            }

            return buffer.AsSpan(0, length).ToArray();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
