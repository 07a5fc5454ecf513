using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerPhasesTests
{
    [Fact]
    public void All_ElevenFlaggerPhases_EachKnownAndWellFormed()
    {
        Assert.Equal(11, FlaggerPhases.All.Count);
        Assert.All(FlaggerPhases.All, p => Assert.True(FlaggerPhases.IsKnown(p), p));
        Assert.All(FlaggerPhases.All, p => Assert.True(FlaggerPhases.IsWellFormed(p), p));
    }

    [Theory]
    [InlineData("", false, true)]
    [InlineData("Paused", false, true)]
    [InlineData("progressing", false, true)]
    [InlineData("Progressing ", false, false)]
    [InlineData("Phase2", false, false)]
    public void IsKnownAndIsWellFormed_Phase_Classified(string phase, bool known, bool wellFormed)
    {
        Assert.Equal(known, FlaggerPhases.IsKnown(phase));
        Assert.Equal(wellFormed, FlaggerPhases.IsWellFormed(phase));
    }

    [Fact]
    public void IsWellFormed_Length_LimitedTo64()
    {
        Assert.True(FlaggerPhases.IsWellFormed(new string('A', 64)));
        Assert.False(FlaggerPhases.IsWellFormed(new string('A', 65)));
    }
}
