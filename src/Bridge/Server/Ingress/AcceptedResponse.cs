using System.Text.Json;
using Bridge.Server.Kafka;
using Microsoft.AspNetCore.Http;

namespace Bridge.Server.Ingress;

/// <summary>
/// The success body: <c>{"ids":[...],"events":[{"id","topic","partition","offset"}]}</c>, plus
/// <c>"gate":"open"</c> for gating hooks. A repeated gate poll that published nothing has no <c>events</c>.
/// An event Kafka had not acknowledged in time but that is durably in the local spool is
/// <c>{"id","spooled":true}</c> in <c>events</c>, and the body then has <c>"spooled":true</c>. A gate answered
/// while its event could be stored nowhere has <c>"published":false</c>.
/// </summary>
internal static class AcceptedResponse
{
    public const string ContentType = "application/json; charset=utf-8";

    private static readonly JsonWriterOptions WriterOptions = new() { SkipValidation = true };

    /// <summary>Writes the body for one event.</summary>
    public static Task WriteAsync(HttpContext context, int status, string id, PublishReceipt? receipt, string? gate = null, bool published = true)
    {
        var response = Start(context, status);
        using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("ids"u8);
            writer.WriteStringValue(id);
            writer.WriteEndArray();
            if (gate is not null)
            {
                writer.WriteString("gate"u8, gate);
            }

            if (!published)
            {
                writer.WriteBoolean("published"u8, false);
            }

            if (receipt is { Spooled: true })
            {
                writer.WriteBoolean("spooled"u8, true);
            }

            if (receipt is { } stored)
            {
                writer.WriteStartArray("events"u8);
                WriteReceipt(writer, id, stored);
                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }

    /// <summary>Writes the body for several events (<paramref name="ids"/> and <paramref name="receipts"/> in the same order).</summary>
    public static Task WriteAsync(HttpContext context, int status, IReadOnlyList<string> ids, IReadOnlyList<PublishReceipt> receipts)
    {
        var response = Start(context, status);
        using (var writer = new Utf8JsonWriter(response.BodyWriter, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("ids"u8);
            foreach (var id in ids)
            {
                writer.WriteStringValue(id);
            }

            writer.WriteEndArray();
            if (receipts.Any(r => r.Spooled))
            {
                writer.WriteBoolean("spooled"u8, true);
            }

            writer.WriteStartArray("events"u8);
            for (var i = 0; i < ids.Count; i++)
            {
                WriteReceipt(writer, ids[i], receipts[i]);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        return response.BodyWriter.FlushAsync(context.RequestAborted).AsTask();
    }

    private static HttpResponse Start(HttpContext context, int status)
    {
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = ContentType;
        response.Headers.CacheControl = "no-store";
        return response;
    }

    private static void WriteReceipt(Utf8JsonWriter writer, string id, PublishReceipt receipt)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, id);
        if (receipt.Spooled)
        {
            writer.WriteBoolean("spooled"u8, true);
            writer.WriteEndObject();
            return;
        }

        writer.WriteString("topic"u8, receipt.Topic);
        writer.WriteNumber("partition"u8, receipt.Partition);
        writer.WriteNumber("offset"u8, receipt.Offset);
        writer.WriteEndObject();
    }
}
