using System.Buffers;
using System.Globalization;
using System.IO.Pipelines;
using System.Net;
using System.Net.Http.Headers;

namespace Bridge.Grpc.Internal.Client;

/// <summary>
/// One client call of any shape: sends the request, reads response headers, messages and trailers, and
/// turns every way a call can end (trailers, Trailers-Only, HTTP errors, resets, cancel, deadline) into a
/// single final <see cref="Status"/>. The first status set wins.
/// </summary>
internal sealed class GrpcCall<TRequest, TResponse> : IAsyncStreamReader<TResponse>, IGrpcCall
{
    private static readonly Status CanceledByClientStatus = new(StatusCode.Cancelled, "Call canceled by the client.");
    private static readonly Status DeadlineExceededStatus = new(StatusCode.DeadlineExceeded, "Deadline Exceeded");

    private readonly GrpcChannel _channel;
    private readonly Method<TRequest, TResponse> _method;
    private readonly CallOptions _options;
    private readonly CancellationTokenSource _callCts = new();
    private readonly object _lock = new();
    private CancellationTokenSource? _deadlineCts;
    private CancellationTokenRegistration _userRegistration;
    private CancellationTokenRegistration _deadlineRegistration;
    private DuplexRequestContent? _duplexContent;
    private HttpResponseMessage? _response;
    private PipeReader? _reader;
    private Task<bool> _headersTask = Task.FromResult(false);
    private Status? _status;
    private Metadata? _trailers;
    private Metadata? _responseHeaders;
    private Exception? _cause;
    private TResponse? _current;
    private bool _hasCurrent;
    private bool _disposed;

    public GrpcCall(GrpcChannel channel, Method<TRequest, TResponse> method, CallOptions options)
    {
        _channel = channel;
        _method = method;
        _options = options;
    }

    public TResponse Current => _hasCurrent ? _current! : throw new InvalidOperationException("No message has been read; call MoveNext first.");

    public bool IsFinished
    {
        get
        {
            lock (_lock)
            {
                return _status is not null;
            }
        }
    }

    public void StartUnary(TRequest request)
    {
        byte[] frame = MessageFraming.FrameMessage(request, _method.RequestMarshaller, new ArrayBufferWriter<byte>(), _channel.Options.MaxSendMessageSize);
        var content = new ByteArrayContent(frame);
        content.Headers.ContentType = new MediaTypeHeaderValue(GrpcProtocol.ContentType);
        Start(content);
    }

    public DuplexRequestContent StartDuplex()
    {
        _duplexContent = new DuplexRequestContent();
        Start(_duplexContent);
        return _duplexContent;
    }

    private void Start(HttpContent content)
    {
        TimeSpan? timeout = null;
        if (_options.Deadline is DateTime deadline)
        {
            TimeSpan remaining = deadline.ToUniversalTime() - DateTime.UtcNow;
            if (remaining <= TimeSpan.Zero)
            {
                content.Dispose();
                Finish(DeadlineExceededStatus, new Metadata());
                _duplexContent?.Abort();
                return;
            }
            timeout = remaining < GrpcTimeout.MaxTimeout ? remaining : GrpcTimeout.MaxTimeout;
        }

        HttpRequestMessage request;
        try
        {
            request = CreateRequest(content, timeout);
        }
        catch
        {
            content.Dispose();
            throw;
        }
        if (timeout is TimeSpan t)
        {
            _deadlineCts = new CancellationTokenSource(t);
            _deadlineRegistration = _deadlineCts.Token.Register(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(DeadlineExceededStatus), this);
        }
        if (_options.CancellationToken.CanBeCanceled)
        {
            _userRegistration = _options.CancellationToken.Register(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(CanceledByClientStatus), this);
        }
        _headersTask = ReceiveHeadersAsync(request);
    }

    private HttpRequestMessage CreateRequest(HttpContent content, TimeSpan? timeout)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(_channel.Address, _method.FullName))
        {
            // With the default RequestVersionOrLower, http:// silently falls back to HTTP/1.1.
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = content,
        };
        // C-core servers (grpcio) reject requests without it.
        request.Headers.TE.Add(new TransferCodingWithQualityHeaderValue("trailers"));
        request.Headers.TryAddWithoutValidation("user-agent", GrpcChannel.UserAgent);
        request.Headers.TryAddWithoutValidation(GrpcProtocol.AcceptEncodingHeader, GrpcProtocol.SupportedEncodings);
        if (timeout is TimeSpan t)
        {
            request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, GrpcTimeout.Format(t));
        }
        if (_options.Headers is not null)
        {
            MetadataHeaders.AppendTo(request.Headers, _options.Headers);
        }
        return request;
    }

    private async Task<bool> ReceiveHeadersAsync(HttpRequestMessage request)
    {
        HttpResponseMessage response;
        try
        {
            response = await _channel.HttpClient.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, _callCts.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            request.Dispose();
            Finish(MapException(ex, "Error starting gRPC call"), new Metadata(), ex);
            return false;
        }
        lock (_lock)
        {
            _response = response;
            if (_status is not null)
            {
                response.Dispose();
                return false;
            }
        }
        try
        {
            if (response.StatusCode != HttpStatusCode.OK)
            {
                string detail = "Bad gRPC response. HTTP status code: " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
                string? message = GetHeader(response.Headers, GrpcProtocol.MessageHeader);
                if (message is not null)
                {
                    detail += ". " + GrpcMessageEncoding.Decode(message);
                }
                Finish(new Status(MapHttpStatus(response.StatusCode), detail), SafeMetadata(response.Headers, null));
                return false;
            }
            if (GetHeader(response.Headers, GrpcProtocol.StatusHeader) is not null)
            {
                // Trailers-Only: the status came in the only HEADERS frame; there is no body.
                Metadata trailers = SafeMetadata(response.Headers, null);
                _responseHeaders = trailers;
                Finish(ReadStatus(response.Headers), trailers);
                return false;
            }
            string? contentType = response.Content.Headers.ContentType?.ToString();
            if (!GrpcProtocol.IsGrpcContentType(contentType))
            {
                Finish(new Status(StatusCode.Internal, $"Bad gRPC response. Invalid content-type value: '{contentType}'."), new Metadata());
                return false;
            }
            _responseHeaders = MetadataHeaders.FromHttpHeaders(response.Headers);
            Stream body = await response.Content.ReadAsStreamAsync(_callCts.Token).ConfigureAwait(false);
            _reader = PipeReader.Create(body, new StreamPipeReaderOptions(leaveOpen: true));
            return true;
        }
        catch (RpcException ex)
        {
            Finish(ex.Status, ex.Trailers, ex);
            return false;
        }
        catch (Exception ex)
        {
            Finish(MapException(ex, "Error reading response headers"), new Metadata(), ex);
            return false;
        }
    }

    public async Task<Metadata> GetResponseHeadersAsync()
    {
        await _headersTask.ConfigureAwait(false);
        lock (_lock)
        {
            if (_responseHeaders is not null)
            {
                return _responseHeaders;
            }
            throw CreateException();
        }
    }

    public async Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (!await _headersTask.ConfigureAwait(false) || IsFinished)
        {
            return EndOrThrow();
        }
        using CancellationTokenRegistration registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(CanceledByClientStatus), this)
            : default;
        try
        {
            var readOptions = new MessageReadOptions(_channel.Options.MaxReceiveMessageSize, GetHeader(_response!.Headers, GrpcProtocol.EncodingHeader));
            var (hasMessage, message) = await MessageFraming.ReadStreamMessageAsync(_reader!, readOptions, _method.ResponseMarshaller, _callCts.Token).ConfigureAwait(false);
            if (hasMessage)
            {
                _current = message;
                _hasCurrent = true;
                return true;
            }
            _hasCurrent = false;
            // Trailers are only filled in after the body reached its end.
            Finish(ReadStatus(_response.TrailingHeaders), SafeMetadata(_response.TrailingHeaders, null));
        }
        catch (RpcException ex)
        {
            // A protocol violation by the server (oversized message, bad frame): end the call here.
            Cancel(ex.Status, ex.Trailers);
        }
        catch (Exception ex)
        {
            Cancel(MapException(ex, "Error reading next message"), null, ex);
        }
        return EndOrThrow();
    }

    /// <summary>Writes one request message on a duplex call.</summary>
    public async Task WriteAsync(DuplexRequestContent content, byte[] frame, CancellationToken cancellationToken)
    {
        ThrowIfFinishedForWrite();
        using CancellationTokenSource linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _callCts.Token);
        try
        {
            await content.WriteAsync(frame, linked.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or IOException or HttpRequestException or InvalidOperationException)
        {
            if (cancellationToken.IsCancellationRequested)
            {
                Cancel(CanceledByClientStatus);
            }
            // Once the call is over the write fails (HttpClient ended the request body); report why it ended.
            ThrowIfFinishedForWrite();
            throw new RpcException(new Status(StatusCode.Unavailable, "Error writing to the request stream: " + ex.Message), new Metadata(), ex);
        }
    }

    private void ThrowIfFinishedForWrite()
    {
        lock (_lock)
        {
            if (_status is Status status)
            {
                if (status.StatusCode == StatusCode.OK)
                {
                    throw new InvalidOperationException("Can't write the message because the call is complete.");
                }
                throw CreateException();
            }
        }
    }

    public Status GetStatus()
    {
        lock (_lock)
        {
            return _status ?? throw new InvalidOperationException("Unable to get the status because the call is not complete.");
        }
    }

    public Metadata GetTrailers()
    {
        lock (_lock)
        {
            return _status is null
                ? throw new InvalidOperationException("Unable to get the trailers because the call is not complete.")
                : _trailers!;
        }
    }

    /// <summary>Ends the call from the client side: the stream is reset and reads and writes fail.</summary>
    public void Cancel(Status status, Metadata? trailers = null, Exception? cause = null)
    {
        Finish(status, trailers ?? new Metadata(), cause);
        try
        {
            _callCts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing left to cancel.
        }
        _duplexContent?.Abort();
        HttpResponseMessage? response;
        lock (_lock)
        {
            response = _response;
        }
        // Cancelling the send token no longer matters once headers arrived; disposing sends RST_STREAM.
        response?.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }
            _disposed = true;
        }
        if (!IsFinished)
        {
            Cancel(CanceledByClientStatus);
        }
        _userRegistration.Dispose();
        _deadlineRegistration.Dispose();
        _deadlineCts?.Dispose();
        _duplexContent?.Abort();
        lock (_lock)
        {
            _response?.Dispose();
        }
        _callCts.Dispose();
    }

    private void Finish(Status status, Metadata trailers, Exception? cause = null)
    {
        bool finishedNow = false;
        lock (_lock)
        {
            if (_status is null)
            {
                _status = status;
                _trailers = trailers;
                _cause = cause;
                finishedNow = true;
            }
        }
        if (finishedNow)
        {
            // Nothing more can be sent on a finished call; let HttpClient end the request body.
            _duplexContent?.Abort();
        }
    }

    private bool EndOrThrow()
    {
        lock (_lock)
        {
            if (_status is Status { StatusCode: StatusCode.OK })
            {
                return false;
            }
            throw CreateException();
        }
    }

    private RpcException CreateException()
    {
        Status status = _status ?? new Status(StatusCode.Internal, "The call ended without a status.");
        return new RpcException(status, _trailers ?? new Metadata(), _cause);
    }

    private Status MapException(Exception ex, string context)
    {
        lock (_lock)
        {
            if (_status is Status known)
            {
                return known;
            }
        }
        if (_deadlineCts?.IsCancellationRequested == true)
        {
            return DeadlineExceededStatus;
        }
        if (_options.CancellationToken.IsCancellationRequested || ex is OperationCanceledException or ObjectDisposedException)
        {
            return CanceledByClientStatus;
        }
        for (Exception? e = ex; e is not null; e = e.InnerException)
        {
            if (e is HttpProtocolException protocol)
            {
                return new Status(MapHttp2ErrorCode(protocol.ErrorCode), $"{context}. {ex.GetType().Name}: {ex.Message}");
            }
        }
        return new Status(StatusCode.Unavailable, $"{context}. {ex.GetType().Name}: {ex.Message}");
    }

    private static Status ReadStatus(HttpHeaders headers)
    {
        string? value = GetHeader(headers, GrpcProtocol.StatusHeader);
        if (value is null)
        {
            return new Status(StatusCode.Internal, "No grpc-status found on response.");
        }
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out int code) || code > 16)
        {
            return new Status(StatusCode.Unknown, $"Unexpected grpc-status value '{value}'.");
        }
        string? message = GetHeader(headers, GrpcProtocol.MessageHeader);
        return new Status((StatusCode)code, message is null ? null : GrpcMessageEncoding.Decode(message));
    }

    private static Metadata SafeMetadata(HttpHeaders headers, HttpHeaders? more)
    {
        try
        {
            return MetadataHeaders.FromHttpHeaders(headers, more);
        }
        catch (RpcException)
        {
            // Malformed metadata must not hide the call's real status.
            return new Metadata();
        }
    }

    private static string? GetHeader(HttpHeaders headers, string name) =>
        headers.NonValidated.TryGetValues(name, out HeaderStringValues values) ? values.ToString() : null;

    internal static StatusCode MapHttpStatus(HttpStatusCode status) => (int)status switch
    {
        400 => StatusCode.Internal,
        401 => StatusCode.Unauthenticated,
        403 => StatusCode.PermissionDenied,
        404 => StatusCode.Unimplemented,
        429 or 502 or 503 or 504 => StatusCode.Unavailable,
        _ => StatusCode.Unknown,
    };

    internal static StatusCode MapHttp2ErrorCode(long errorCode) => errorCode switch
    {
        0x7 => StatusCode.Unavailable,        // REFUSED_STREAM
        0x8 => StatusCode.Cancelled,          // CANCEL
        0xB => StatusCode.ResourceExhausted,  // ENHANCE_YOUR_CALM
        0xC => StatusCode.PermissionDenied,   // INADEQUATE_SECURITY
        _ => StatusCode.Internal,
    };
}
