using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Bridge.Server.Observability;

/// <summary>
/// Aggregates the instruments of every meter whose name starts with <see cref="MeterPrefix"/> and
/// renders them in the Prometheus text exposition format 0.0.4: counters and up-down counters as
/// sums, gauges as last values, histograms as cumulative buckets with sum and count.
/// </summary>
/// <remarks>
/// Meters created through this host's <see cref="IMeterFactory"/> are scoped to it, so two hosts in
/// one process (tests) do not see each other's measurements; meters created with <c>new Meter</c>
/// (no scope) are process-wide and are exported by every host. Recording a measurement costs a
/// dictionary lookup and an interlocked update, and allocates nothing for string-valued tags.
/// </remarks>
internal sealed class PrometheusExporter : IDisposable
{
    /// <summary>The media type of the text format.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Meters exported are those whose name starts with this (ordinal).</summary>
    public const string MeterPrefix = "Bridge";

    private static readonly double[] SecondsBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
    private static readonly double[] DefaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    private readonly object? _scope;
    private readonly MeterListener _listener;
    private readonly ConcurrentDictionary<Instrument, InstrumentState> _instruments = new();
    private readonly Lock _collectGate = new();

    /// <param name="meterFactory">The host's factory; its meters and unscoped meters are exported. May be null for unscoped meters only.</param>
    public PrometheusExporter(IMeterFactory? meterFactory)
    {
        _scope = meterFactory;
        _listener = new MeterListener
        {
            InstrumentPublished = OnInstrumentPublished,
            MeasurementsCompleted = (instrument, _) => _instruments.TryRemove(instrument, out InstrumentState? _),
        };
        _listener.SetMeasurementEventCallback<byte>(static (i, m, t, s) => ((InstrumentState)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<short>(static (i, m, t, s) => ((InstrumentState)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<int>(static (i, m, t, s) => ((InstrumentState)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<long>(static (i, m, t, s) => ((InstrumentState)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<float>(static (i, m, t, s) => ((InstrumentState)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<double>(static (i, m, t, s) => ((InstrumentState)s!).Record(m, t));
        _listener.SetMeasurementEventCallback<decimal>(static (i, m, t, s) => ((InstrumentState)s!).Record((double)m, t));
        _listener.Start();
    }

    /// <summary>Renders every exported metric, observable instruments observed now.</summary>
    public string Collect()
    {
        var builder = new StringBuilder(4096);
        Collect(builder);
        return builder.ToString();
    }

    /// <summary>Appends every exported metric to <paramref name="output"/>. Must not be null.</summary>
    public void Collect(StringBuilder output)
    {
        ArgumentNullException.ThrowIfNull(output);
        lock (_collectGate)
        {
            // Observable instruments report through the same callbacks, on this thread, now.
            _listener.RecordObservableInstruments();
            var families = _instruments.Values
                .GroupBy(state => (state.Name, state.Kind))
                .OrderBy(group => group.Key.Name, StringComparer.Ordinal);
            foreach (var family in families)
            {
                var help = family.Select(state => state.Help).FirstOrDefault(h => h.Length > 0) ?? string.Empty;
                if (help.Length > 0)
                {
                    output.Append("# HELP ").Append(family.Key.Name).Append(' ');
                    AppendEscaped(output, help, escapeQuote: false);
                    output.Append('\n');
                }

                output.Append("# TYPE ").Append(family.Key.Name).Append(' ').Append(TypeName(family.Key.Kind)).Append('\n');
                foreach (var state in family)
                {
                    state.Write(output);
                }
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void OnInstrumentPublished(Instrument instrument, MeterListener listener)
    {
        var meter = instrument.Meter;
        if (!meter.Name.StartsWith(MeterPrefix, StringComparison.Ordinal) || (meter.Scope is not null && !ReferenceEquals(meter.Scope, _scope)))
        {
            return;
        }

        var state = CreateState(instrument);
        if (state is not null && _instruments.TryAdd(instrument, state))
        {
            listener.EnableMeasurementEvents(instrument, state);
        }
    }

    private static InstrumentState? CreateState(Instrument instrument)
    {
        var type = instrument.GetType();
        if (!type.IsGenericType)
        {
            return null;
        }

        var definition = type.GetGenericTypeDefinition();
        if (definition == typeof(Counter<>))
        {
            return new SumState(instrument, PrometheusMetricKind.Counter, cumulative: false);
        }

        if (definition == typeof(ObservableCounter<>))
        {
            return new SumState(instrument, PrometheusMetricKind.Counter, cumulative: true);
        }

        if (definition == typeof(UpDownCounter<>))
        {
            return new SumState(instrument, PrometheusMetricKind.Gauge, cumulative: false);
        }

        if (definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>))
        {
            return new SumState(instrument, PrometheusMetricKind.Gauge, cumulative: true);
        }

        if (definition == typeof(Histogram<>))
        {
            return new HistogramState(instrument, BucketsOf(instrument));
        }

        return null;
    }

    private static double[] BucketsOf(Instrument instrument)
    {
        var advised = instrument switch
        {
            Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
            Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
            _ => null,
        };
        if (advised is { Length: > 0 })
        {
            Array.Sort(advised);
            return advised.Distinct().ToArray();
        }

        return instrument.Unit == "s" ? SecondsBuckets : DefaultBuckets;
    }

    private static string TypeName(PrometheusMetricKind kind) => kind switch
    {
        PrometheusMetricKind.Counter => "counter",
        PrometheusMetricKind.Histogram => "histogram",
        _ => "gauge",
    };

    internal static void AppendEscaped(StringBuilder output, string text, bool escapeQuote)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\': output.Append("\\\\"); break;
                case '\n': output.Append("\\n"); break;
                case '"' when escapeQuote: output.Append("\\\""); break;
                default: output.Append(c); break;
            }
        }
    }

    internal static void AppendValue(StringBuilder output, double value)
    {
        if (double.IsPositiveInfinity(value))
        {
            output.Append("+Inf");
        }
        else if (double.IsNegativeInfinity(value))
        {
            output.Append("-Inf");
        }
        else if (double.IsNaN(value))
        {
            output.Append("NaN");
        }
        else
        {
            output.Append(value.ToString("R", CultureInfo.InvariantCulture));
        }
    }

    private static void AppendLabels(StringBuilder output, in MetricTags tags, string? le = null)
    {
        if (tags.Count == 0 && le is null)
        {
            return;
        }

        output.Append('{');
        for (var i = 0; i < tags.Count; i++)
        {
            var tag = tags[i];
            if (i > 0)
            {
                output.Append(',');
            }

            output.Append(PrometheusNaming.LabelName(tag.Key)).Append("=\"");
            AppendEscaped(output, tag.Value, escapeQuote: true);
            output.Append('"');
        }

        if (le is not null)
        {
            output.Append(tags.Count > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
        }

        output.Append('}');
    }

    private abstract class InstrumentState(Instrument instrument, PrometheusMetricKind kind)
    {
        public string Name { get; } = PrometheusNaming.MetricName(instrument.Name, instrument.Unit, kind);

        public PrometheusMetricKind Kind { get; } = kind;

        public string Help { get; } = instrument.Description ?? string.Empty;

        public abstract void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags);

        public abstract void Write(StringBuilder output);
    }

    private sealed class SumState(Instrument instrument, PrometheusMetricKind kind, bool cumulative) : InstrumentState(instrument, kind)
    {
        private readonly ConcurrentDictionary<MetricTags, StrongBox> _series = new();

        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = MetricTags.From(tags);
            if (!_series.TryGetValue(key, out var box))
            {
                box = _series.GetOrAdd(key, static _ => new StrongBox());
            }

            if (cumulative)
            {
                Volatile.Write(ref box.Value, value);
                return;
            }

            var current = Volatile.Read(ref box.Value);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref box.Value, current + value, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }

        public override void Write(StringBuilder output)
        {
            foreach (var (tags, box) in _series.OrderBy(s => s.Key, SeriesOrder.Instance))
            {
                output.Append(Name);
                AppendLabels(output, tags);
                output.Append(' ');
                AppendValue(output, Volatile.Read(ref box.Value));
                output.Append('\n');
            }
        }

        internal sealed class StrongBox
        {
            public double Value;
        }
    }

    private sealed class HistogramState(Instrument instrument, double[] bounds) : InstrumentState(instrument, PrometheusMetricKind.Histogram)
    {
        private readonly string[] _le = bounds.Select(b =>
        {
            var text = new StringBuilder();
            AppendValue(text, b);
            return text.ToString();
        }).ToArray();

        private readonly ConcurrentDictionary<MetricTags, Series> _series = new();

        public override void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var key = MetricTags.From(tags);
            if (!_series.TryGetValue(key, out var series))
            {
                series = _series.GetOrAdd(key, _ => new Series(bounds.Length + 1));
            }

            // Prometheus buckets are inclusive upper bounds ("le"); NaN counts only in +Inf.
            var index = 0;
            while (index < bounds.Length && !(value <= bounds[index]))
            {
                index++;
            }

            Interlocked.Increment(ref series.Counts[index]);
            var current = Volatile.Read(ref series.Sum);
            while (true)
            {
                var seen = Interlocked.CompareExchange(ref series.Sum, current + value, current);
                if (seen.Equals(current))
                {
                    return;
                }

                current = seen;
            }
        }

        public override void Write(StringBuilder output)
        {
            foreach (var (tags, series) in _series.OrderBy(s => s.Key, SeriesOrder.Instance))
            {
                long cumulative = 0;
                for (var i = 0; i <= bounds.Length; i++)
                {
                    cumulative += Volatile.Read(ref series.Counts[i]);
                    output.Append(Name).Append("_bucket");
                    AppendLabels(output, tags, i < bounds.Length ? _le[i] : "+Inf");
                    output.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
                }

                output.Append(Name).Append("_sum");
                AppendLabels(output, tags);
                output.Append(' ');
                AppendValue(output, Volatile.Read(ref series.Sum));
                output.Append('\n');

                // The count is the +Inf bucket as read above, so the two always agree.
                output.Append(Name).Append("_count");
                AppendLabels(output, tags);
                output.Append(' ').Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }

        private sealed class Series(int buckets)
        {
            public readonly long[] Counts = new long[buckets];
            public double Sum;
        }
    }

    /// <summary>Stable output: series sorted by their label values.</summary>
    private sealed class SeriesOrder : IComparer<MetricTags>
    {
        public static readonly SeriesOrder Instance = new();

        public int Compare(MetricTags x, MetricTags y)
        {
            var count = Math.Min(x.Count, y.Count);
            for (var i = 0; i < count; i++)
            {
                var byName = string.CompareOrdinal(x[i].Key, y[i].Key);
                if (byName != 0)
                {
                    return byName;
                }

                var byValue = string.CompareOrdinal(x[i].Value, y[i].Value);
                if (byValue != 0)
                {
                    return byValue;
                }
            }

            return x.Count.CompareTo(y.Count);
        }
    }
}
