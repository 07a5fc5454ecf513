using System.Diagnostics.Metrics;
using Bridge.Server.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Server.Tests.Kafka;

public sealed class KafkaMetricsTests
{
    [Fact]
    public void Published_EventType_CountsByTypeAndRecordsDurationInSeconds()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new KafkaMetrics(services.GetRequiredService<IMeterFactory>());
        using var recorded = new MetricRecorder(services.GetRequiredService<IMeterFactory>());

        metrics.Published("app.flagger.canary.promoted", 0.004);
        metrics.Failed("Local_MsgTimedOut", 5.0);

        Assert.Equal([("bridge.kafka.events.published", 1.0, "type=app.flagger.canary.promoted")], recorded.Of("bridge.kafka.events.published"));
        Assert.Equal([("bridge.kafka.publish.errors", 1.0, "reason=Local_MsgTimedOut")], recorded.Of("bridge.kafka.publish.errors"));
        Assert.Equal([("bridge.kafka.publish.duration", 0.004, "outcome=acknowledged"), ("bridge.kafka.publish.duration", 5.0, "outcome=failed")],
            recorded.Of("bridge.kafka.publish.duration"));
    }

    [Fact]
    public void Published_MoreThan200Types_LaterTypesShareTheOtherSeries()
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var metrics = new KafkaMetrics(services.GetRequiredService<IMeterFactory>());
        using var recorded = new MetricRecorder(services.GetRequiredService<IMeterFactory>());

        for (var i = 0; i < 250; i++)
        {
            metrics.Published($"type.{i}", 0.001);
        }

        metrics.Published("type.0", 0.001);

        var tags = recorded.Of("bridge.kafka.events.published").Select(m => m.Tags).ToList();
        Assert.Equal(201, tags.Distinct().Count());
        Assert.Equal(50, tags.Count(t => t == "type=other"));
        Assert.Equal(2, tags.Count(t => t == "type=type.0"));
    }

    /// <summary>Listens to the meter <c>Bridge.Kafka</c> created by one meter factory.</summary>
    internal sealed class MetricRecorder : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<(string Name, double Value, string Tags)> _measurements = [];

        public MetricRecorder(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == KafkaMetrics.MeterName && instrument.Meter.Scope == factory)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((i, v, t, _) => Add(i, v, t));
            _listener.SetMeasurementEventCallback<double>((i, v, t, _) => Add(i, v, t));
            _listener.Start();
        }

        public IReadOnlyList<(string Name, double Value, string Tags)> Of(string name)
        {
            lock (_measurements)
            {
                return _measurements.Where(m => m.Name == name).ToList();
            }
        }

        public void Dispose() => _listener.Dispose();

        private void Add(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var text = string.Join(',', tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (_measurements)
            {
                _measurements.Add((instrument.Name, value, text));
            }
        }
    }
}
