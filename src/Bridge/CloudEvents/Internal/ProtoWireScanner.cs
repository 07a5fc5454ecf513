using System.Text;
using System.Text.Unicode;

namespace Bridge.CloudEvents.Internal;

/// <summary>
/// Checks serialized protobuf CloudEvents for what the generated parser silently accepts: repeated
/// <c>attributes</c> map keys (the parser keeps the last) and string fields that are not valid UTF-8 (the parser
/// replaces bad bytes with U+FFFD).
/// </summary>
/// <remarks>
/// Only tags, lengths, strings and map entries are read; anything malformed is left to the real parser to report.
/// </remarks>
internal static class ProtoWireScanner
{
    private const int AttributesField = 5;
    private const int TextDataField = 7;
    private const int BatchEventsField = 1;

    /// <summary>A problem with one serialized CloudEvent: the attribute it concerns and the message.</summary>
    public readonly record struct Problem(string Attribute, string Message);

    /// <summary>The first problem in one serialized CloudEvent, or null.</summary>
    public static Problem? Check(ReadOnlySpan<byte> message)
    {
        List<(int Start, int Length)>? keys = null;
        int pos = 0;
        while (pos < message.Length)
        {
            if (!TryReadField(message, ref pos, out int field, out int wireType, out int start, out int length))
            {
                return null;
            }

            if (wireType != 2)
            {
                continue;
            }

            ReadOnlySpan<byte> payload = message.Slice(start, length);
            if (field is >= 1 and <= 4 or TextDataField)
            {
                if (!Utf8.IsValid(payload))
                {
                    string name = field switch { 1 => "id", 2 => "source", 3 => "specversion", 4 => "type", _ => "data" };
                    return new Problem(name, $"Attribute '{name}' is not valid UTF-8 (field {field})");
                }

                continue;
            }

            if (field != AttributesField)
            {
                continue;
            }

            if (!TryReadMapEntry(payload, out int keyStart, out int keyLength, out bool valueUtf8Valid))
            {
                continue;
            }

            ReadOnlySpan<byte> key = payload.Slice(keyStart, keyLength);
            if (!Utf8.IsValid(key))
            {
                return new Problem(string.Empty, "An 'attributes' key is not valid UTF-8");
            }

            if (!valueUtf8Valid)
            {
                string name = Encoding.UTF8.GetString(key);
                return new Problem(name, $"Attribute '{name}' is not valid UTF-8");
            }

            keyStart += start;
            keys ??= new List<(int, int)>(8);
            foreach ((int s, int l) in keys)
            {
                if (message.Slice(s, l).SequenceEqual(key))
                {
                    string name = Encoding.UTF8.GetString(key);
                    return new Problem(name, $"Attribute {TextRules.Quote(name)} appears more than once in 'attributes'");
                }
            }

            keys.Add((keyStart, keyLength));
        }

        return null;
    }

    /// <summary>The first problem in any event of a serialized CloudEventBatch, with the event index.</summary>
    public static (int Index, Problem Problem)? CheckBatch(ReadOnlySpan<byte> batch)
    {
        int pos = 0;
        int index = 0;
        while (pos < batch.Length)
        {
            if (!TryReadField(batch, ref pos, out int field, out int wireType, out int start, out int length))
            {
                return null;
            }

            if (field != BatchEventsField || wireType != 2)
            {
                continue;
            }

            if (Check(batch.Slice(start, length)) is { } problem)
            {
                return (index, problem);
            }

            index++;
        }

        return null;
    }

    private static bool TryReadMapEntry(ReadOnlySpan<byte> entry, out int keyStart, out int keyLength, out bool valueUtf8Valid)
    {
        keyStart = 0;
        keyLength = 0;
        valueUtf8Valid = true;
        bool found = false;
        int pos = 0;
        while (pos < entry.Length)
        {
            if (!TryReadField(entry, ref pos, out int field, out int wireType, out int start, out int length))
            {
                return false;
            }

            if (wireType != 2)
            {
                continue;
            }

            if (field == 1)
            {
                // The last occurrence wins, as in the real parser.
                keyStart = start;
                keyLength = length;
                found = true;
            }
            else if (field == 2)
            {
                valueUtf8Valid = IsValueUtf8Valid(entry.Slice(start, length));
            }
        }

        // An entry without a key has the key "", which is an invalid name the decoder rejects on its own.
        return found;
    }

    /// <summary>CloudEventAttributeValue string members: ce_string (3), ce_uri (5), ce_uri_ref (6).</summary>
    private static bool IsValueUtf8Valid(ReadOnlySpan<byte> value)
    {
        int pos = 0;
        while (pos < value.Length)
        {
            if (!TryReadField(value, ref pos, out int field, out int wireType, out int start, out int length))
            {
                return true;
            }

            if (wireType == 2 && field is 3 or 5 or 6 && !Utf8.IsValid(value.Slice(start, length)))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads one field; for length-delimited fields returns the payload range, for others skips the value.</summary>
    private static bool TryReadField(ReadOnlySpan<byte> data, ref int pos, out int field, out int wireType, out int start, out int length)
    {
        field = 0;
        wireType = -1;
        start = 0;
        length = 0;
        if (!TryReadVarint(data, ref pos, out ulong tag))
        {
            return false;
        }

        field = (int)(tag >> 3);
        wireType = (int)(tag & 7);
        switch (wireType)
        {
            case 0:
                return TryReadVarint(data, ref pos, out _);
            case 1:
                pos += 8;
                return pos <= data.Length;
            case 5:
                pos += 4;
                return pos <= data.Length;
            case 2:
                if (!TryReadVarint(data, ref pos, out ulong len) || len > (ulong)(data.Length - pos))
                {
                    return false;
                }

                start = pos;
                length = (int)len;
                pos += length;
                return true;
            default:
                return false;
        }
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> data, ref int pos, out ulong value)
    {
        value = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length)
            {
                return false;
            }

            byte b = data[pos++];
            value |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return true;
            }
        }

        return false;
    }
}
