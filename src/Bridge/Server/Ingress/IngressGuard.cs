using System.Globalization;
using Bridge.CloudEvents;
using Bridge.Server.Auth;
using Bridge.Server.Flagger;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Ingress;

/// <summary>What the guard decided about a request before its body is read.</summary>
/// <param name="Admitted">False when a problem was already written; the handler just returns.</param>
/// <param name="Caller">The caller once known; null while a body signature still has to be verified.</param>
/// <param name="Signature">The presented body signature, to verify once the body is read; else null.</param>
internal readonly record struct Admission(bool Admitted, BridgeCaller? Caller, byte[]? Signature);

/// <summary>
/// The checks every POST route shares, cheapest first: rate limit (429), credentials that need no
/// body (401), a body the bridge can read as sent (415), and later the body signature (401) and what the
/// caller may publish (403).
/// </summary>
internal sealed class IngressGuard(ITokenAuthenticator authenticator, IngressRateLimiter rateLimiter, EventScope scope, ILogger<IngressGuard> logger)
{
    private const string BearerChallenge = "Bearer realm=\"bridge\"";
    private const string InvalidTokenChallenge = "Bearer realm=\"bridge\", error=\"invalid_token\"";
    private const string IdentityEncoding = "identity";

    /// <summary>Applies the rate limit, checks credentials that do not need the body and the body's encoding.</summary>
    public async ValueTask<Admission> AdmitAsync(HttpContext context)
    {
        if (!rateLimiter.TryAcquire(out var retryAfter))
        {
            context.Response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
            await RejectAsync(context, StatusCodes.Status429TooManyRequests,
                $"The ingress accepts a limited number of requests per second (Ingress:RateLimit); retry after {retryAfter} s.");
            return default;
        }

        var admission = await AuthenticateAsync(context);
        if (admission.Admitted && !await CheckContentEncodingAsync(context))
        {
            return default;
        }

        return admission;
    }

    private async ValueTask<Admission> AuthenticateAsync(HttpContext context)
    {
        if (authenticator.IsOpen)
        {
            return new Admission(true, BridgeCaller.Anonymous, null);
        }

        var credentials = HttpCredentials.From(context.Request);
        switch (credentials.Kind)
        {
            case CredentialKind.Token:
                var caller = authenticator.AuthenticateToken(credentials.Token);
                if (caller is null)
                {
                    await UnauthorizedAsync(context, InvalidTokenChallenge, "The token is not accepted: it matches none of the configured tokens (Auth:Tokens).");
                    return default;
                }

                return new Admission(true, caller, null);
            case CredentialKind.Signature:
                return new Admission(true, null, credentials.Signature);
            case CredentialKind.Malformed:
                await UnauthorizedAsync(context, InvalidTokenChallenge, credentials.Problem!);
                return default;
            default:
                await UnauthorizedAsync(context, BearerChallenge,
                    "Credentials are required: send 'Authorization: Bearer <token>', the query parameter '?token=<token>', " +
                    "or 'X-Signature: sha256=<hex>' with the HMAC-SHA256 of the body keyed with a token.");
                return default;
        }
    }

    /// <summary>
    /// The caller of an admitted request: known already, or the one whose token signed
    /// <paramref name="body"/>; null when the signature does not verify (answer with
    /// <see cref="RejectSignatureAsync"/>).
    /// </summary>
    public BridgeCaller? Identify(in Admission admission, ReadOnlySpan<byte> body) =>
        admission.Caller ?? authenticator.AuthenticateSignature(admission.Signature, body);

    /// <summary>Writes the 401 of a body signature that does not verify.</summary>
    public Task RejectSignatureAsync(HttpContext context) =>
        UnauthorizedAsync(context, InvalidTokenChallenge,
            $"The {HttpCredentials.SignatureHeader} header does not match the body: expected 'sha256=' and the hex HMAC-SHA256 " +
            "of the raw body keyed with one of the configured tokens.");

    /// <summary>Writes 403 when <paramref name="caller"/> may not send events for <paramref name="namespace"/>.</summary>
    /// <returns>True when allowed.</returns>
    public async ValueTask<bool> AuthorizeAsync(HttpContext context, BridgeCaller caller, string? @namespace, string? what = null)
    {
        if (caller.MayAccess(@namespace))
        {
            return true;
        }

        var subject = what is null ? string.Empty : what + ": ";
        var detail = @namespace is null
            ? $"{subject}the event names no namespace (no 'namespace' extension and no 'partitionkey' of the form <namespace>/<name>), " +
              $"and the token '{caller.Name}' is limited to some namespaces."
            : $"{subject}the token '{caller.Name}' may not send events for namespace '{@namespace}' (Auth:Tokens:*:Namespaces).";
        AuthLog.NamespaceDenied(logger, caller.Name, @namespace ?? "(none)");
        await RejectAsync(context, StatusCodes.Status403Forbidden, detail);
        return false;
    }

    /// <summary>
    /// Writes 403 when <paramref name="caller"/> may not publish <paramref name="cloudEvent"/> (see
    /// <see cref="EventScope"/>).
    /// </summary>
    /// <param name="context">The request. Must not be null.</param>
    /// <param name="caller">The authenticated caller. Must not be null.</param>
    /// <param name="cloudEvent">A valid event of the request. Must not be null.</param>
    /// <param name="what">Which event of the request, e.g. "event 2 of the batch (id 'x')"; null for the only one.</param>
    /// <returns>True when allowed.</returns>
    public async ValueTask<bool> AuthorizeEventAsync(HttpContext context, BridgeCaller caller, CloudEvent cloudEvent, string? what = null)
    {
        if (scope.Check(caller, cloudEvent) is not { } reason)
        {
            return true;
        }

        AuthLog.EventOutOfScope(logger, caller.Name, cloudEvent.Id, reason);
        await RejectAsync(context, StatusCodes.Status403Forbidden, Sentence(what, reason));
        return false;
    }

    /// <summary>Joins a description of which event a problem is about and the problem itself.</summary>
    /// <param name="what">Which event, or null when the request has only one.</param>
    /// <param name="problem">The problem, a sentence that may start in lower case.</param>
    internal static string Sentence(string? what, string problem) =>
        what is not null ? $"{what}: {problem}"
        : problem.Length > 0 ? string.Concat(char.ToUpperInvariant(problem[0]).ToString(), problem.AsSpan(1))
        : problem;

    /// <summary>Writes a problem and logs it at Debug.</summary>
    public Task RejectAsync(HttpContext context, int status, string detail, IReadOnlyList<ProblemError>? errors = null)
    {
        IngressLog.RequestRejected(logger, context.Request.Method, context.Request.Path.Value ?? string.Empty, status, detail);
        return ProblemResponse.WriteAsync(context, status, detail, errors: errors);
    }

    // The ingress reads bodies as sent; decoding would also leave a body signature ambiguous (over which bytes?).
    private async ValueTask<bool> CheckContentEncodingAsync(HttpContext context)
    {
        var encodings = context.Request.Headers.ContentEncoding;
        foreach (var header in encodings)
        {
            foreach (var part in (header ?? string.Empty).Split(','))
            {
                var encoding = part.Trim();
                if (encoding.Length == 0 || encoding.Equals(IdentityEncoding, StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                // RFC 9110 15.5.16: name the encodings the server does accept.
                context.Response.Headers.AcceptEncoding = IdentityEncoding;
                await RejectAsync(context, StatusCodes.Status415UnsupportedMediaType,
                    $"Content-Encoding '{FlaggerPayloadException.Describe(encoding)}' is not supported: send the body uncompressed " +
                    "(no Content-Encoding, or identity).");
                return false;
            }
        }

        return true;
    }

    private Task UnauthorizedAsync(HttpContext context, string challenge, string detail)
    {
        context.Response.Headers.WWWAuthenticate = challenge;
        AuthLog.CallerRejected(logger, context.Request.Path.Value ?? string.Empty, detail);
        return ProblemResponse.WriteAsync(context, StatusCodes.Status401Unauthorized, detail);
    }
}
