namespace Bridge.CloudEvents.Tests;

public class MediaTypesTests
{
    [Theory]
    [InlineData("application/json", true)]
    [InlineData("APPLICATION/JSON", true)]
    [InlineData("text/json", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("application/vnd.example+json", true)]
    [InlineData("application/CloudEvents+JSON", true)]
    [InlineData(" application/json ;charset=utf-8", true)]
    [InlineData("application/jsonx", false)]
    [InlineData("application/xml", false)]
    [InlineData("application/+json", false)]
    [InlineData("json", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsJson_Table(string? mediaType, bool expected) => Assert.Equal(expected, MediaTypes.IsJson(mediaType));

    [Theory]
    [InlineData("text/plain", true)]
    [InlineData("application/json; charset=utf-8", true)]
    [InlineData("application/json;charset=\"utf-8\"", true)]
    [InlineData("application/json;", true)]
    [InlineData("application/json; a=1; b=\"x;y\"", true)]
    [InlineData("multipart/form-data; boundary=\"a b\"", true)]
    [InlineData("text", false)]
    [InlineData("/plain", false)]
    [InlineData("text/", false)]
    [InlineData("text/plain charset=utf-8", false)]
    [InlineData("text/plain; charset", false)]
    [InlineData("text/plain; charset=", false)]
    [InlineData("text/plain; charset=\"utf-8", false)]
    [InlineData("text/pl ain", false)]
    [InlineData("text/plain ", false)]
    [InlineData(null, false)]
    public void IsValid_Table(string? mediaType, bool expected) => Assert.Equal(expected, MediaTypes.IsValid(mediaType));

    [Theory]
    [InlineData("application/cloudevents+json", true, false)]
    [InlineData("Application/CloudEvents+Json; charset=UTF-8", true, false)]
    [InlineData("application/cloudevents-batch+json", true, true)]
    [InlineData("APPLICATION/CLOUDEVENTS-BATCH+PROTOBUF", true, true)]
    [InlineData("application/json", false, false)]
    [InlineData(null, false, false)]
    public void IsCloudEvents_Table(string? mediaType, bool cloudEvents, bool batch)
    {
        Assert.Equal(cloudEvents, MediaTypes.IsCloudEvents(mediaType));
        Assert.Equal(batch, MediaTypes.IsCloudEventsBatch(mediaType));
    }

    [Theory]
    [InlineData("text/plain", true)]
    [InlineData("text/plain; charset=UTF-8", true)]
    [InlineData("text/csv; charset=us-ascii", true)]
    [InlineData("text/plain; charset=iso-8859-1", false)]
    [InlineData("application/xml", false)]
    public void IsUtf8Text_Table(string mediaType, bool expected) => Assert.Equal(expected, MediaTypes.IsUtf8Text(mediaType));

    [Fact]
    public void GetParameter_QuotedValue_Unquoted() =>
        Assert.Equal("utf-8", MediaTypes.GetParameter("text/plain; Charset=\"utf-8\"", "charset"));
}
