using System.Globalization;
using System.Text.RegularExpressions;
using Bridge.Notifier.Sinks;

namespace Bridge.Notifier.Actions;

/// <summary>Reads durations the way Kubernetes users write them (<c>90s</c>, <c>5m</c>, <c>1h30m</c>, <c>30d</c>), or as <c>hh:mm:ss</c>.</summary>
internal static partial class Durations
{
    /// <summary>A positive duration within [<paramref name="min"/>, <paramref name="max"/>], or <paramref name="defaultValue"/> when the key is absent.</summary>
    public static TimeSpan Get(SinkDefinition definition, string key, TimeSpan defaultValue, TimeSpan min, TimeSpan max)
    {
        ArgumentNullException.ThrowIfNull(definition);
        string? text = definition.GetString(key);
        if (text is null)
        {
            return defaultValue;
        }
        TimeSpan value = TryParse(text) ?? throw definition.Error(key, $"'{text}' is not a duration (e.g. 90s, 5m, 1h30m, 30d)");
        return value < min || value > max
            ? throw definition.Error(key, $"{text} is outside {min} to {max}")
            : value;
    }

    /// <summary>Parses a duration; null when the text is not one.</summary>
    public static TimeSpan? TryParse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        text = text.Trim();
        if (text.Contains(':', StringComparison.Ordinal))
        {
            return TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan span) ? span : null;
        }
        Match match = UnitsPattern().Match(text);
        if (!match.Success)
        {
            return null;
        }
        TimeSpan total = TimeSpan.Zero;
        foreach (Capture capture in match.Groups["part"].Captures)
        {
            string part = capture.Value;
            int unitStart = part.Length - (part.EndsWith("ms", StringComparison.Ordinal) ? 2 : 1);
            if (!long.TryParse(part[..unitStart], NumberStyles.None, CultureInfo.InvariantCulture, out long amount) || amount > 1_000_000)
            {
                return null;
            }
            total += part[unitStart..] switch
            {
                "ms" => TimeSpan.FromMilliseconds(amount),
                "s" => TimeSpan.FromSeconds(amount),
                "m" => TimeSpan.FromMinutes(amount),
                "h" => TimeSpan.FromHours(amount),
                _ => TimeSpan.FromDays(amount),
            };
        }
        return total;
    }

    [GeneratedRegex(@"^(?<part>[0-9]+(ms|s|m|h|d))+$", RegexOptions.CultureInvariant)]
    private static partial Regex UnitsPattern();
}
