using Bridge.Server.Flagger;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerSeveritiesTests
{
    [Fact]
    public void ToWireValue_EverySeverity_FlaggerSpelling()
    {
        Assert.Equal("info", FlaggerSeverity.Info.ToWireValue());
        Assert.Equal("warn", FlaggerSeverity.Warn.ToWireValue());
        Assert.Equal("error", FlaggerSeverity.Error.ToWireValue());
        Assert.Throws<ArgumentOutOfRangeException>(() => ((FlaggerSeverity)7).ToWireValue());
    }
}
