using System.Net;

namespace Bridge.Notifier.Sinks;

/// <summary>A destination refused a message (an HTTP status, or an error in a 200 answer such as Slack's <c>ok:false</c>).</summary>
internal sealed class SinkException : Exception
{
    public SinkException(string message, HttpStatusCode? statusCode = null, bool transient = false, Exception? innerException = null)
        : base(message, innerException)
    {
        StatusCode = statusCode;
        IsTransient = transient;
    }

    /// <summary>The last HTTP status, when there was an answer.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>True when trying again later may succeed (rate limits reported in a body, a busy target).</summary>
    public bool IsTransient { get; }

    /// <summary>
    /// Throws a <see cref="SinkException"/> naming the sink, the status and the start of the body unless the answer is
    /// a success (2xx).
    /// </summary>
    public static async Task EnsureSuccessAsync(HttpResponseMessage response, string sinkName, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.IsSuccessStatusCode)
        {
            return;
        }
        string body = await ReadSnippetAsync(response, cancellationToken).ConfigureAwait(false);
        int status = (int)response.StatusCode;
        throw new SinkException(
            $"Sink '{sinkName}' answered {status} {response.ReasonPhrase}{(body.Length > 0 ? ": " + body : string.Empty)}",
            response.StatusCode,
            transient: status == 408 || status == 429 || status >= 500);
    }

    /// <summary>The first 512 characters of a response body, for error messages.</summary>
    public static async Task<string> ReadSnippetAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(response);
        string body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        body = body.ReplaceLineEndings(" ").Trim();
        return body.Length <= 512 ? body : body[..512] + "...";
    }
}
