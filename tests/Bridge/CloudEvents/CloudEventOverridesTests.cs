namespace Bridge.CloudEvents.Tests;

public class CloudEventOverridesTests
{
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    [InlineData("{}")]
    [InlineData("{\"extensions\":null}")]
    [InlineData("{\"extensions\":{}}")]
    public void Parse_NothingToOverride_Empty(string? json) => Assert.Same(CloudEventOverrides.Empty, CloudEventOverrides.Parse(json));

    [Fact]
    public void ApplyTo_OverwritesAndAddsStringExtensions()
    {
        CloudEventOverrides overrides = CloudEventOverrides.Parse("{\"extensions\":{\"extra\":\"x\",\"additional\":\"42\"}}");
        CloudEvent e = TestEvents.Minimal();
        e["extra"] = 7;

        overrides.ApplyTo(e);

        Assert.Equal("x", e["extra"]);
        Assert.Equal("42", e["additional"]);
        Assert.Equal(CloudEventAttributeType.String, e.GetAttribute("additional")!.Type);
        Assert.Equal(2, overrides.Extensions.Count);
    }

    [Theory]
    [InlineData("{", null, "not valid JSON")]
    [InlineData("[]", null, "JSON object")]
    [InlineData("{\"extensions\":[]}", null, "object of name/string pairs")]
    [InlineData("{\"extensions\":{\"type\":\"x\"}}", "type", "cannot be overridden")]
    [InlineData("{\"extensions\":{\"Bad_Name\":\"x\"}}", "Bad_Name", "only lower-case")]
    [InlineData("{\"extensions\":{\"n\":42}}", "n", "JSON string")]
    [InlineData("{\"extensions\":{\"n\":\"a\\u0001\"}}", "n", "U+0001")]
    public void Parse_Invalid_ThrowsNamingProblem(string json, string? attribute, string messagePart)
    {
        var e = Assert.Throws<CloudEventFormatException>(() => CloudEventOverrides.Parse(json));

        Assert.Equal(attribute, e.AttributeName);
        Assert.Contains(messagePart, e.Message, StringComparison.Ordinal);
    }
}
