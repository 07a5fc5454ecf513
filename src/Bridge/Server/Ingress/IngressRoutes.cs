namespace Bridge.Server.Ingress;

/// <summary>The ingress' paths and their metric labels.</summary>
internal static class IngressRoutes
{
    public const string FlaggerEvents = "/v1/flagger/events";
    public const string HookTypeParameter = "hookType";
    public const string FlaggerHooks = "/v1/flagger/hooks/{" + HookTypeParameter + "}";
    public const string Events = "/v1/events";
    public const string Healthz = "/healthz";
    public const string Readyz = "/readyz";
    public const string Metrics = "/metrics";

    /// <summary>Metric label of requests no route matched.</summary>
    public const string UnmatchedLabel = "unmatched";

    /// <summary>Seconds a client is told to wait (<c>Retry-After</c>) after a 503.</summary>
    public const string UnavailableRetryAfterSeconds = "5";

    /// <summary>Every route, for the 404 detail.</summary>
    public const string Summary =
        "POST /v1/flagger/events, POST /v1/flagger/hooks/<hookType>, POST /v1/events, GET /healthz, GET /readyz, GET /metrics";
}
