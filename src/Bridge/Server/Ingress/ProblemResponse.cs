using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Bridge.Server.Ingress;

/// <summary>One entry of a problem's <c>errors</c> member: what is wrong and where.</summary>
/// <param name="Pointer">Where: a field (<c>metadata.timestamp</c>), an attribute, or <c>[2].id</c> in a batch. May be null.</param>
/// <param name="Detail">What is wrong, for a person to act on. Must not be null.</param>
internal readonly record struct ProblemError(string? Pointer, string Detail);

/// <summary>
/// Writes RFC 9457 problem details (<c>application/problem+json</c>): <c>type</c>, <c>title</c>,
/// <c>status</c>, <c>detail</c>, and optionally <c>errors</c> and event <c>ids</c>.
/// </summary>
internal static class ProblemResponse
{
    public const string ContentType = "application/problem+json";

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>Writes a problem and completes the response. Does nothing if the response has started.</summary>
    /// <param name="context">The request. Must not be null.</param>
    /// <param name="status">The HTTP status, 4xx or 5xx.</param>
    /// <param name="detail">What happened and what to do about it. Must not be null.</param>
    /// <param name="title">A summary of the problem type; null for the status' standard title.</param>
    /// <param name="errors">Individual errors. May be null.</param>
    /// <param name="ids">Event ids the problem is about (e.g. the rollback hook's event). May be null.</param>
    public static async Task WriteAsync(
        HttpContext context,
        int status,
        string detail,
        string? title = null,
        IReadOnlyList<ProblemError>? errors = null,
        IReadOnlyList<string>? ids = null)
    {
        var response = context.Response;
        if (response.HasStarted)
        {
            return;
        }

        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, TypeOf(status));
            writer.WriteString("title"u8, title ?? TitleOf(status));
            writer.WriteNumber("status"u8, status);
            writer.WriteString("detail"u8, detail);
            // An error that names no field and repeats the detail adds nothing.
            if (errors is { Count: > 0 } && !(errors.Count == 1 && errors[0].Pointer is null && errors[0].Detail == detail))
            {
                writer.WriteStartArray("errors"u8);
                foreach (var error in errors)
                {
                    writer.WriteStartObject();
                    if (error.Pointer is not null)
                    {
                        writer.WriteString("pointer"u8, error.Pointer);
                    }

                    writer.WriteString("detail"u8, error.Detail);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            }

            if (ids is { Count: > 0 })
            {
                writer.WriteStartArray("ids"u8);
                foreach (var id in ids)
                {
                    writer.WriteStringValue(id);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>The standard title of <paramref name="status"/>.</summary>
    public static string TitleOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "Bad Request",
        StatusCodes.Status401Unauthorized => "Unauthorized",
        StatusCodes.Status403Forbidden => "Forbidden",
        StatusCodes.Status404NotFound => "Not Found",
        StatusCodes.Status405MethodNotAllowed => "Method Not Allowed",
        StatusCodes.Status413PayloadTooLarge => "Content Too Large",
        StatusCodes.Status415UnsupportedMediaType => "Unsupported Media Type",
        StatusCodes.Status429TooManyRequests => "Too Many Requests",
        StatusCodes.Status500InternalServerError => "Internal Server Error",
        StatusCodes.Status503ServiceUnavailable => "Service Unavailable",
        _ => "Error",
    };

    /// <summary>The problem type URI: the section of RFC 9110 (RFC 6585 for 429) defining the status.</summary>
    public static string TypeOf(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.1",
        StatusCodes.Status401Unauthorized => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.2",
        StatusCodes.Status403Forbidden => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.4",
        StatusCodes.Status404NotFound => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.5",
        StatusCodes.Status405MethodNotAllowed => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.6",
        StatusCodes.Status413PayloadTooLarge => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.14",
        StatusCodes.Status415UnsupportedMediaType => "https://www.rfc-editor.org/rfc/rfc9110#section-15.5.16",
        StatusCodes.Status429TooManyRequests => "https://www.rfc-editor.org/rfc/rfc6585#section-4",
        StatusCodes.Status500InternalServerError => "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.1",
        StatusCodes.Status503ServiceUnavailable => "https://www.rfc-editor.org/rfc/rfc9110#section-15.6.4",
        _ => "about:blank",
    };
}
