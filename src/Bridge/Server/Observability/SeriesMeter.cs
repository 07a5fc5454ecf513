using System.Diagnostics.Metrics;

namespace Bridge.Server.Observability;

/// <summary>
/// The meter of observable instruments that report a <see cref="SeriesStore{TKey, TState}"/>, replaced by a fresh one
/// before a collection could run out of series slots.
/// </summary>
/// <remarks>
/// OpenTelemetry keeps a slot for every label set an instrument ever reported (with cumulative temporality it
/// never frees one) up to the instrument's cardinality limit, after which new label sets are merged into one
/// overflow series. Label sets the store dropped still hold their slots, so once the slots used and the label sets
/// kept could exceed the budget, the meter is disposed and created again with the same instruments: the new
/// instruments start with empty slots and report only what the store keeps.
/// </remarks>
internal sealed class SeriesMeter : IDisposable
{
    private readonly IMeterFactory _factory;
    private readonly string _name;
    private readonly ISeriesStore _store;
    private readonly Action<Meter> _addInstruments;
    private readonly Lock _lock = new();
    private Meter _meter;
    private bool _disposed;

    /// <param name="factory">The host's meter factory; the meter is scoped to it. Must not be null.</param>
    /// <param name="name">The meter's name. Must not be null.</param>
    /// <param name="budget">Series slots one instrument may use before the meter is replaced; at least 1.</param>
    /// <param name="store">The label sets the instruments report. Must not be null.</param>
    /// <param name="addInstruments">Creates the instruments on a meter; runs again on every renewal. Must not be null.</param>
    public SeriesMeter(IMeterFactory factory, string name, int budget, ISeriesStore store, Action<Meter> addInstruments)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(budget, 1);
        _factory = factory ?? throw new ArgumentNullException(nameof(factory));
        _name = name ?? throw new ArgumentNullException(nameof(name));
        _store = store ?? throw new ArgumentNullException(nameof(store));
        _addInstruments = addInstruments ?? throw new ArgumentNullException(nameof(addInstruments));
        Budget = budget;
        _meter = Create();
    }

    /// <summary>Series slots one instrument may use before the meter is replaced.</summary>
    public int Budget { get; }

    /// <summary>How often the meter was replaced.</summary>
    public int Renewals { get; private set; }

    /// <summary>
    /// The series limit to give each instrument of such a meter (a view's cardinality limit): the budget plus
    /// room for label sets that appear between <see cref="PrepareCollection"/> and the collection.
    /// </summary>
    public static int CardinalityLimit(int budget) => budget + 256;

    /// <summary>
    /// Drops expired label sets, then replaces the meter when the next collection would use more slots than the
    /// budget and some are held by label sets no longer kept. Call it before each collection, never during one.
    /// </summary>
    /// <returns>True when the meter was replaced.</returns>
    public bool PrepareCollection()
    {
        lock (_lock)
        {
            _store.Sweep();
            var usage = _store.SlotUsage();
            if (_disposed || usage.AfterNextReport <= Budget || usage.Stale == 0)
            {
                return false;
            }

            _meter.Dispose();
            _store.StartGeneration();
            _meter = Create();
            Renewals++;
            return true;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _meter.Dispose();
        }
    }

    private Meter Create()
    {
        // Not from the factory: it hands out one shared meter per name and ignores Dispose. The scope keeps the
        // meter to this host's listeners, as the factory's meters are.
        var meter = new Meter(new MeterOptions(_name) { Scope = _factory });
        _addInstruments(meter);
        return meter;
    }
}

/// <summary>The <see cref="SeriesMeter"/>s of one host, prepared together before each scrape.</summary>
internal sealed class SeriesMeters
{
    private readonly Lock _lock = new();
    private readonly List<SeriesMeter> _meters = [];

    /// <summary>Adds a meter to prepare before each collection. Must not be null.</summary>
    public void Add(SeriesMeter meter)
    {
        ArgumentNullException.ThrowIfNull(meter);
        lock (_lock)
        {
            _meters.Add(meter);
        }
    }

    /// <summary>Runs <see cref="SeriesMeter.PrepareCollection"/> of every meter; returns how many were replaced.</summary>
    public int PrepareCollection()
    {
        SeriesMeter[] meters;
        lock (_lock)
        {
            meters = [.. _meters];
        }

        var renewed = 0;
        foreach (var meter in meters)
        {
            if (meter.PrepareCollection())
            {
                renewed++;
            }
        }

        return renewed;
    }
}
