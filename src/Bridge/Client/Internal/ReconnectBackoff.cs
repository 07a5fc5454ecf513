namespace Bridge.Client.Internal;

/// <summary>
/// Exponential backoff with full jitter: the n-th delay is uniform in [0, min(max, initial * 2^n)], so
/// many subscribers that lost the same server do not come back in lockstep.
/// </summary>
internal sealed class ReconnectBackoff
{
    private readonly TimeSpan _initial;
    private readonly TimeSpan _max;
    private readonly Random _random;
    private int _attempt;

    public ReconnectBackoff(TimeSpan initial, TimeSpan max, Random random)
    {
        if (initial <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(initial), initial, "The initial backoff must be positive.");
        }
        if (max < initial)
        {
            throw new ArgumentOutOfRangeException(nameof(max), max, "The maximum backoff must not be below the initial one.");
        }
        _initial = initial;
        _max = max;
        _random = random;
    }

    /// <summary>The upper bound of the next delay.</summary>
    public TimeSpan Ceiling
    {
        get
        {
            // Past 2^30 the product would only overflow; the cap has long been reached by then.
            double factor = Math.Pow(2, Math.Min(_attempt, 30));
            double ticks = Math.Min(_max.Ticks, _initial.Ticks * factor);
            return TimeSpan.FromTicks((long)ticks);
        }
    }

    /// <summary>The delay before the next reconnect; each call raises the ceiling until it reaches the maximum.</summary>
    public TimeSpan Next()
    {
        TimeSpan ceiling = Ceiling;
        if (ceiling < _max)
        {
            _attempt++;
        }
        return TimeSpan.FromTicks((long)(_random.NextDouble() * ceiling.Ticks));
    }

    /// <summary>Starts over at the initial ceiling (after a healthy period).</summary>
    public void Reset() => _attempt = 0;
}
