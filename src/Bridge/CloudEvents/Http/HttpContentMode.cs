namespace Bridge.CloudEvents.Http;

/// <summary>How an event is carried in one HTTP message.</summary>
public enum HttpContentMode
{
    /// <summary>Attributes in <c>ce-</c> headers, <c>Content-Type</c> = <c>datacontenttype</c>, the body is the data.</summary>
    Binary,

    /// <summary>The body is the whole event in the JSON format (<c>application/cloudevents+json; charset=UTF-8</c>).</summary>
    Structured,
}
