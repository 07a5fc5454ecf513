using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Bridge.Server.Flagger;

/// <summary>
/// The id of the event of a Flagger request: the first 16 bytes of SHA-256, as 32 lower-case hex digits,
/// over a version tag, the hook type and the whole payload in a canonical form (docs/events.md).
/// </summary>
/// <remarks>
/// <para>Canonical form: every JSON value is a one-byte kind followed, for strings (<c>s</c>) and numbers
/// (<c>n</c>), by a 4-byte big-endian length and the bytes (strings unescaped, as UTF-8; numbers exactly as
/// sent), for objects (<c>o</c>) and arrays (<c>a</c>) by a 4-byte big-endian count and the items, and
/// nothing more for <c>t</c>rue, <c>f</c>alse and null (<c>z</c>). Object members are a name (a string)
/// followed by the value, sorted by the UTF-8 bytes of the names. So member order, whitespace and escapes
/// never change an id, and every other change of the payload does.</para>
/// <para>One pass of <see cref="Utf8JsonReader"/> into a pooled buffer; an object whose members are not in
/// order (Flagger's top level: Go marshals struct fields in declaration order) is put in order in place.</para>
/// </remarks>
internal static class FlaggerEventId
{
    // Domain separation: a future change of the id inputs gets a new tag, never a silent collision.
    private static readonly byte[] Tag = "flagger-event-id/2"u8.ToArray();

    // The parser's limits, so every payload it accepted is read here the same way.
    private static readonly JsonReaderOptions ReaderOptions = new() { MaxDepth = 64, CommentHandling = JsonCommentHandling.Disallow };

    private const int HeaderSize = 1 + sizeof(int);

    /// <summary>Computes the id.</summary>
    /// <param name="utf8Json">A payload <see cref="FlaggerPayloadParser"/> accepted.</param>
    /// <param name="hookType">The hook type of the request.</param>
    public static string Compute(ReadOnlySpan<byte> utf8Json, FlaggerHookType hookType)
    {
        var canonical = new Writer(utf8Json.Length + 64);
        try
        {
            canonical.Write(Tag);
            var segment = hookType.ToSegment();
            canonical.WriteHeader((byte)'s', segment.Length);
            canonical.Write(Encoding.ASCII.GetBytes(segment));
            var reader = new Utf8JsonReader(utf8Json, ReaderOptions);
            reader.Read();
            var members = new List<(int Start, int End)>();
            WriteValue(ref reader, ref canonical, members);

            Span<byte> digest = stackalloc byte[SHA256.HashSizeInBytes];
            SHA256.HashData(canonical.Written, digest);
            return Convert.ToHexStringLower(digest[..16]);
        }
        finally
        {
            canonical.Dispose();
        }
    }

    // members: where each member of the objects being written starts and ends in the output, used as a
    // stack (an object's members follow those of the objects it is nested in).
    private static void WriteValue(ref Utf8JsonReader reader, ref Writer canonical, List<(int Start, int End)> members)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject:
                var objectHeader = canonical.Reserve(HeaderSize);
                var first = members.Count;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    var start = canonical.Length;
                    WriteString(ref reader, ref canonical);
                    reader.Read();
                    WriteValue(ref reader, ref canonical, members);
                    members.Add((start, canonical.Length));
                }

                canonical.SetHeader(objectHeader, (byte)'o', members.Count - first);
                canonical.SortMembers(members, first);
                members.RemoveRange(first, members.Count - first);
                break;
            case JsonTokenType.StartArray:
                var arrayHeader = canonical.Reserve(HeaderSize);
                var count = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    WriteValue(ref reader, ref canonical, members);
                    count++;
                }

                canonical.SetHeader(arrayHeader, (byte)'a', count);
                break;
            case JsonTokenType.String:
                WriteString(ref reader, ref canonical);
                break;
            case JsonTokenType.Number:
                canonical.WriteHeader((byte)'n', reader.ValueSpan.Length);
                canonical.Write(reader.ValueSpan);
                break;
            case JsonTokenType.True:
                canonical.Write("t"u8);
                break;
            case JsonTokenType.False:
                canonical.Write("f"u8);
                break;
            default:
                canonical.Write("z"u8);
                break;
        }
    }

    // A string value or member name, unescaped; never longer than as sent.
    private static void WriteString(ref Utf8JsonReader reader, ref Writer canonical)
    {
        var header = canonical.Reserve(HeaderSize);
        var length = reader.CopyString(canonical.Space(reader.ValueSpan.Length));
        canonical.Advance(length);
        canonical.SetHeader(header, (byte)'s', length);
    }

    /// <summary>A growable byte buffer rented from the shared pool.</summary>
    private struct Writer(int capacity) : IDisposable
    {
        private byte[] _array = ArrayPool<byte>.Shared.Rent(capacity);

        public int Length { get; private set; }

        public readonly ReadOnlySpan<byte> Written => _array.AsSpan(0, Length);

        public void Write(ReadOnlySpan<byte> bytes)
        {
            bytes.CopyTo(Space(bytes.Length));
            Length += bytes.Length;
        }

        public void WriteHeader(byte kind, int length) => SetHeader(Reserve(HeaderSize), kind, length);

        /// <summary>Skips <paramref name="size"/> bytes to fill in later; returns where they start.</summary>
        public int Reserve(int size)
        {
            Space(size);
            Length += size;
            return Length - size;
        }

        public readonly void SetHeader(int at, byte kind, int length)
        {
            _array[at] = kind;
            BinaryPrimitives.WriteInt32BigEndian(_array.AsSpan(at + 1, sizeof(int)), length);
        }

        /// <summary>At least <paramref name="size"/> writable bytes after what was written.</summary>
        public Span<byte> Space(int size)
        {
            if (Length + size > _array.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(_array.Length * 2, Length + size));
                Written.CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_array);
                _array = larger;
            }

            return _array.AsSpan(Length);
        }

        public void Advance(int count) => Length += count;

        /// <summary>Puts the members from index <paramref name="first"/> on, written one after the other, in name order.</summary>
        public readonly void SortMembers(List<(int Start, int End)> members, int first)
        {
            var array = _array;
            var inOrder = true;
            for (var i = first + 1; i < members.Count && inOrder; i++)
            {
                inOrder = Name(array, members[i - 1]).SequenceCompareTo(Name(array, members[i])) <= 0;
            }

            if (inOrder)
            {
                return;
            }

            var region = members[first].Start;
            var size = members[^1].End - region;
            var copy = ArrayPool<byte>.Shared.Rent(size);
            try
            {
                array.AsSpan(region, size).CopyTo(copy);
                var sorted = members.GetRange(first, members.Count - first);
                sorted.Sort((a, b) => Name(copy, (a.Start - region, a.End - region)).SequenceCompareTo(Name(copy, (b.Start - region, b.End - region))));
                var at = region;
                foreach (var (start, end) in sorted)
                {
                    copy.AsSpan(start - region, end - start).CopyTo(array.AsSpan(at));
                    at += end - start;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(copy);
            }
        }

        public void Dispose()
        {
            ArrayPool<byte>.Shared.Return(_array);
            _array = [];
        }

        // A member starts with its name: kind, length, bytes.
        private static ReadOnlySpan<byte> Name(byte[] buffer, (int Start, int End) member) =>
            buffer.AsSpan(member.Start + HeaderSize, BinaryPrimitives.ReadInt32BigEndian(buffer.AsSpan(member.Start + 1, sizeof(int))));
    }
}
