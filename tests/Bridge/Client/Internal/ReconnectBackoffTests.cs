using Bridge.Client.Internal;

namespace Bridge.Client.Tests.Internal;

public sealed class ReconnectBackoffTests
{
    private static readonly TimeSpan Initial = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(30);

    [Fact]
    public void Next_Repeatedly_CeilingDoublesUpToMax()
    {
        var backoff = new ReconnectBackoff(Initial, Max, new Random(1));
        var ceilings = new List<double>();

        for (int i = 0; i < 12; i++)
        {
            ceilings.Add(backoff.Ceiling.TotalMilliseconds);
            backoff.Next();
        }

        Assert.Equal([200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000, 30000], ceilings);
    }

    [Fact]
    public void Next_SeededRandom_FullJitterWithinCeiling()
    {
        var backoff = new ReconnectBackoff(Initial, Max, new Random(42));
        var delays = new List<TimeSpan>();

        for (int i = 0; i < 40; i++)
        {
            TimeSpan ceiling = backoff.Ceiling;
            TimeSpan delay = backoff.Next();
            Assert.InRange(delay, TimeSpan.Zero, ceiling);
            delays.Add(delay);
        }

        // Jittered: at the cap the delays spread over the range instead of all being 30 s.
        TimeSpan[] capped = delays.Skip(10).ToArray();
        Assert.True(capped.Distinct().Count() > 25);
        Assert.Contains(capped, d => d < TimeSpan.FromSeconds(15));
        Assert.Contains(capped, d => d > TimeSpan.FromSeconds(15));
    }

    [Fact]
    public void Next_SameSeed_SameSequence()
    {
        var a = new ReconnectBackoff(Initial, Max, new Random(7));
        var b = new ReconnectBackoff(Initial, Max, new Random(7));

        Assert.Equal(Enumerable.Range(0, 10).Select(_ => a.Next()), Enumerable.Range(0, 10).Select(_ => b.Next()));
    }

    [Fact]
    public void Reset_AfterGrowth_BackToInitialCeiling()
    {
        var backoff = new ReconnectBackoff(Initial, Max, new Random(3));
        for (int i = 0; i < 6; i++)
        {
            backoff.Next();
        }

        backoff.Reset();

        Assert.Equal(Initial, backoff.Ceiling);
        Assert.InRange(backoff.Next(), TimeSpan.Zero, Initial);
    }

    [Fact]
    public void Constructor_InvalidRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(TimeSpan.Zero, Max, new Random(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ReconnectBackoff(Max, Initial, new Random(1)));
    }
}
