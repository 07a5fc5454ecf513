using Bridge.CloudEvents.Internal;
using Google.Protobuf;
using PbEvent = Bridge.CloudEvents.Protobuf.CloudEvent;
using PbValue = Bridge.CloudEvents.Protobuf.CloudEvent.Types.CloudEventAttributeValue;

namespace Bridge.CloudEvents.Tests.Internal;

public class ProtoWireScannerTests
{
    [Fact]
    public void Check_ValidEvent_NoProblem()
    {
        var message = new PbEvent { Id = "1", Source = "/s", SpecVersion = "1.0", Type = "t", TextData = "é" };
        message.Attributes["a"] = new PbValue { CeString = "x" };
        message.Attributes["b"] = new PbValue { CeInteger = 1 };

        Assert.Null(ProtoWireScanner.Check(message.ToByteArray()));
    }

    [Fact]
    public void Check_RepeatedKey_ReportsIt()
    {
        var one = new PbEvent();
        one.Attributes["k"] = new PbValue { CeBoolean = true };
        byte[] bytes = [.. one.ToByteArray(), .. one.ToByteArray()];

        ProtoWireScanner.Problem? problem = ProtoWireScanner.Check(bytes);

        Assert.NotNull(problem);
        Assert.Equal("k", problem.Value.Attribute);
    }

    [Fact]
    public void Check_Truncated_LeavesItToTheParser() => Assert.Null(ProtoWireScanner.Check([0x0A, 0x05, 0x61]));

    [Fact]
    public void CheckBatch_ReportsEventIndex()
    {
        var bad = new PbEvent();
        bad.Attributes["k"] = new PbValue { CeBoolean = true };
        byte[] badBytes = [.. bad.ToByteArray(), .. bad.ToByteArray()];
        byte[] good = new PbEvent { Id = "1" }.ToByteArray();
        byte[] batch = [0x0A, (byte)good.Length, .. good, 0x0A, (byte)badBytes.Length, .. badBytes];

        var found = ProtoWireScanner.CheckBatch(batch);

        Assert.NotNull(found);
        Assert.Equal(1, found.Value.Index);
    }
}
