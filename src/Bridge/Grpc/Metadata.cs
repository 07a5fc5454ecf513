using System.Collections;
using System.Globalization;

namespace Bridge.Grpc;

/// <summary>
/// Custom gRPC metadata (request headers, response headers or trailers): an ordered list of entries whose
/// keys are lower-cased. Keys ending in <c>-bin</c> carry bytes (base64 on the wire); all others carry
/// printable ASCII strings. A key may appear more than once.
/// </summary>
public sealed class Metadata : IList<Metadata.Entry>
{
    /// <summary>Suffix of keys whose values are binary.</summary>
    public const string BinarySuffix = "-bin";

    private readonly List<Entry> _entries = [];

    /// <summary>Number of entries.</summary>
    public int Count => _entries.Count;

    /// <inheritdoc />
    public bool IsReadOnly => false;

    /// <inheritdoc />
    public Entry this[int index]
    {
        get => _entries[index];
        set => _entries[index] = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>Adds a string entry.</summary>
    /// <param name="key">The key; must not be null, is lower-cased, must not end in <c>-bin</c>.</param>
    /// <param name="value">The value; must not be null, printable ASCII only.</param>
    /// <exception cref="ArgumentException">The key or value is not valid gRPC metadata.</exception>
    public void Add(string key, string value) => _entries.Add(new Entry(key, value));

    /// <summary>Adds a binary entry.</summary>
    /// <param name="key">The key; must not be null, is lower-cased, must end in <c>-bin</c>.</param>
    /// <param name="value">The value; must not be null.</param>
    /// <exception cref="ArgumentException">The key is not valid for a binary entry.</exception>
    public void Add(string key, byte[] value) => _entries.Add(new Entry(key, value));

    /// <inheritdoc />
    public void Add(Entry item) => _entries.Add(item ?? throw new ArgumentNullException(nameof(item)));

    /// <summary>The last entry with <paramref name="key"/> (case-insensitive), or null.</summary>
    /// <param name="key">The key to look for. Must not be null.</param>
    public Entry? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        for (int i = _entries.Count - 1; i >= 0; i--)
        {
            if (string.Equals(_entries[i].Key, key, StringComparison.OrdinalIgnoreCase))
            {
                return _entries[i];
            }
        }
        return null;
    }

    /// <summary>The string value of the last entry with <paramref name="key"/>, or null.</summary>
    /// <param name="key">The key to look for. Must not be null.</param>
    public string? GetValue(string key) => Get(key)?.Value;

    /// <summary>The bytes of the last entry with <paramref name="key"/>, or null.</summary>
    /// <param name="key">The key to look for. Must not be null.</param>
    public byte[]? GetValueBytes(string key) => Get(key)?.ValueBytes;

    /// <summary>Every entry with <paramref name="key"/> (case-insensitive), in order.</summary>
    /// <param name="key">The key to look for. Must not be null.</param>
    public IEnumerable<Entry> GetAll(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return _entries.Where(e => string.Equals(e.Key, key, StringComparison.OrdinalIgnoreCase)).ToList();
    }

    /// <inheritdoc />
    public void Clear() => _entries.Clear();

    /// <inheritdoc />
    public bool Contains(Entry item) => _entries.Contains(item);

    /// <inheritdoc />
    public void CopyTo(Entry[] array, int arrayIndex) => _entries.CopyTo(array, arrayIndex);

    /// <inheritdoc />
    public IEnumerator<Entry> GetEnumerator() => _entries.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => _entries.GetEnumerator();

    /// <inheritdoc />
    public int IndexOf(Entry item) => _entries.IndexOf(item);

    /// <inheritdoc />
    public void Insert(int index, Entry item) => _entries.Insert(index, item ?? throw new ArgumentNullException(nameof(item)));

    /// <inheritdoc />
    public bool Remove(Entry item) => _entries.Remove(item);

    /// <inheritdoc />
    public void RemoveAt(int index) => _entries.RemoveAt(index);

    /// <summary>True when <paramref name="key"/> names a binary entry (ends in <c>-bin</c>).</summary>
    /// <param name="key">The key. Must not be null.</param>
    public static bool IsBinaryKey(string key) => key.EndsWith(BinarySuffix, StringComparison.OrdinalIgnoreCase);

    /// <summary>One metadata entry: a lower-case key and either a string or a byte value.</summary>
    public sealed class Entry
    {
        private readonly string? _value;
        private readonly byte[]? _bytes;

        /// <summary>Creates a string entry.</summary>
        /// <param name="key">The key; must not be null, must not end in <c>-bin</c>.</param>
        /// <param name="value">The value; must not be null, printable ASCII (0x20-0x7E) only.</param>
        /// <exception cref="ArgumentException">The key or value is invalid.</exception>
        public Entry(string key, string value)
        {
            Key = NormalizeKey(key);
            ArgumentNullException.ThrowIfNull(value);
            if (IsBinaryKey(Key))
            {
                throw new ArgumentException($"Metadata key '{Key}' ends in '-bin' and needs a byte[] value.", nameof(value));
            }
            foreach (char c in value)
            {
                if (c < 0x20 || c > 0x7E)
                {
                    throw new ArgumentException(
                        string.Format(CultureInfo.InvariantCulture,
                            "Metadata value for key '{0}' contains character U+{1:X4}; only printable ASCII is allowed (use a '-bin' key for other data).", Key, (int)c),
                        nameof(value));
                }
            }
            _value = value;
        }

        /// <summary>Creates a binary entry.</summary>
        /// <param name="key">The key; must not be null, must end in <c>-bin</c>.</param>
        /// <param name="value">The value; must not be null.</param>
        /// <exception cref="ArgumentException">The key is invalid.</exception>
        public Entry(string key, byte[] value)
        {
            Key = NormalizeKey(key);
            ArgumentNullException.ThrowIfNull(value);
            if (!IsBinaryKey(Key))
            {
                throw new ArgumentException($"Metadata key '{Key}' has a byte[] value but does not end in '-bin'.", nameof(key));
            }
            _bytes = value;
        }

        /// <summary>The lower-case key.</summary>
        public string Key { get; }

        /// <summary>True for a <c>-bin</c> entry.</summary>
        public bool IsBinary => _bytes is not null;

        /// <summary>The string value.</summary>
        /// <exception cref="InvalidOperationException">The entry is binary.</exception>
        public string Value => _value ?? throw new InvalidOperationException($"Metadata entry '{Key}' is binary; use ValueBytes.");

        /// <summary>The binary value.</summary>
        /// <exception cref="InvalidOperationException">The entry is not binary.</exception>
        public byte[] ValueBytes => _bytes ?? throw new InvalidOperationException($"Metadata entry '{Key}' is not binary; use Value.");

        /// <inheritdoc />
        public override string ToString() =>
            IsBinary ? $"{Key}: {Convert.ToBase64String(_bytes!)}" : $"{Key}: {_value}";

        private static string NormalizeKey(string key)
        {
            ArgumentNullException.ThrowIfNull(key);
            if (key.Length == 0)
            {
                throw new ArgumentException("Metadata key must not be empty.", nameof(key));
            }
            string lower = key.ToLowerInvariant();
            foreach (char c in lower)
            {
                bool ok = c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '_' or '.';
                if (!ok)
                {
                    throw new ArgumentException(
                        $"Metadata key '{key}' contains '{c}'; only a-z, 0-9, '-', '_' and '.' are allowed.", nameof(key));
                }
            }
            return lower;
        }
    }
}
