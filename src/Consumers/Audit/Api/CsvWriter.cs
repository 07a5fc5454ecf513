using System.Text;

namespace Bridge.Audit.Api;

/// <summary>
/// CSV fields as RFC 4180 has them (quoted when they hold a comma, quote, CR or LF; quotes doubled), and defused for
/// spreadsheets: a field starting with <c>= + - @</c>, tab or CR gets a leading apostrophe, so no formula runs.
/// </summary>
internal static class CsvWriter
{
    public static void AppendField(StringBuilder line, string? value)
    {
        ArgumentNullException.ThrowIfNull(line);
        if (string.IsNullOrEmpty(value))
        {
            return;
        }

        if (value[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            value = "'" + value;
        }

        if (value.AsSpan().IndexOfAny(",\"\r\n") >= 0)
        {
            line.Append('"').Append(value.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
        }
        else
        {
            line.Append(value);
        }
    }

    public static string Line(IEnumerable<string?> fields)
    {
        var line = new StringBuilder();
        var first = true;
        foreach (var field in fields)
        {
            if (!first)
            {
                line.Append(',');
            }

            AppendField(line, field);
            first = false;
        }

        return line.Append("\r\n").ToString();
    }
}
