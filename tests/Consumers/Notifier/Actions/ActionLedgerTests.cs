using System.Text;
using Bridge.Notifier.Actions;
using Microsoft.Extensions.Logging.Abstractions;

namespace Bridge.Notifier.Tests.Actions;

public sealed class ActionLedgerTests : IDisposable
{
    private readonly ActionTestKit kit = new();

    private string PathOf(string name) => Path.Combine(kit.DataDirectory, name + ".ledger");

    public void Dispose() => kit.Dispose();

    [Fact]
    public void Record_ThenReopen_KeepsLastStatePerKey()
    {
        string path = PathOf("a");
        using (ActionLedger ledger = ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance))
        {
            ledger.Record("k1", ActionState.Started);
            ledger.Record("k1", ActionState.Succeeded, "HTTP 204");
            ledger.Record("k2", ActionState.Started);
        }

        using ActionLedger reopened = ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance);

        Assert.Equal(ActionState.Succeeded, reopened.Get("k1")!.State);
        Assert.Equal("HTTP 204", reopened.Get("k1")!.Detail);
        Assert.Equal(ActionState.Started, reopened.Get("k2")!.State);
        Assert.Null(reopened.Get("k3"));
        // Compacted at load: one line per key.
        Assert.Equal(2, File.ReadAllLines(path).Length);
    }

    [Fact]
    public void Open_TornLastLine_DropsItAndAppendsOnACleanLine()
    {
        string path = PathOf("torn");
        using (ActionLedger ledger = ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance))
        {
            ledger.Record("k1", ActionState.Succeeded);
        }
        // A crash in the middle of appending the next line.
        File.AppendAllText(path, """{"key":"k2","state":"succ""", Encoding.UTF8);

        using (ActionLedger ledger = ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance))
        {
            Assert.Equal(ActionState.Succeeded, ledger.Get("k1")!.State);
            Assert.Null(ledger.Get("k2"));
            ledger.Record("k3", ActionState.Succeeded);
        }

        using ActionLedger reopened = ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance);
        Assert.Equal(ActionState.Succeeded, reopened.Get("k3")!.State);
        Assert.Equal(2, reopened.Count);
        Assert.All(File.ReadAllLines(path), line => Assert.StartsWith("{\"key\":", line));
    }

    [Fact]
    public void Open_LineThatIsNotAnEntry_IsSkipped()
    {
        string path = PathOf("bad");
        File.WriteAllText(path, "garbage\n{\"key\":\"k1\",\"state\":\"succeeded\",\"at\":\"2026-12-01T14:00:00+00:00\"}\n");

        using ActionLedger ledger = ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance);

        Assert.Equal(ActionState.Succeeded, ledger.Get("k1")!.State);
        Assert.Equal(1, ledger.Count);
    }

    [Fact]
    public void Open_EntriesOlderThanRetention_AreForgotten()
    {
        string path = PathOf("old");
        using (ActionLedger ledger = ActionLedger.Open(path, TimeSpan.FromDays(7), kit.Clock, NullLogger.Instance))
        {
            ledger.Record("old", ActionState.Succeeded);
            kit.Clock.Now += TimeSpan.FromDays(6);
            ledger.Record("recent", ActionState.Succeeded);
        }
        kit.Clock.Now += TimeSpan.FromDays(2);

        using ActionLedger reopened = ActionLedger.Open(path, TimeSpan.FromDays(7), kit.Clock, NullLogger.Instance);

        Assert.Null(reopened.Get("old"));
        Assert.NotNull(reopened.Get("recent"));
        Assert.Single(File.ReadAllLines(path));
    }

    [Fact]
    public void Record_ManyUpdates_FileStaysBounded()
    {
        string path = PathOf("busy");
        using (ActionLedger ledger = ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance))
        {
            for (int i = 0; i < 1200; i++)
            {
                ledger.Record("k" + (i % 10), (i / 10) % 2 == 0 ? ActionState.Started : ActionState.Succeeded);
            }
            Assert.InRange(File.ReadAllLines(path).Length, 10, 1100);
        }

        using ActionLedger reopened = ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance);
        Assert.Equal(10, reopened.Count);
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(ActionState.Succeeded, reopened.Get("k" + i)!.State));
    }

    [Fact]
    public void Open_FileHeldByAnotherLedger_Throws()
    {
        string path = PathOf("held");
        using ActionLedger first = ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance);

        Assert.ThrowsAny<IOException>(() => ActionLedger.Open(path, TimeSpan.FromDays(30), kit.Clock, NullLogger.Instance));
    }
}
