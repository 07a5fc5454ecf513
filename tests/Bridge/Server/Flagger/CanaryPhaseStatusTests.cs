using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class CanaryPhaseStatusTests
{
    [Theory]
    [InlineData("Progressing", 0)]
    [InlineData("Waiting", 0)]
    [InlineData("WaitingPromotion", 0)]
    [InlineData("Promoting", 0)]
    [InlineData("Finalising", 0)]
    [InlineData("Failed", 2)]
    [InlineData("Initializing", 1)]
    [InlineData("Initialized", 1)]
    [InlineData("Succeeded", 1)]
    [InlineData("Terminating", 1)]
    [InlineData("Terminated", 1)]
    [InlineData("", 1)]
    [InlineData(null, 1)]
    [InlineData("Paused", 1)]
    [InlineData("progressing", 1)]
    public void ToFlaggerStatus_Phase_FlaggerGaugeValue(string? phase, int expected)
    {
        Assert.Equal(expected, CanaryPhaseStatus.ToFlaggerStatus(phase));
    }

    [Fact]
    public void ToFlaggerStatus_EveryKnownPhase_Mapped()
    {
        var running = FlaggerPhases.All.Where(p => CanaryPhaseStatus.ToFlaggerStatus(p) == CanaryPhaseStatus.Running);

        Assert.Equal(["Waiting", "Progressing", "WaitingPromotion", "Promoting", "Finalising"], running);
    }
}
