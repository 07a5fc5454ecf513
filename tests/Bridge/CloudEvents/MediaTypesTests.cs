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

    [Theory]
    [InlineData(null, "type.googleapis.com/flagger.v1.Canary", "application/protobuf; proto=flagger.v1.Canary")]
    [InlineData("application/protobuf", "type.googleapis.com/flagger.v1.Canary", "application/protobuf; proto=flagger.v1.Canary")]
    [InlineData("application/x-protobuf", "type.googleapis.com/a_b.C", "application/x-protobuf; proto=a_b.C")]
    [InlineData("Application/Protobuf; proto=old.Msg; encoding=binary", "type.googleapis.com/new.Msg", "Application/Protobuf; encoding=binary; proto=new.Msg")]
    [InlineData("application/protobuf; proto=\"x;y\" ; v=1", "type.googleapis.com/new.Msg", "application/protobuf ; v=1; proto=new.Msg")]
    [InlineData(null, "example.com/types/flagger.v1.Canary", "application/protobuf; proto=\"example.com/types/flagger.v1.Canary\"")]
    [InlineData(null, "type.googleapis.com/nested/pkg.Msg", "application/protobuf; proto=\"type.googleapis.com/nested/pkg.Msg\"")]
    [InlineData(null, "https://example.com/t?a=\"q\"\\/pkg.Msg", "application/protobuf; proto=\"https://example.com/t?a=\\\"q\\\"\\\\/pkg.Msg\"")]
    [InlineData("application/octet-stream", "type.googleapis.com/pkg.Msg", "application/octet-stream")]
    public void WithProtobufTypeUrl_Table_RoundTripsThroughTryGet(string? mediaType, string typeUrl, string expected)
    {
        string withType = MediaTypes.WithProtobufTypeUrl(mediaType, typeUrl);

        Assert.Equal(expected, withType);
        Assert.True(MediaTypes.IsValid(withType), withType);
        if (MediaTypes.IsProtobuf(withType))
        {
            Assert.True(MediaTypes.TryGetProtobufTypeUrl(withType, out string? back));
            Assert.Equal(typeUrl, back);
            Assert.False(MediaTypes.TryGetProtobufTypeUrl(MediaTypes.WithoutProtobufTypeUrl(withType), out _));
        }
    }

    [Theory]
    [InlineData("application/protobuf; proto=pkg.Msg", "type.googleapis.com/pkg.Msg")]
    [InlineData("APPLICATION/X-PROTOBUF;PROTO=pkg.Msg", "type.googleapis.com/pkg.Msg")]
    [InlineData("application/protobuf; charset=x; proto=\"example.com/pkg.Msg\"", "example.com/pkg.Msg")]
    [InlineData("application/protobuf; proto=\"a\\/b/pkg.Msg\"", "a/b/pkg.Msg")]
    public void TryGetProtobufTypeUrl_Valid_TypeUrl(string mediaType, string typeUrl)
    {
        Assert.True(MediaTypes.TryGetProtobufTypeUrl(mediaType, out string? actual));
        Assert.Equal(typeUrl, actual);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("application/protobuf")]
    [InlineData("application/protobuf; messagetype=pkg.Msg")]
    [InlineData("application/octet-stream; proto=pkg.Msg")]
    [InlineData("application/protobuf+json; proto=pkg.Msg")]
    [InlineData("application/protobuf; proto=\"\"")]
    [InlineData("application/protobuf; proto=\"example.com/\"")]
    [InlineData("application/protobuf; proto=\"example.com/a b\"")]
    [InlineData("application/protobuf; proto=\"unterminated")]
    public void TryGetProtobufTypeUrl_NoUsableType_False(string? mediaType) =>
        Assert.False(MediaTypes.TryGetProtobufTypeUrl(mediaType, out _));

    [Theory]
    [InlineData("application/protobuf; proto=pkg.Msg", "application/protobuf")]
    [InlineData("application/protobuf ;proto=pkg.Msg; a=1", "application/protobuf; a=1")]
    [InlineData("application/protobuf; a=\"proto=x\"; PROTO=\"p/q\"; b=2", "application/protobuf; a=\"proto=x\"; b=2")]
    [InlineData("application/protobuf; a=1", "application/protobuf; a=1")]
    public void WithoutProtobufTypeUrl_RemovesOnlyTheParameter(string mediaType, string expected) =>
        Assert.Equal(expected, MediaTypes.WithoutProtobufTypeUrl(mediaType));
}
