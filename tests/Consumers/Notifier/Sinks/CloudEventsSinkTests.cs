using Bridge.CloudEvents;
using Bridge.CloudEvents.Http;

namespace Bridge.Notifier.Tests.Sinks;

[Collection(EnvironmentCollection.Name)]
public sealed class CloudEventsSinkTests
{
    [Fact]
    public async Task Deliver_BinaryDefault_AttributesInHeadersDataInBody()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        await using var harness = await NotifierHarness.StartAsync($$"""
            sinks:
              ce: { type: cloudevents, url: "{{server.Url("/broker")}}" }
            routes:
              - sinks: [ce]
            """);

        await harness.HandleAsync(Events.Flagger("promoted", id: "ce-1"));

        RecordedRequest request = Assert.Single(server.Requests);
        Assert.Equal("ce-1", request.Header("ce-id"));
        Assert.Equal("app.flagger.canary.promoted", request.Header("ce-type"));
        Assert.Equal("prod", request.Header("ce-namespace"));
        Assert.Equal("podinfo", request.Json.GetProperty("name").GetString());
    }

    [Fact]
    public async Task Deliver_StructuredWithKnativeSinkAndOverrides_WholeEventInBodyWithOverriddenExtension()
    {
        await using var server = await RecordingHttpServer.StartAsync();
        Environment.SetEnvironmentVariable("K_SINK", server.Url("/ksink").ToString());
        Environment.SetEnvironmentVariable("K_CE_OVERRIDES", "{\"extensions\":{\"team\":\"payments\"}}");
        try
        {
            await using var harness = await NotifierHarness.StartAsync("""
                sinks:
                  ce: { type: cloudevents, mode: structured }
                routes:
                  - sinks: [ce]
                """);

            await harness.HandleAsync(Events.Flagger("promoted", id: "ce-2"));

            RecordedRequest request = Assert.Single(server.Requests);
            Assert.Equal("/ksink", request.Path);
            Assert.StartsWith("application/cloudevents+json", request.Header("Content-Type"), StringComparison.Ordinal);
            CloudEvent received = JsonEventFormat.Decode(request.Body);
            Assert.Equal("ce-2", received.Id);
            Assert.Equal("payments", received["team"]);
        }
        finally
        {
            Environment.SetEnvironmentVariable("K_SINK", null);
            Environment.SetEnvironmentVariable("K_CE_OVERRIDES", null);
        }
    }

    [Fact]
    public async Task Create_NoUrlNoKnativeSink_ErrorNamesKey()
    {
        var error = await Assert.ThrowsAsync<NotifierConfigurationException>(() => NotifierHarness.StartAsync("""
            sinks:
              ce: { type: cloudevents }
            routes:
              - sinks: [ce]
            """));

        Assert.StartsWith("sinks.ce.url: is required (or urlFile, urlEnv, or the K_SINK environment variable)", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>Tests that set process environment variables the sinks read run one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class EnvironmentCollection
{
    public const string Name = "environment";
}
