using System.Buffers;
using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

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

    private const string Rfc9110 = "https://www.rfc-editor.org/rfc/rfc9110#section-";
    private const string Rfc6585 = "https://www.rfc-editor.org/rfc/rfc6585#section-";

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
            Write(writer, status, detail, title, errors, ids);
        }

        await response.BodyWriter.FlushAsync(context.RequestAborted);
    }

    /// <summary>The body of a problem without errors or ids, as UTF-8 JSON (for answers written below ASP.NET Core).</summary>
    /// <param name="status">The HTTP status, 4xx or 5xx.</param>
    /// <param name="detail">What happened and what to do about it. Must not be null.</param>
    public static byte[] Encode(int status, string detail)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + detail.Length);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            Write(writer, status, detail, title: null, errors: null, ids: null);
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>The standard title (reason phrase) of <paramref name="status"/>, "Client Error" or "Server Error" for unnamed codes.</summary>
    public static string TitleOf(int status) => status switch
    {
        // RFC 9110 renamed 413; ASP.NET Core still knows it by its old name.
        StatusCodes.Status413PayloadTooLarge => "Content Too Large",
        StatusCodes.Status422UnprocessableEntity => "Unprocessable Content",
        _ when ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase => phrase,
        >= 400 and < 500 => "Client Error",
        _ => "Server Error",
    };

    /// <summary>The problem type URI: the section of RFC 9110 (RFC 6585 for 428, 429, 431, 511) defining the status, else about:blank.</summary>
    public static string TypeOf(int status) => status switch
    {
        // RFC 9110 section 15.5 numbers the 4xx codes in order; 418 (15.5.19) is unused and 419/420 absent.
        >= 400 and <= 417 => Rfc9110 + "15.5." + (status - 399).ToString(CultureInfo.InvariantCulture),
        421 or 422 => Rfc9110 + "15.5." + (status - 401).ToString(CultureInfo.InvariantCulture),
        426 => Rfc9110 + "15.5.22",
        428 => Rfc6585 + "3",
        429 => Rfc6585 + "4",
        431 => Rfc6585 + "5",
        >= 500 and <= 505 => Rfc9110 + "15.6." + (status - 499).ToString(CultureInfo.InvariantCulture),
        511 => Rfc6585 + "6",
        _ => "about:blank",
    };

    private static void Write(Utf8JsonWriter writer, int status, string detail, string? title, IReadOnlyList<ProblemError>? errors, IReadOnlyList<string>? ids)
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
}
