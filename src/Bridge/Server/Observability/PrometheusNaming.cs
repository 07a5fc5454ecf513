using System.Text;

namespace Bridge.Server.Observability;

/// <summary>
/// Turns System.Diagnostics.Metrics instrument names and units into Prometheus metric and label
/// names: snake_case, only <c>[a-zA-Z0-9_:]</c>, the unit as a suffix (<c>_seconds</c>, <c>_bytes</c>) and
/// <c>_total</c> on counters, as Prometheus' naming conventions ask.
/// </summary>
internal static class PrometheusNaming
{
    /// <summary>The Prometheus name of a metric family.</summary>
    /// <param name="instrumentName">The instrument's name, e.g. <c>bridge.ingress.request.duration</c>.</param>
    /// <param name="unit">The instrument's UCUM unit, e.g. <c>s</c>, <c>By</c>, <c>{request}</c>. May be null.</param>
    /// <param name="kind">What the family is exported as; counters get <c>_total</c>, gauges may get <c>_ratio</c>.</param>
    public static string MetricName(string instrumentName, string? unit, PrometheusMetricKind kind)
    {
        var name = Sanitize(instrumentName, allowColon: true);
        var isCounter = kind == PrometheusMetricKind.Counter;
        if (isCounter && name.EndsWith("_total", StringComparison.Ordinal))
        {
            name = name[..^"_total".Length];
        }

        var suffix = UnitSuffix(unit, kind);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            name = name + "_" + suffix;
        }

        return isCounter ? name + "_total" : name;
    }

    /// <summary>A valid Prometheus label name for a tag name.</summary>
    public static string LabelName(string tagName) => Sanitize(tagName, allowColon: false);

    /// <summary>
    /// The unit suffix: UCUM units Prometheus has a base-unit word for; annotations in braces
    /// (<c>{request}</c>) name what is counted and give no suffix; <c>1</c> is a ratio only for gauges.
    /// </summary>
    internal static string UnitSuffix(string? unit, PrometheusMetricKind kind)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return string.Empty;
        }

        var slash = unit.IndexOf('/', StringComparison.Ordinal);
        if (slash > 0)
        {
            var numerator = UnitWord(unit[..slash]);
            var denominator = PerUnitWord(unit[(slash + 1)..]);
            return numerator.Length == 0 || denominator.Length == 0 ? numerator : numerator + "_per_" + denominator;
        }

        if (unit == "1")
        {
            return kind == PrometheusMetricKind.Gauge ? "ratio" : string.Empty;
        }

        return UnitWord(unit);
    }

    private static string UnitWord(string unit) => unit switch
    {
        "d" => "days",
        "h" => "hours",
        "min" => "minutes",
        "s" => "seconds",
        "ms" => "milliseconds",
        "us" => "microseconds",
        "ns" => "nanoseconds",
        "By" => "bytes",
        "KiBy" => "kibibytes",
        "MiBy" => "mebibytes",
        "GiBy" => "gibibytes",
        "KBy" => "kilobytes",
        "MBy" => "megabytes",
        "GBy" => "gigabytes",
        "bit" => "bits",
        "m" => "meters",
        "V" => "volts",
        "A" => "amperes",
        "J" => "joules",
        "W" => "watts",
        "g" => "grams",
        "Cel" => "celsius",
        "Hz" => "hertz",
        "%" => "percent",
        _ when unit.StartsWith('{') => string.Empty,
        _ => Sanitize(unit, allowColon: false).Trim('_'),
    };

    private static string PerUnitWord(string unit) => unit switch
    {
        "s" => "second",
        "min" => "minute",
        "h" => "hour",
        "d" => "day",
        "w" => "week",
        "mo" => "month",
        "y" => "year",
        _ => UnitWord(unit),
    };

    /// <summary>
    /// Lower snake_case: separators and invalid characters become one underscore, camelCase humps are
    /// split, and a leading digit gets an underscore in front.
    /// </summary>
    private static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsAsciiLetterUpper(c))
            {
                var previous = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                if (char.IsAsciiLetterLower(previous) || char.IsAsciiDigit(previous)
                    || (char.IsAsciiLetterUpper(previous) && char.IsAsciiLetterLower(next)))
                {
                    AppendUnderscore(builder);
                }

                builder.Append(char.ToLowerInvariant(c));
            }
            else if (char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || (allowColon && c == ':'))
            {
                builder.Append(c);
            }
            else
            {
                AppendUnderscore(builder);
            }
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        return builder.ToString();
    }

    private static void AppendUnderscore(StringBuilder builder)
    {
        if (builder.Length > 0 && builder[^1] != '_')
        {
            builder.Append('_');
        }
    }
}

/// <summary>The Prometheus metric type a family is exported as.</summary>
internal enum PrometheusMetricKind
{
    /// <summary>Monotonic sum (<c>counter</c>).</summary>
    Counter,

    /// <summary>Current value or non-monotonic sum (<c>gauge</c>).</summary>
    Gauge,

    /// <summary>Bucketed distribution (<c>histogram</c>).</summary>
    Histogram,
}
