using System.Globalization;

namespace Bridge.Bench;

/// <summary>Nearest-rank percentiles over recorded latencies.</summary>
internal static class Percentiles
{
    public static double Of(double[] sortedValues, double percentile)
    {
        if (sortedValues.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(percentile / 100.0 * sortedValues.Length);
        return sortedValues[Math.Clamp(rank - 1, 0, sortedValues.Length - 1)];
    }

    public static string Describe(List<double> millis)
    {
        var sorted = millis.ToArray();
        Array.Sort(sorted);
        return string.Create(CultureInfo.InvariantCulture,
            $"p50 {Of(sorted, 50):0.00} ms, p90 {Of(sorted, 90):0.00} ms, p99 {Of(sorted, 99):0.00} ms, max {Of(sorted, 100):0.00} ms (n={sorted.Length})");
    }
}
