using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Primitives;

namespace Bridge.Notifier.Configuration;

/// <summary>
/// A sink's section that remembers which keys its factory read, so that keys nobody read (typos such as
/// <c>chanel:</c>) are reported instead of silently doing nothing.
/// </summary>
internal sealed class TrackingConfiguration(IConfiguration inner) : IConfiguration
{
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public string? this[string key]
    {
        get
        {
            Mark(key);
            return inner[key];
        }
        set => inner[key] = value;
    }

    public IEnumerable<IConfigurationSection> GetChildren() => inner.GetChildren();

    public IChangeToken GetReloadToken() => inner.GetReloadToken();

    public IConfigurationSection GetSection(string key)
    {
        Mark(key);
        return inner.GetSection(key);
    }

    /// <summary>The top-level keys of the section that were never read.</summary>
    public IEnumerable<string> Unread(IEnumerable<string> alsoKnown)
    {
        var known = new HashSet<string>(alsoKnown, StringComparer.OrdinalIgnoreCase);
        lock (_read)
        {
            return inner.GetChildren().Select(c => c.Key).Where(k => !_read.Contains(k) && !known.Contains(k)).ToList();
        }
    }

    private void Mark(string key)
    {
        int colon = key.IndexOf(':', StringComparison.Ordinal);
        lock (_read)
        {
            _read.Add(colon < 0 ? key : key[..colon]);
        }
    }
}
