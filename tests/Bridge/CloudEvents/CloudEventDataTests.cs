using System.Text;
using System.Text.Json;
using Google.Protobuf.WellKnownTypes;

namespace Bridge.CloudEvents.Tests;

public class CloudEventDataTests
{
    [Fact]
    public void None_AndJsonNull_AreDifferent()
    {
        Assert.True(CloudEventData.None.IsNone);
        Assert.False(CloudEventData.JsonNull.IsNone);
        Assert.True(CloudEventData.JsonNull.IsJsonNull);
        Assert.NotEqual(CloudEventData.None, CloudEventData.JsonNull);
        Assert.Equal(JsonValueKind.Null, CloudEventData.JsonNull.ToJsonElement().ValueKind);
    }

    [Fact]
    public void FromJson_KeepsExactBytes()
    {
        byte[] json = Encoding.UTF8.GetBytes("{ \"b\" : 2,\n \"a\":1 }");

        CloudEventData data = CloudEventData.FromJson(json);

        Assert.Equal(json, data.Bytes.ToArray());
        Assert.Equal(2, data.ToJsonElement().GetProperty("b").GetInt32());
    }

    [Theory]
    [InlineData("")]
    [InlineData("{")]
    [InlineData("1 2")]
    [InlineData("{'a':1}")]
    [InlineData("// c\n1")]
    public void FromJson_Invalid_Throws(string json)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CloudEventData.FromJson(json));

        Assert.Equal("data", e.AttributeName);
    }

    [Fact]
    public void FromJson_Element_UsesRawText()
    {
        using JsonDocument doc = JsonDocument.Parse("[1, 2]");

        CloudEventData data = CloudEventData.FromJson(doc.RootElement);

        Assert.Equal("[1, 2]", Encoding.UTF8.GetString(data.Bytes.Span));
    }

    [Fact]
    public void ToBytes_EachKind_GivesWireBytes()
    {
        var any = Any.Pack(new StringValue { Value = "v" });

        Assert.Equal(new byte[] { 1 }, CloudEventData.FromBytes(new byte[] { 1 }).ToBytes().ToArray());
        Assert.Equal("é"u8.ToArray(), CloudEventData.FromText("é").ToBytes().ToArray());
        Assert.Equal("[1]"u8.ToArray(), CloudEventData.FromJson("[1]").ToBytes().ToArray());
        Assert.Equal(any.Value.ToByteArray(), CloudEventData.FromProto(any).ToBytes().ToArray());
        Assert.True(CloudEventData.None.ToBytes().IsEmpty);
    }

    [Fact]
    public void Equality_ComparesKindAndContent()
    {
        Assert.Equal(CloudEventData.FromBytes(new byte[] { 1, 2 }), CloudEventData.FromBytes(new byte[] { 1, 2 }));
        Assert.NotEqual(CloudEventData.FromBytes("[1]"u8.ToArray()), CloudEventData.FromJson("[1]"));
        Assert.NotEqual(CloudEventData.FromText("a"), CloudEventData.FromText("b"));
        Assert.Equal(CloudEventData.FromProto(new StringValue { Value = "v" }), CloudEventData.FromProto(new StringValue { Value = "v" }));
        Assert.Equal(CloudEventData.FromText("a").GetHashCode(), CloudEventData.FromText("a").GetHashCode());
    }

    [Fact]
    public void FromProto_AnyWithoutTypeUrl_Throws() =>
        Assert.Throws<ArgumentException>(() => CloudEventData.FromProto(new Any()));

    [Theory]
    [InlineData("pkg.Msg")]
    [InlineData("type.googleapis.com/")]
    [InlineData("type.googleapis.com/pkg\tMsg")]
    [InlineData("type.googleapis.com/pkg.Mé")]
    public void FromProto_TypeUrlNoBindingCanCarry_ThrowsNamingIt(string typeUrl)
    {
        var e = Assert.Throws<ArgumentException>(() => CloudEventData.FromProto(new Any { TypeUrl = typeUrl }));

        Assert.Contains("type URL", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToJsonElement_NotJson_Throws() =>
        Assert.Throws<InvalidOperationException>(() => CloudEventData.FromText("x").ToJsonElement());
}
