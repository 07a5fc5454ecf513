namespace Bridge.CloudEvents.Kafka;

/// <summary>How an event is carried in one Kafka record. Kafka has no batch mode.</summary>
public enum KafkaContentMode
{
    /// <summary>Attributes in <c>ce_</c> headers, <c>content-type</c> = <c>datacontenttype</c>, the value is the data.</summary>
    Binary,

    /// <summary>The value is the whole event in the JSON format (<c>application/cloudevents+json; charset=UTF-8</c>).</summary>
    Structured,
}
