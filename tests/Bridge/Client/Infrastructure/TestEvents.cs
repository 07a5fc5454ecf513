using Bridge.CloudEvents;

namespace Bridge.Client.Tests.Infrastructure;

internal static class TestEvents
{
    public static CloudEvent Canary(string id, string ns = "test", string name = "podinfo", string type = "app.flagger.canary.rollout.weight.advanced", string severity = "info")
    {
        var e = new CloudEvent
        {
            Id = id,
            Source = "https://flagger.example/cluster-a",
            Type = type,
            Subject = $"{ns}/{name}",
            Time = new DateTimeOffset(2024, 5, 1, 10, 0, 0, TimeSpan.Zero),
            Data = CloudEventData.FromJson("""{"name":"podinfo","phase":"Progressing"}"""),
        };
        e.SetExtension("namespace", ns);
        e.SetExtension("canary", name);
        e.SetExtension("severity", severity);
        e.SetExtension("partitionkey", $"{ns}/{name}");
        return e;
    }
}
