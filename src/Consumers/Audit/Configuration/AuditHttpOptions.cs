namespace Bridge.Audit.Configuration;

/// <summary>The HTTP side of the audit service (section <c>Audit</c>): where the API, the probes and the page are served.</summary>
internal sealed class AuditHttpOptions
{
    public const string SectionName = "Audit";

    /// <summary>Port of the API, <c>/healthz</c>, <c>/readyz</c>, <c>/metrics</c> and the page, on every address. Ignored when <c>Urls</c> is set. Default 8091.</summary>
    public int Port { get; set; } = 8091;

    /// <summary>Interval of the comment line that keeps an idle <c>/api/v1/stream</c> open through proxies. Default 15 s.</summary>
    public TimeSpan StreamHeartbeat { get; set; } = TimeSpan.FromSeconds(15);
}
