using Bridge.CloudEvents;
using Bridge.CloudEvents.Http;

namespace Bridge.Notifier.Sinks.CloudEvents;

/// <summary>
/// Sends the event itself over the CloudEvents HTTP binding (<c>type: cloudevents</c>), binary mode by default, to
/// the configured URL or Knative's <c>K_SINK</c>, with Knative's <c>K_CE_OVERRIDES</c> extensions applied.
/// </summary>
internal sealed class CloudEventsSink(string name, HttpClient http, Uri url, HttpContentMode mode, CloudEventOverrides overrides) : ISink
{
    public string Name { get; } = name;

    public string Kind => CloudEventsSinkFactory.KindName;

    public TextEscaping Escaping => TextEscaping.None;

    public async Task DeliverAsync(SinkMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        CloudEvent cloudEvent = message.Notification.Event.Clone();
        overrides.ApplyTo(cloudEvent);
        using HttpRequestMessage request = HttpBinding.ToHttpRequestMessage(cloudEvent, mode, url);
        using HttpResponseMessage response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        await SinkException.EnsureSuccessAsync(response, Name, cancellationToken).ConfigureAwait(false);
    }
}

internal sealed class CloudEventsSinkFactory : ISinkFactory
{
    public const string KindName = "cloudevents";

    /// <summary>Knative's environment variable naming the sink's address (SinkBinding, ContainerSource).</summary>
    public const string KnativeSinkVariable = "K_SINK";

    public string Kind => KindName;

    public ISink Create(SinkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Uri url = definition.GetUrl("url") ?? KnativeSink() ?? throw definition.Error("url", $"is required (or urlFile, urlEnv, or the {KnativeSinkVariable} environment variable)");
        HttpContentMode mode = (definition.GetString("mode") ?? "binary").ToLowerInvariant() switch
        {
            "binary" => HttpContentMode.Binary,
            "structured" => HttpContentMode.Structured,
            string other => throw definition.Error("mode", $"'{other}' is not binary or structured"),
        };
        CloudEventOverrides overrides;
        try
        {
            overrides = CloudEventOverrides.Parse(Environment.GetEnvironmentVariable(CloudEventOverrides.EnvironmentVariable));
        }
        catch (CloudEventFormatException e)
        {
            throw new NotifierConfigurationException(CloudEventOverrides.EnvironmentVariable, e.Message);
        }
        return new CloudEventsSink(definition.Name, definition.Http, url, mode, overrides);
    }

    private static Uri? KnativeSink() =>
        Environment.GetEnvironmentVariable(KnativeSinkVariable) is { Length: > 0 } value && Uri.TryCreate(value, UriKind.Absolute, out Uri? uri) ? uri : null;
}
