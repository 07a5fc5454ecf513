using System.Text.Json;
using static Bridge.Notifier.Tests.Sinks.Chat.ChatSinkFixture;

namespace Bridge.Notifier.Tests.Sinks.Chat;

public sealed class DumpTests
{
    [Fact]
    public async Task Dump()
    {
        await using RecordingHttpServer server = await RecordingHttpServer.StartAsync();
        var sb = new System.Text.StringBuilder();
        foreach (string kind in new[] { "slack", "msteams", "teams", "discord", "gchat", "rocket", "mattermost", "dingtalk", "wecom", "feishu" })
        {
            var keys = new Dictionary<string, string?> { ["url"] = server.Url("/" + kind + "?access_token=t").AbsoluteUri };
            if (kind is "dingtalk" or "feishu") keys["secret"] = "SEC123";
            await Create(kind, keys).DeliverAsync(Message(), default);
            RecordedRequest r = (await server.WaitForRequestsAsync(sb.Length == 0 ? 1 : server.Requests.Count))[^1];
            sb.AppendLine("== " + kind + " " + r.PathAndQuery);
            sb.AppendLine(JsonSerializer.Serialize(r.Json, Indented));
        }
        File.WriteAllText("/tmp/nchat-dump.txt", sb.ToString());
    }
}
