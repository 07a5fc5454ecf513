using Bridge.Client.V1;

namespace Bridge.Server.Subscriptions;

/// <summary>Where a subscription without committed offsets starts reading a partition.</summary>
internal enum StartKind
{
    /// <summary>Only events written after the stream got the partition.</summary>
    Latest,

    /// <summary>The oldest event Kafka still holds.</summary>
    Earliest,

    /// <summary>The first event at or after <see cref="SubscriptionRequest.StartTime"/>.</summary>
    Timestamp,
}

/// <summary>A validated <c>open</c> request.</summary>
/// <param name="Name">The subscription, also the Kafka consumer group id.</param>
/// <param name="Filter">The compiled filters.</param>
/// <param name="Start">Where partitions without committed offsets start.</param>
/// <param name="StartTime">The start time when <paramref name="Start"/> is <see cref="StartKind.Timestamp"/>.</param>
/// <param name="MaxInFlight">Unacked deliveries the stream may have at a time.</param>
/// <param name="Ephemeral">
/// A <c>Watch</c> opened without a name: the group id is made up for the call and no offset is ever committed, so
/// nothing of it stays in Kafka beyond an empty group the broker forgets.
/// </param>
internal sealed record SubscriptionRequest(string Name, SubscriptionFilter Filter, StartKind Start, DateTimeOffset? StartTime, int MaxInFlight, bool Ephemeral = false)
{
    /// <summary>The prefix of the made-up group ids of unnamed <c>Watch</c> calls.</summary>
    public const string EphemeralPrefix = "bridge-watch-";

    /// <summary>Longest subscription name.</summary>
    public const int MaxNameLength = 200;

    /// <summary>Validates an open request.</summary>
    /// <param name="open">The request. Must not be null.</param>
    /// <param name="options">Limits and defaults. Must not be null.</param>
    /// <exception cref="InvalidSubscriptionException">The request is invalid; the message names the field.</exception>
    /// <param name="allowUnnamed">True for <c>Watch</c>: an empty name opens an <see cref="Ephemeral"/> subscription.</param>
    public static SubscriptionRequest From(OpenSubscription open, SubscriptionOptions options, bool allowUnnamed = false)
    {
        ArgumentNullException.ThrowIfNull(open);
        ArgumentNullException.ThrowIfNull(options);
        var name = open.Subscription;
        var ephemeral = allowUnnamed && string.IsNullOrEmpty(name);
        if (ephemeral)
        {
            name = EphemeralPrefix + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        }
        else if (DescribeInvalidName(name) is { } problem)
        {
            throw new InvalidSubscriptionException($"subscription: {problem}");
        }

        if (open.MaxInFlight < 0 || open.MaxInFlight > options.MaxMaxInFlight)
        {
            throw new InvalidSubscriptionException(
                $"max_in_flight: {open.MaxInFlight} is out of range; use 1 to {options.MaxMaxInFlight}, or 0 for the default ({options.DefaultMaxInFlight}).");
        }

        var maxInFlight = open.MaxInFlight == 0 ? options.DefaultMaxInFlight : open.MaxInFlight;
        var filter = SubscriptionFilter.Compile(open.Filters);
        var (start, time) = StartOf(open.Start);
        return new SubscriptionRequest(name, filter, start, time, maxInFlight, ephemeral);
    }

    /// <summary>Why <paramref name="name"/> cannot be a subscription name, or null when it can.</summary>
    internal static string? DescribeInvalidName(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "the subscription name is required (1-200 characters of A-Z, a-z, 0-9, '.', '_' and '-').";
        }

        if (name.Length > MaxNameLength)
        {
            return $"the subscription name is {name.Length} characters long; at most {MaxNameLength} are allowed.";
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"the subscription name contains '{(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString())}'; only A-Z, a-z, 0-9, '.', '_' and '-' are allowed.";
            }
        }

        return null;
    }

    private static (StartKind, DateTimeOffset?) StartOf(StartPosition? start)
    {
        switch (start?.PositionCase ?? StartPosition.PositionOneofCase.None)
        {
            case StartPosition.PositionOneofCase.None:
                return (StartKind.Latest, null);
            case StartPosition.PositionOneofCase.Latest:
                return start!.Latest ? (StartKind.Latest, null) : throw new InvalidSubscriptionException("start.latest: set it to true, or leave start empty for the default (latest).");
            case StartPosition.PositionOneofCase.Earliest:
                return start!.Earliest ? (StartKind.Earliest, null) : throw new InvalidSubscriptionException("start.earliest: set it to true to start at the oldest event.");
            default:
                var timestamp = start!.Timestamp;
                if (timestamp is null || timestamp.Nanos < 0 || timestamp.Nanos > 999_999_999
                    || timestamp.Seconds < 0 || timestamp.Seconds > 253402300799L)
                {
                    throw new InvalidSubscriptionException("start.timestamp: the time is invalid; use a time between 1970-01-01T00:00:00Z and 9999-12-31T23:59:59Z.");
                }

                return (StartKind.Timestamp, timestamp.ToDateTimeOffset());
        }
    }
}
