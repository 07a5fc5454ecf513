namespace Bridge.CloudEvents.Tests;

public class CloudEventAttributeTests
{
    [Fact]
    public void Core_HasEightAttributesWithSpecTypes()
    {
        Assert.Equal(
            ["specversion", "id", "source", "type", "datacontenttype", "dataschema", "subject", "time"],
            CloudEventAttributes.Core.Select(a => a.Name));
        Assert.All(CloudEventAttributes.Core, a => Assert.False(a.IsExtension));
        Assert.Equal(["specversion", "id", "source", "type"], CloudEventAttributes.Core.Where(a => a.IsRequired).Select(a => a.Name));
        Assert.Equal(CloudEventAttributeType.UriReference, CloudEventAttributes.Source.Type);
        Assert.Equal(CloudEventAttributeType.Uri, CloudEventAttributes.DataSchema.Type);
        Assert.Equal(CloudEventAttributeType.Timestamp, CloudEventAttributes.Time.Type);
    }

    [Fact]
    public void CreateExtension_ValidName_CreatesExtension()
    {
        CloudEventAttribute a = CloudEventAttribute.CreateExtension("myext1", CloudEventAttributeType.Integer);

        Assert.Equal("myext1", a.Name);
        Assert.True(a.IsExtension);
        Assert.False(a.IsRequired);
        Assert.Equal(CloudEventAttributeType.Integer, a.Type);
    }

    [Theory]
    [InlineData("Upper", "only lower-case")]
    [InlineData("", "must not be empty")]
    [InlineData("data", "reserved")]
    [InlineData("time", "core attribute")]
    public void CreateExtension_InvalidName_Throws(string name, string messagePart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CloudEventAttribute.CreateExtension(name, CloudEventAttributeType.String));

        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateExtension_KnownNameWithOtherType_Throws()
    {
        Assert.Same(CloudEventAttributes.PartitionKey, CloudEventAttribute.CreateExtension("partitionkey", CloudEventAttributeType.String));
        Assert.Throws<CloudEventFormatException>(() => CloudEventAttribute.CreateExtension("partitionkey", CloudEventAttributeType.Integer));
    }

    [Fact]
    public void ParseAndFormat_TimeAttribute_RoundTrip()
    {
        object value = CloudEventAttributes.Time.Parse("2024-01-01T01:00:00+01:00");

        Assert.Equal("2024-01-01T00:00:00Z", CloudEventAttributes.Time.Format(value));
    }

    [Fact]
    public void Parse_DataContentTypeInvalid_Throws()
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CloudEventAttributes.DataContentType.Parse("text"));

        Assert.Equal("datacontenttype", e.AttributeName);
    }

    [Fact]
    public void IsValidName_Null_False() => Assert.False(CloudEventAttribute.IsValidName(null));
}
