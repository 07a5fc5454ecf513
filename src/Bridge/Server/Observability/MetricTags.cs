using System.Globalization;

namespace Bridge.Server.Observability;

/// <summary>
/// The tag set of one measurement as an aggregation key: names sorted, values as text. Up to four
/// tags are kept inline, so recording a measurement whose tag values are strings allocates nothing.
/// </summary>
internal readonly struct MetricTags : IEquatable<MetricTags>
{
    private const int InlineCapacity = 4;

    private readonly string? _n0, _v0, _n1, _v1, _n2, _v2, _n3, _v3;
    private readonly KeyValuePair<string, string>[]? _overflow;

    private MetricTags(int count, string? n0, string? v0, string? n1, string? v1, string? n2, string? v2, string? n3, string? v3)
    {
        Count = count;
        (_n0, _v0, _n1, _v1, _n2, _v2, _n3, _v3) = (n0, v0, n1, v1, n2, v2, n3, v3);
        _overflow = null;
    }

    private MetricTags(KeyValuePair<string, string>[] overflow)
    {
        Count = overflow.Length;
        _overflow = overflow;
    }

    /// <summary>Number of tags.</summary>
    public int Count { get; }

    /// <summary>Builds the key of a measurement's tags; tag order does not matter.</summary>
    public static MetricTags From(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        if (tags.Length == 0)
        {
            return default;
        }

        if (tags.Length > InlineCapacity)
        {
            var pairs = new KeyValuePair<string, string>[tags.Length];
            for (var i = 0; i < tags.Length; i++)
            {
                pairs[i] = new(tags[i].Key, Text(tags[i].Value));
            }

            Array.Sort(pairs, static (a, b) => string.CompareOrdinal(a.Key, b.Key));
            return new MetricTags(pairs);
        }

        Span<int> order = stackalloc int[tags.Length];
        for (var i = 0; i < order.Length; i++)
        {
            // Insertion sort: a handful of tags, usually already in order.
            var j = i;
            while (j > 0 && string.CompareOrdinal(tags[order[j - 1]].Key, tags[i].Key) > 0)
            {
                order[j] = order[j - 1];
                j--;
            }

            order[j] = i;
        }

        return new MetricTags(
            tags.Length,
            Name(tags, order, 0), Value(tags, order, 0), Name(tags, order, 1), Value(tags, order, 1),
            Name(tags, order, 2), Value(tags, order, 2), Name(tags, order, 3), Value(tags, order, 3));

        static string? Name(ReadOnlySpan<KeyValuePair<string, object?>> tags, Span<int> order, int k) =>
            k < order.Length ? tags[order[k]].Key : null;

        static string? Value(ReadOnlySpan<KeyValuePair<string, object?>> tags, Span<int> order, int k) =>
            k < order.Length ? Text(tags[order[k]].Value) : null;
    }

    /// <summary>Builds a key from name/value pairs (tests and callers that already hold text).</summary>
    public static MetricTags From(params KeyValuePair<string, object?>[] tags) => From(tags.AsSpan());

    /// <summary>The tag at <paramref name="index"/> in name order.</summary>
    public KeyValuePair<string, string> this[int index]
    {
        get
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index);
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
            if (_overflow is not null)
            {
                return _overflow[index];
            }

            return index switch
            {
                0 => new(_n0!, _v0!),
                1 => new(_n1!, _v1!),
                2 => new(_n2!, _v2!),
                _ => new(_n3!, _v3!),
            };
        }
    }

    public bool Equals(MetricTags other)
    {
        if (Count != other.Count)
        {
            return false;
        }

        if (_overflow is not null || other._overflow is not null)
        {
            if (_overflow is null || other._overflow is null)
            {
                return false;
            }

            for (var i = 0; i < Count; i++)
            {
                if (!string.Equals(_overflow[i].Key, other._overflow[i].Key, StringComparison.Ordinal)
                    || !string.Equals(_overflow[i].Value, other._overflow[i].Value, StringComparison.Ordinal))
                {
                    return false;
                }
            }

            return true;
        }

        return Same(_n0, other._n0) && Same(_v0, other._v0) && Same(_n1, other._n1) && Same(_v1, other._v1)
            && Same(_n2, other._n2) && Same(_v2, other._v2) && Same(_n3, other._n3) && Same(_v3, other._v3);
    }

    public override bool Equals(object? obj) => obj is MetricTags other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        for (var i = 0; i < Count; i++)
        {
            var tag = this[i];
            hash.Add(tag.Key, StringComparer.Ordinal);
            hash.Add(tag.Value, StringComparer.Ordinal);
        }

        return hash.ToHashCode();
    }

    private static bool Same(string? a, string? b) => string.Equals(a, b, StringComparison.Ordinal);

    private static string Text(object? value) => value switch
    {
        null => string.Empty,
        string s => s,
        bool b => b ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? string.Empty,
    };
}
