using Bridge.Audit.Rollouts;

namespace Bridge.Audit.Tests.Rollouts;

public sealed class DoraTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Compute_CraftedHistory_AllFourKeys()
    {
        RolloutOutcome[] history =
        [
            // Canary a: promoted (lead 10 min), failed, promoted 2 h after the failure (lead 30 min), rolled back, still unrestored.
            new("prod", "a", RolloutStatus.Promoted, T0, T0.AddMinutes(10)),
            new("prod", "a", RolloutStatus.Failed, T0.AddDays(1), T0.AddDays(1).AddMinutes(5)),
            new("prod", "a", RolloutStatus.Promoted, T0.AddDays(1).AddHours(1).AddMinutes(35), T0.AddDays(1).AddHours(2).AddMinutes(5)),
            new("prod", "a", RolloutStatus.RolledBack, T0.AddDays(2), T0.AddDays(2).AddMinutes(3)),

            // Canary b: one promotion (lead 20 min), one superseded (counts for nothing), one still running.
            new("prod", "b", RolloutStatus.Promoted, T0.AddDays(3), T0.AddDays(3).AddMinutes(20)),
            new("prod", "b", RolloutStatus.Superseded, T0.AddDays(4), T0.AddDays(4).AddMinutes(1)),
            new("prod", "b", RolloutStatus.Progressing, T0.AddDays(5), null),

            // Outside the window.
            new("prod", "b", RolloutStatus.Promoted, T0.AddDays(-20), T0.AddDays(-20).AddMinutes(1)),
        ];

        var figures = Dora.Compute(history, T0, T0.AddDays(6));

        Assert.Equal(3, figures.Deployments);
        Assert.Equal(2, figures.FailedDeployments);
        Assert.Equal(0.5, figures.DeploymentsPerDay);
        Assert.Equal(0.4, figures.ChangeFailureRate);
        Assert.Equal(new DurationFigure(1, 7200, 7200), figures.TimeToRestore);
        Assert.Equal(new DurationFigure(3, 1200, 1200), figures.LeadTime);
    }

    [Fact]
    public void Compute_NothingEnded_RatesAreNullNotZero()
    {
        var figures = Dora.Compute([new RolloutOutcome("prod", "a", RolloutStatus.Progressing, T0, null)], T0, T0.AddDays(1));

        Assert.Equal((0, 0, 0.0), (figures.Deployments, figures.FailedDeployments, figures.DeploymentsPerDay));
        Assert.Null(figures.ChangeFailureRate);
        Assert.Equal(new DurationFigure(0, null, null), figures.LeadTime);
    }
}
