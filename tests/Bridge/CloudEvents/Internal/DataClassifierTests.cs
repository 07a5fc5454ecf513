using Bridge.CloudEvents.Internal;

namespace Bridge.CloudEvents.Tests.Internal;

public class DataClassifierTests
{
    [Theory]
    [InlineData(null, "{}", CloudEventDataKind.Binary)]
    [InlineData("application/json", "{}", CloudEventDataKind.Json)]
    [InlineData("application/cloudevents+json", "{}", CloudEventDataKind.Json)]
    [InlineData("text/json", "[1", CloudEventDataKind.Binary)]
    [InlineData("text/plain", "abc", CloudEventDataKind.Text)]
    [InlineData("text/plain; charset=latin1", "abc", CloudEventDataKind.Binary)]
    [InlineData("application/xml", "<a/>", CloudEventDataKind.Binary)]
    public void FromBody_Table_ClassifiesWithoutChangingBytes(string? contentType, string body, CloudEventDataKind kind)
    {
        byte[] bytes = System.Text.Encoding.UTF8.GetBytes(body);

        CloudEventData data = DataClassifier.FromBody(contentType, bytes);

        Assert.Equal(kind, data.Kind);
        Assert.Equal(bytes, data.ToBytes().ToArray());
    }

    [Fact]
    public void FromBody_TextWithInvalidUtf8_StaysBinary() =>
        Assert.Equal(CloudEventDataKind.Binary, DataClassifier.FromBody("text/plain", new byte[] { 0xC0, 0xA0 }).Kind);
}
