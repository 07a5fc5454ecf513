using Bridge.CloudEvents.Http;

namespace Bridge.CloudEvents.Tests.Http;

public class KnativeDeliveryTests
{
    [Theory]
    [InlineData(200, true, false)]
    [InlineData(202, true, false)]
    [InlineData(204, true, false)]
    [InlineData(100, false, false)]
    [InlineData(302, false, false)]
    [InlineData(400, false, false)]
    [InlineData(401, false, false)]
    [InlineData(403, false, false)]
    [InlineData(410, false, false)]
    [InlineData(404, false, true)]
    [InlineData(408, false, true)]
    [InlineData(409, false, true)]
    [InlineData(429, false, true)]
    [InlineData(500, false, true)]
    [InlineData(503, false, true)]
    [InlineData(0, false, true)]
    [InlineData(600, false, true)]
    public void Classification_MatchesContract(int status, bool delivered, bool retry)
    {
        Assert.Equal(delivered, KnativeDelivery.IsDelivered(status));
        Assert.Equal(retry, KnativeDelivery.ShouldRetry(status));
    }

    [Fact]
    public void MayCarryReply_OnlyFor200()
    {
        Assert.True(KnativeDelivery.MayCarryReply(200));
        Assert.False(KnativeDelivery.MayCarryReply(202));
    }
}
