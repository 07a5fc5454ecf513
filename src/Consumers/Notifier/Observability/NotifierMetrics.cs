using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Bridge.Notifier.Observability;

/// <summary>The notifier's instruments (meter <c>Bridge.Notifier</c>), tagged by sink and route.</summary>
internal sealed class NotifierMetrics
{
    public const string MeterName = "Bridge.Notifier";

    private readonly Counter<long> _sent;
    private readonly Counter<long> _failed;
    private readonly Counter<long> _retried;
    private readonly Counter<long> _duplicates;
    private readonly Counter<long> _suppressed;
    private readonly Counter<long> _reloads;
    private readonly Histogram<double> _latency;
    private int _configurationValid = 1;

    public NotifierMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(MeterName);
        _sent = meter.CreateCounter<long>("notifier.notifications.sent", "{notification}", "Notifications a sink accepted.");
        _failed = meter.CreateCounter<long>("notifier.notifications.failed", "{notification}", "Notifications given up on after retries (a delivery.failed event was published).");
        _retried = meter.CreateCounter<long>("notifier.notifications.retried", "{retry}", "Request retries of sinks.");
        _duplicates = meter.CreateCounter<long>("notifier.events.duplicates", "{event}", "Events dropped as duplicates of (source, id).");
        _suppressed = meter.CreateCounter<long>("notifier.notifications.suppressed", "{notification}", "Repeated Flagger messages not sent again in the same rollout and phase.");
        _reloads = meter.CreateCounter<long>("notifier.configuration.reloads", "{reload}", "Configuration reloads, by result (ok, invalid).");
        _latency = meter.CreateHistogram<double>("notifier.delivery.duration", "s", "Time to deliver one notification to one sink, retries included.");
        meter.CreateObservableGauge("notifier.configuration.valid", () => Volatile.Read(ref _configurationValid), description: "1 while the configuration file in place is valid, 0 while the last reload was rejected (the last good one is in use).");
    }

    public void Sent(string sink, string route, TimeSpan duration)
    {
        var tags = Tags(sink, route);
        _sent.Add(1, tags);
        _latency.Record(duration.TotalSeconds, tags);
    }

    public void Failed(string sink, string route, TimeSpan duration)
    {
        var tags = Tags(sink, route);
        _failed.Add(1, tags);
        _latency.Record(duration.TotalSeconds, tags);
    }

    public void Retried(string sink, string route) => _retried.Add(1, Tags(sink, route));

    public void Duplicate() => _duplicates.Add(1);

    public void Suppressed(string sink, string route) => _suppressed.Add(1, Tags(sink, route));

    public void Reloaded(bool valid)
    {
        Volatile.Write(ref _configurationValid, valid ? 1 : 0);
        _reloads.Add(1, new KeyValuePair<string, object?>("result", valid ? "ok" : "invalid"));
    }

    private static TagList Tags(string sink, string route) => new() { { "sink", sink }, { "route", route } };
}
