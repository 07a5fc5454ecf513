using Bridge.Client.V1;
using Grpc.Core;
using Bridge.Server.Subscriptions;
using Bridge.Server.Tests.GrpcApi;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Subscriptions;

public sealed class PartitionOffsetsTests
{
    [Fact]
    public void CommitPosition_NothingRead_IsNull() => Assert.Null(new PartitionOffsets(0).CommitPosition());

    [Fact]
    public void CommitPosition_GapInAcks_StopsAtFirstUnacked()
    {
        var offsets = new PartitionOffsets(3);
        var first = offsets.Track(10, done: false);
        var second = offsets.Track(11, done: false);
        var third = offsets.Track(12, done: false);

        PartitionOffsets.Complete(first);
        PartitionOffsets.Complete(third);

        Assert.Equal(11, offsets.CommitPosition());
        PartitionOffsets.Complete(second);
        Assert.Equal(13, offsets.CommitPosition());
        Assert.Equal(0, offsets.Tracked);
    }

    [Fact]
    public void CommitPosition_SkippedRecordsAreDone_CommitPassesThem()
    {
        var offsets = new PartitionOffsets(0);
        offsets.Track(0, done: true);
        offsets.Track(1, done: true);
        var pending = offsets.Track(2, done: false);

        Assert.Equal(2, offsets.CommitPosition());
        PartitionOffsets.Complete(pending);
        Assert.Equal(3, offsets.CommitPosition());
    }

    [Fact]
    public void CommitPosition_OffsetsWithHoles_UsesRecordsRead()
    {
        var offsets = new PartitionOffsets(0);
        var a = offsets.Track(5, done: false);
        offsets.Track(9, done: true);

        Assert.Equal(5, offsets.CommitPosition());
        PartitionOffsets.Complete(a);
        Assert.Equal(10, offsets.CommitPosition());
    }

    [Fact]
    public void PendingCommit_AfterMarkCommitted_OnlyWhenPositionMoves()
    {
        var offsets = new PartitionOffsets(0);
        var entry = offsets.Track(0, done: false);

        Assert.Equal(0, offsets.PendingCommit());
        offsets.MarkCommitted(0);
        Assert.Null(offsets.PendingCommit());
        PartitionOffsets.Complete(entry);
        Assert.Equal(1, offsets.PendingCommit());
        offsets.MarkCommitted(1);
        Assert.Null(offsets.PendingCommit());
        Assert.Equal(1, offsets.Committed);
    }

    [Fact]
    public void MarkCommitted_LowerPosition_Ignored()
    {
        var offsets = new PartitionOffsets(0);
        offsets.MarkCommitted(7);
        offsets.MarkCommitted(3);

        Assert.Equal(7, offsets.Committed);
    }

    [Fact]
    public void Complete_Twice_SecondReturnsFalse()
    {
        var entry = new PartitionOffsets(0).Track(0, done: false);

        Assert.True(PartitionOffsets.Complete(entry));
        Assert.False(PartitionOffsets.Complete(entry));
    }

    [Fact]
    public void Track_OffsetGoesBack_Throws()
    {
        var offsets = new PartitionOffsets(2);
        offsets.Track(4, done: false);

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => offsets.Track(4, done: false));

        Assert.Contains("Partition 2", error.Message, StringComparison.Ordinal);
        Assert.Equal(5, offsets.Next);
        Assert.Equal(4, offsets.First);
    }

    [Fact]
    public async Task Subscribe_AckGap_CommitsOnlyUpToFirstUnackedAndRedeliversTheRest()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var accepted = await host.PublishAllAsync(GrpcBridgeHost.Event("1"), GrpcBridgeHost.Event("2"), GrpcBridgeHost.Event("3"));
        var partition = accepted[0].Partition;

        await using (var first = await host.SubscribeAsync("gap"))
        {
            var deliveries = await first.TakeAsync(3);
            await first.AckAsync(deliveries[0].AckId, deliveries[2].AckId);
            await host.WaitForCommitAsync("gap", partition, accepted[1].Offset);
            Assert.Equal(StatusCode.OK, (await first.CloseAsync()).StatusCode);
        }

        Assert.Equal(accepted[1].Offset, host.Committed("gap")[partition]);
        await using var second = await host.SubscribeAsync("gap");
        var again = await second.TakeAsync(2);
        Assert.Equal(["2", "3"], again.Select(d => d.Event.Id));
        Assert.Equal([2, 2], again.Select(d => d.Attempt));
        await second.AckAsync(again);
        await host.WaitForCommitAsync("gap", partition, accepted[2].Offset + 1);
    }
}
