using System.Text;
using Bridge.CloudEvents;
using Bridge.Notifier.Model;
using Bridge.Notifier.Sinks;
using Bridge.Notifier.Sinks.Chat;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class ChatContentTests
{
    [Fact]
    public void From_FlaggerEvent_ReadsTitleFieldsLinksAndTime()
    {
        ChatContent content = ChatContent.From(Message(), MarkdownText.Escape);

        Assert.Equal("podinfo.test", content.Title);
        Assert.Equal("Advance podinfo.test canary weight 10", content.Text);
        Assert.Equal(
            [new ChatField("Phase", "Progressing"), new ChatField("Severity", "info"), new ChatField("Cluster", "flagger-test"), new ChatField("Type", "weight.advanced")],
            content.Fields);
        // Only URL values are links; cluster, environment and Flagger's own keys are not.
        Assert.Equal([new ChatLink("dashboard", new Uri("https://grafana.example.com/d/podinfo?var-ns=test"))], content.Links);
        Assert.Equal("2025-01-10 09:06:40 UTC", content.TimeText);
        Assert.Equal("2025-01-10T09:06:40.123Z", content.TimeIso);
    }

    [Fact]
    public void From_NonFlaggerEvent_UsesSubjectAndDataMessageWithoutEmptyFields()
    {
        CloudEvent cloudEvent = JsonEventFormat.Decode(Encoding.UTF8.GetBytes("""
            {"specversion":"1.0","id":"x1","source":"/ci","type":"com.example.build.finished","subject":"builds/42",
             "time":"2025-01-10T09:06:40Z","datacontenttype":"application/json",
             "data":{"message":"Build <42> done","metadata":{"logs":"javascript:alert(1)","report":"ftp://e/r","ci":"https://ci.example.com/42"}}}
            """));

        ChatContent content = ChatContent.From(Message(Model.Notification.From(cloudEvent)), SlackText.Escape);

        Assert.Equal("builds/42", content.Title);
        Assert.Equal("Build &lt;42&gt; done", content.Text);
        Assert.Equal([new ChatField("Severity", "info"), new ChatField("Type", "com.example.build.finished")], content.Fields);
        Assert.Equal([new ChatLink("ci", new Uri("https://ci.example.com/42"))], content.Links);
    }

    [Fact]
    public void From_RouteText_IsTakenAsRendered()
    {
        ChatContent content = ChatContent.From(new SinkMessage { Notification = Notification(), Route = "r", Text = "*as <is>*", IdempotencyKey = "k" }, MarkdownText.Escape);

        Assert.Equal("*as <is>*", content.Text);
    }
}
