using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace Bridge.Audit.Api;

/// <summary>Reads query parameters, collecting the first problem as a message that names the parameter.</summary>
internal sealed class QueryParameters(HttpRequest request)
{
    public string? Error { get; private set; }

    public string? Text(string name, int maxLength = 253)
    {
        if (!request.Query.TryGetValue(name, out var values) || values.Count == 0 || string.IsNullOrEmpty(values[0]))
        {
            return null;
        }

        if (values.Count > 1)
        {
            Fail($"Query parameter '{name}' is given {values.Count} times; give it once.");
            return null;
        }

        var value = values[0]!;
        if (value.Length > maxLength)
        {
            Fail($"Query parameter '{name}' is {value.Length} characters long; at most {maxLength} are allowed.");
            return null;
        }

        return value;
    }

    public int Int(string name, int min, int max, int fallback)
    {
        var text = Text(name);
        if (text is null)
        {
            return fallback;
        }

        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            Fail($"Query parameter '{name}' must be an integer from {min} to {max}, got '{text}'.");
            return fallback;
        }

        return value;
    }

    public DateTimeOffset? Time(string name)
    {
        var text = Text(name);
        if (text is null)
        {
            return null;
        }

        // RFC 3339: a full date and time with an offset, so the instant does not depend on the server's time zone.
        if (text.Length < 20 || !(text.EndsWith('Z') || text.EndsWith('z') || text[^6] is '+' or '-')
            || !DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
        {
            Fail($"Query parameter '{name}' must be an RFC 3339 time such as 2025-01-10T09:00:00Z, got '{text}'.");
            return null;
        }

        return time;
    }

    public string? OneOf(string name, params string[] allowed)
    {
        var text = Text(name);
        if (text is not null && !allowed.Contains(text, StringComparer.Ordinal))
        {
            Fail($"Query parameter '{name}' must be one of {string.Join(", ", allowed)}, got '{text}'.");
            return null;
        }

        return text;
    }

    public long? CursorOf(string kind)
    {
        var text = Text("cursor", 200);
        if (text is null)
        {
            return null;
        }

        if (!Cursor.TryDecode(text, kind, out var position))
        {
            Fail("Query parameter 'cursor' is not a cursor of this list (pass back the nextCursor of the previous page unchanged, with the same order).");
            return null;
        }

        return position;
    }

    public void Fail(string message) => Error ??= message;
}
