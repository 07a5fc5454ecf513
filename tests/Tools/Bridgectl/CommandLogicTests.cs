using System.Text;
using Bridge.Client.V1;
using Bridge.CloudEvents;

namespace Bridge.Ctl.Tests;

/// <summary>The pure parts of bridgectl: argument parsing, the filters tail sends, error positions, the text line.</summary>
public sealed class CommandLogicTests
{
    [Fact]
    public void Arguments_RepeatableOptionsCollectValues_EqualsFormAndDoubleDashWork()
    {
        var arguments = Arguments.Parse("tail", ["--type", "a.", "--type=b.", "--count", "3", "--", "--not-an-option"], TailCommand.Options, TailCommand.Repeatable);

        Assert.Equal(["a.", "b."], arguments.Values("--type"));
        Assert.Equal("3", arguments.Value("--count"));
        Assert.Equal(["--not-an-option"], arguments.Positionals);
    }

    [Fact]
    public void Arguments_SingleValuedOptionTwice_IsRefused()
    {
        var e = Assert.Throws<CtlException>(() => Arguments.Parse("tail", ["--count", "1", "--count", "2"], TailCommand.Options, TailCommand.Repeatable));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.Equal("option '--count' of 'bridgectl tail' may be given only once", e.Message);
    }

    [Fact]
    public void Tail_Filters_TypesAndNamespacesAreAlternatives_SeverityMeansAtOrAbove()
    {
        var arguments = Arguments.Parse("tail", ["--type", "app.flagger.canary.", "--type", "app.other.", "--namespace", "prod", "--severity", "warn"],
            TailCommand.Options, TailCommand.Repeatable);

        OpenSubscription open = TailCommand.BuildOpen(arguments);

        Assert.Equal(string.Empty, open.Subscription);
        Assert.True(open.Start.Latest);
        Assert.Equal(3, open.Filters.Count);
        Assert.Equal(["app.flagger.canary.", "app.other."], open.Filters[0].Any.Filters.Select(f => f.Prefix.Attributes["type"]));
        Assert.Equal("prod", open.Filters[1].Exact.Attributes["namespace"]);
        Assert.Equal(["warn", "error"], open.Filters[2].Any.Filters.Select(f => f.Exact.Attributes["severity"]));
    }

    [Fact]
    public void Tail_SeverityInfo_SendsNoFilter_AndAnUnnamedWatch()
    {
        var arguments = Arguments.Parse("tail", ["--severity", "info", "--start", "earliest"], TailCommand.Options, TailCommand.Repeatable);

        OpenSubscription open = TailCommand.BuildOpen(arguments);

        Assert.Empty(open.Filters);
        Assert.True(open.Start.Earliest);
        // Unnamed: the bridge makes up a group for the call and commits nothing for it.
        Assert.Equal(string.Empty, open.Subscription);
    }

    [Fact]
    public void Publish_Decode_SingleAndBatch()
    {
        const string one = """{"specversion":"1.0","id":"a","source":"/s","type":"t"}""";

        Assert.Equal("a", Assert.Single(PublishCommand.Decode(Encoding.UTF8.GetBytes(" \n" + one), "f")).Id);
        Assert.Equal(2, PublishCommand.Decode(Encoding.UTF8.GetBytes($"[{one},{one.Replace("\"a\"", "\"b\"", StringComparison.Ordinal)}]"), "f").Count);
    }

    [Fact]
    public void Publish_Decode_AttributeError_NamesLineAndColumn()
    {
        byte[] file = Encoding.UTF8.GetBytes("{\n  \"specversion\": \"1.0\",\n  \"id\": \"a\",\n  \"source\": 5,\n  \"type\": \"t\"\n}");

        var e = Assert.Throws<CtlException>(() => PublishCommand.Decode(file, "events.json"));

        Assert.Equal(ExitCodes.Usage, e.ExitCode);
        Assert.StartsWith("events.json is not a valid CloudEvent in the JSON format: Attribute 'source'", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("(line 4, column 13)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Publish_Decode_Empty_IsRefused()
    {
        var e = Assert.Throws<CtlException>(() => PublishCommand.Decode(Encoding.UTF8.GetBytes(" \n"), "stdin"));

        Assert.Equal("stdin is empty: expected a CloudEvent (JSON object) or a batch (JSON array)", e.Message);
    }

    [Fact]
    public void EventText_FlaggerEvent_TimeSeveritySubjectTypeMessage()
    {
        CloudEvent cloudEvent = JsonEventFormat.Decode("""
            {"specversion":"1.0","id":"a","source":"/s","type":"app.flagger.canary.rollback","subject":"test/podinfo",
             "time":"2026-12-01T10:00:00.5+01:00","severity":"error",
             "data":{"name":"podinfo","metadata":{"eventMessage":"Rolling back\npodinfo.test"}}}
            """u8);

        Assert.Equal("2026-12-01T09:00:00.500Z error test/podinfo app.flagger.canary.rollback Rolling back podinfo.test", EventText.Line(cloudEvent));
    }

    [Fact]
    public void EventText_NoTimeSeverityOrData_UsesDashes()
    {
        CloudEvent cloudEvent = JsonEventFormat.Decode("""{"specversion":"1.0","id":"a","source":"/s","type":"t"}"""u8);

        Assert.Equal("- -     - t", EventText.Line(cloudEvent));
    }
}
