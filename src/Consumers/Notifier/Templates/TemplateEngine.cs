using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Unicode;
using Fluid;
using Fluid.Values;
using Microsoft.Extensions.FileProviders;

namespace Bridge.Notifier.Templates;

/// <summary>How values written by <c>{{ }}</c> are escaped in a rendered template.</summary>
internal enum OutputEscaping
{
    /// <summary>As is.</summary>
    None = 0,

    /// <summary>Chat Markdown: characters with a Markdown meaning get a backslash.</summary>
    Markdown,

    /// <summary>HTML entities.</summary>
    Html,

    /// <summary>Slack mrkdwn: <c>&amp;</c>, <c>&lt;</c> and <c>&gt;</c> as entities.</summary>
    Slack,

    /// <summary>JSON string content: quotes, backslashes and control characters escaped, so a value inside <c>"..."</c> keeps the JSON valid.</summary>
    Json,
}

/// <summary>
/// Compiles and renders Liquid templates (Fluid) in a sandbox: no file system (<c>include</c> and <c>render</c> find
/// nothing), only the notification's own values (no .NET members), bounded steps, recursion and output.
/// </summary>
internal sealed class TemplateEngine
{
    /// <summary>Longest output a template may produce; a 64 KiB message escaped for JSON fits many times over.</summary>
    public const int MaxOutputChars = 1024 * 1024;

    private static readonly TextEncoder JsonEncoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
    private static readonly TextEncoder HtmlTextEncoder = HtmlEncoder.Create(UnicodeRanges.All);

    private readonly FluidParser _parser = new();
    private readonly TemplateOptions _options;

    public TemplateEngine(TimeProvider? clock = null)
    {
        TimeProvider time = clock ?? TimeProvider.System;
        _options = new TemplateOptions
        {
            FileProvider = new NullFileProvider(),
            MaxSteps = 100_000,
            MaxRecursion = 16,
            CultureInfo = CultureInfo.InvariantCulture,
            TimeZone = TimeZoneInfo.Utc,
            Now = () => time.GetUtcNow(),
        };
        _options.Filters.AddFilter("duration", (input, _, _) => new ValueTask<FluidValue>(new StringValue(FormatDuration(ToDuration(input)))));
        _options.Filters.AddFilter("since", (input, _, _) =>
        {
            DateTimeOffset? at = ToTime(input);
            return new ValueTask<FluidValue>(at is null ? NilValue.Instance : new StringValue(FormatDuration(time.GetUtcNow() - at.Value)));
        });
    }

    /// <summary>
    /// Parses <paramref name="source"/>. Throws <see cref="NotifierConfigurationException"/> naming <paramref name="path"/>
    /// and the line when it does not parse.
    /// </summary>
    public NotifierTemplate Compile(string source, string path)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!_parser.TryParse(source, out IFluidTemplate? template, out string? error))
        {
            throw new NotifierConfigurationException(path, $"the template does not parse: {error}");
        }
        return new NotifierTemplate(template, this, path);
    }

    internal async ValueTask<string> RenderAsync(IFluidTemplate template, IReadOnlyDictionary<string, object?> model, OutputEscaping escaping, string path)
    {
        var context = new TemplateContext(_options);
        foreach (KeyValuePair<string, object?> entry in model)
        {
            context.SetValue(entry.Key, entry.Value);
        }
        using var writer = new BoundedWriter(MaxOutputChars, path);
        TextEncoder encoder = escaping switch
        {
            OutputEscaping.Json => JsonEncoder,
            OutputEscaping.Html => HtmlTextEncoder,
            OutputEscaping.Markdown => MarkdownEncoder.Instance,
            OutputEscaping.Slack => SlackTextEncoder.Instance,
            _ => NullEncoder.Default,
        };
        await template.RenderAsync(writer, encoder, context).ConfigureAwait(false);
        return writer.ToString();
    }

    /// <summary><c>1h 2m 3s</c>, <c>45s</c>, <c>250ms</c>; negative durations as zero.</summary>
    public static string FormatDuration(TimeSpan? duration)
    {
        if (duration is null)
        {
            return string.Empty;
        }
        TimeSpan d = duration.Value < TimeSpan.Zero ? TimeSpan.Zero : duration.Value;
        if (d < TimeSpan.FromSeconds(1))
        {
            return $"{(int)d.TotalMilliseconds}ms";
        }
        var parts = new List<string>(4);
        if (d.Days > 0)
        {
            parts.Add($"{d.Days}d");
        }
        if (d.Hours > 0)
        {
            parts.Add($"{d.Hours}h");
        }
        if (d.Minutes > 0)
        {
            parts.Add($"{d.Minutes}m");
        }
        if (d.Seconds > 0 || parts.Count == 0)
        {
            parts.Add($"{d.Seconds}s");
        }
        return string.Join(' ', parts);
    }

    private static TimeSpan? ToDuration(FluidValue input)
    {
        if (input.Type == FluidValues.Number)
        {
            double seconds = (double)input.ToNumberValue();
            return double.IsFinite(seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds ? TimeSpan.FromSeconds(seconds) : null;
        }
        string text = input.ToStringValue();
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) && double.IsFinite(parsed) && Math.Abs(parsed) < TimeSpan.MaxValue.TotalSeconds)
        {
            return TimeSpan.FromSeconds(parsed);
        }
        if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out TimeSpan span))
        {
            return span;
        }
        return null;
    }

    private static DateTimeOffset? ToTime(FluidValue input)
    {
        if (input.TryGetDateTimeInput(new TemplateContext(), out DateTimeOffset value))
        {
            return value;
        }
        string text = input.ToStringValue();
        if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out long unixMs))
        {
            return DateTimeOffset.FromUnixTimeMilliseconds(unixMs);
        }
        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset parsed) ? parsed : null;
    }

    private sealed class BoundedWriter(int limit, string path) : StringWriter(CultureInfo.InvariantCulture)
    {
        public override void Write(char value)
        {
            Check(1);
            base.Write(value);
        }

        public override void Write(string? value)
        {
            Check(value?.Length ?? 0);
            base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            Check(count);
            base.Write(buffer, index, count);
        }

        public override void Write(ReadOnlySpan<char> buffer)
        {
            Check(buffer.Length);
            base.Write(buffer);
        }

        private void Check(int more)
        {
            if (GetStringBuilder().Length + more > limit)
            {
                throw new InvalidOperationException($"{path}: the rendered template is longer than {limit} characters.");
            }
        }
    }
}

/// <summary>A compiled template; renders a notification's values with a chosen escaping.</summary>
internal sealed class NotifierTemplate(IFluidTemplate template, TemplateEngine engine, string path)
{
    /// <summary>Where the template came from in the configuration (e.g. <c>routes[1].message</c>).</summary>
    public string Path { get; } = path;

    public ValueTask<string> RenderAsync(IReadOnlyDictionary<string, object?> model, OutputEscaping escaping) =>
        engine.RenderAsync(template, model, escaping, Path);
}
