using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Bridge.Server.Tests.Observability;

/// <summary>One sample of a scrape: the series (name and labels as written) and its value.</summary>
internal sealed record PrometheusSample(string Name, IReadOnlyDictionary<string, string> Labels, double Value)
{
    public string Label(string name) => Labels.TryGetValue(name, out var value) ? value : string.Empty;
}

/// <summary>A strict reader of the Prometheus text format 0.0.4, so a test fails on any line a scraper would reject.</summary>
internal static partial class PrometheusText
{
    public static IReadOnlyList<PrometheusSample> Parse(string text)
    {
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
        var samples = new List<PrometheusSample>();
        var typed = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                continue;
            }

            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                var family = line.Split(' ')[2];
                Assert.True(typed.Add(family), $"Family {family} is typed twice in one scrape.");
                continue;
            }

            var match = SampleLine().Match(line);
            Assert.True(match.Success, $"Not a Prometheus sample line: {line}");
            var labels = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (Capture capture in match.Groups["label"].Captures)
            {
                var pair = LabelPair().Match(capture.Value);
                Assert.True(labels.TryAdd(pair.Groups["name"].Value, Unescape(pair.Groups["value"].Value)), $"Label repeated: {line}");
            }

            samples.Add(new PrometheusSample(match.Groups["name"].Value, labels, ParseValue(match.Groups["value"].Value)));
        }

        var duplicates = samples.GroupBy(s => s.Name + "{" + string.Join(",", s.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}")
            .Where(g => g.Count() > 1).Select(g => g.Key).ToArray();
        Assert.True(duplicates.Length == 0, $"Series repeated in one scrape: {string.Join(" ", duplicates)}");
        return samples;
    }

    /// <summary>Scrapes <c>/metrics</c> until the text contains <paramref name="expected"/>, at most <see cref="Wait.DefaultTimeout"/>.</summary>
    public static async Task<string> ScrapeUntilAsync(HttpClient client, string expected)
    {
        var deadline = DateTime.UtcNow + Wait.DefaultTimeout;
        while (true)
        {
            var text = await client.GetStringAsync("/metrics");
            if (text.Contains(expected, StringComparison.Ordinal))
            {
                return text;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"/metrics did not show {expected} within {Wait.DefaultTimeout}; last scrape:\n{text}");
            }

            await Task.Delay(20);
        }
    }

    public static IEnumerable<PrometheusSample> Family(this IReadOnlyList<PrometheusSample> samples, string name) =>
        samples.Where(s => s.Name == name);

    private static double ParseValue(string text) => text switch
    {
        "+Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
    };

    private static string Unescape(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] == '\\' && i + 1 < value.Length)
            {
                i++;
                builder.Append(value[i] == 'n' ? '\n' : value[i]);
            }
            else
            {
                builder.Append(value[i]);
            }
        }

        return builder.ToString();
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{((?<label>[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"),?)*\})? (?<value>-?[0-9.eE+-]+|\+Inf|-Inf|NaN)$""")]
    private static partial Regex SampleLine();

    [GeneratedRegex("""^(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>.*)"$""", RegexOptions.Singleline)]
    private static partial Regex LabelPair();
}
