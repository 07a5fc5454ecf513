namespace Bridge.CloudEvents.Tests;

public class CloudEventTests
{
    [Fact]
    public void Properties_SetValidValues_ReadBack()
    {
        var time = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var e = new CloudEvent
        {
            Id = "1",
            Source = "#frag",
            Type = "t",
            DataContentType = "application/json; charset=utf-8",
            DataSchema = "urn:x",
            Subject = "s",
            Time = time,
        };

        Assert.Equal("1.0", e.SpecVersion);
        Assert.Equal("#frag", e["source"]);
        Assert.Equal(new CloudEventTimestamp(time), e["time"]);
        Assert.Equal("1.0", e["specversion"]);
        Assert.True(e.IsValid);
    }

    [Theory]
    [InlineData("id", "", "must not be empty")]
    [InlineData("type", "", "must not be empty")]
    [InlineData("source", "", "must not be empty")]
    [InlineData("subject", "", "must not be empty")]
    [InlineData("dataschema", "", "must not be empty")]
    [InlineData("datacontenttype", "", "must not be empty")]
    [InlineData("source", "a b", "not a URI-reference")]
    [InlineData("dataschema", "/relative", "not an absolute URI")]
    [InlineData("dataschema", "type.googleapis.com/pkg.Msg", "not an absolute URI")]
    [InlineData("datacontenttype", "json", "is not a media type")]
    [InlineData("datacontenttype", "application/json;charset", "is not a media type")]
    [InlineData("id", "a\u0001", "U+0001")]
    [InlineData("time", "2024-01-01", "not an RFC 3339 timestamp")]
    [InlineData("specversion", "0.3", "'1.0'")]
    [InlineData("specversion", "1.0.2", "'1.0'")]
    public void Indexer_InvalidCoreValue_ThrowsNamingAttribute(string name, string value, string messagePart)
    {
        var e = TestEvents.Minimal();

        var ex = Assert.Throws<CloudEventFormatException>(() => e[name] = value);

        Assert.Equal(name, ex.AttributeName);
        Assert.Contains($"'{name}'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(messagePart, ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("My")]
    [InlineData("my_ext")]
    [InlineData("")]
    [InlineData("data")]
    [InlineData("ext-1")]
    public void Indexer_InvalidName_Throws(string name)
    {
        var e = TestEvents.Minimal();

        var ex = Assert.Throws<CloudEventFormatException>(() => e[name] = "v");

        Assert.Equal(name, ex.AttributeName);
    }

    [Fact]
    public void Indexer_ExtensionTypesInferredFromDotNetValue()
    {
        var e = TestEvents.WithExtensions();

        Assert.Equal(CloudEventAttributeType.Boolean, e.GetAttribute("extbool")!.Type);
        Assert.Equal(CloudEventAttributeType.Integer, e.GetAttribute("extint")!.Type);
        Assert.Equal(CloudEventAttributeType.String, e.GetAttribute("extstring")!.Type);
        Assert.Equal(CloudEventAttributeType.Binary, e.GetAttribute("extbinary")!.Type);
        Assert.Equal(CloudEventAttributeType.Uri, e.GetAttribute("exturi")!.Type);
        Assert.Equal(CloudEventAttributeType.UriReference, e.GetAttribute("exturiref")!.Type);
        Assert.Equal(CloudEventAttributeType.Timestamp, e.GetAttribute("exttime")!.Type);
        Assert.Equal("https://example.com/x%20y", e["exturi"]);
        Assert.Equal("../rel?q#f", e["exturiref"]);
    }

    [Fact]
    public void Indexer_UnsupportedDotNetType_Throws()
    {
        var e = TestEvents.Minimal();

        var ex = Assert.Throws<CloudEventFormatException>(() => e["ext"] = 1.5);

        Assert.Contains("Double", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Indexer_KnownIntegerExtensionFromCanonicalString_StoresInt()
    {
        var e = TestEvents.Minimal();

        e["knativebrokerttl"] = "12";

        Assert.Equal(12, e["knativebrokerttl"]);
        Assert.Throws<CloudEventFormatException>(() => e["knativebrokerttl"] = "twelve");
        Assert.Throws<CloudEventFormatException>(() => e["partitionkey"] = 5);
        Assert.Throws<CloudEventFormatException>(() => e["partitionkey"] = "");
    }

    [Fact]
    public void Indexer_SetNull_RemovesAttribute()
    {
        var e = TestEvents.WithExtensions();

        e["extbool"] = null;
        e["subject"] = "x";
        e["subject"] = null;

        Assert.Null(e["extbool"]);
        Assert.Null(e.Subject);
        Assert.DoesNotContain(e.GetPopulatedAttributes(), a => a.Attribute.Name is "extbool" or "subject");
    }

    [Fact]
    public void Indexer_BinaryValue_IsCopied()
    {
        var e = TestEvents.Minimal();
        byte[] bytes = [1, 2];

        e["bin"] = bytes;
        bytes[0] = 9;

        Assert.Equal(new byte[] { 1, 2 }, (byte[])e["bin"]!);
    }

    [Fact]
    public void Validate_MissingRequired_ThrowsNamingAttribute()
    {
        var e = new CloudEvent { Source = "/s", Type = "t" };

        var ex = Assert.Throws<CloudEventFormatException>(e.Validate);

        Assert.Equal("id", ex.AttributeName);
        Assert.Equal("Required attribute 'id' is missing", ex.Message);
        Assert.False(e.IsValid);
        e.Id = "1";
        Assert.True(e.IsValid);
        e.Source = null;
        Assert.Equal("source", Assert.Throws<CloudEventFormatException>(e.Validate).AttributeName);
    }

    [Fact]
    public void GetPopulatedAttributes_OrderIsCoreThenExtensionsInInsertionOrder()
    {
        var e = TestEvents.Minimal();
        e["zeta"] = "z";
        e.Subject = "s";
        e["alpha"] = "a";

        string[] names = e.GetPopulatedAttributes().Select(a => a.Attribute.Name).ToArray();

        Assert.Equal(["specversion", "id", "source", "type", "subject", "zeta", "alpha"], names);
    }

    [Fact]
    public void SetExtension_CoreName_Throws()
    {
        var e = TestEvents.Minimal();

        var ex = Assert.Throws<CloudEventFormatException>(() => e.SetExtension("id", "x"));

        Assert.Contains("core attribute", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetExtension_ReplacesValueAndKeepsPosition()
    {
        var e = TestEvents.Minimal();
        e.SetExtension("a", "1");
        e.SetExtension("b", "2");

        e.SetExtension("a", "3");

        Assert.Equal([("a", "3"), ("b", "2")], e.GetExtensions().Select(x => (x.Key.Name, (string)x.Value)));
        Assert.True(e.RemoveExtension("a"));
        Assert.False(e.RemoveExtension("a"));
    }

    [Fact]
    public void SetAttribute_UriTypedExtensionFromString_KeepsExactText()
    {
        var e = TestEvents.Minimal();

        e.SetAttribute(CloudEventAttribute.CreateExtension("schema", CloudEventAttributeType.Uri), "HTTPS://Example.COM/%7e");

        Assert.Equal("HTTPS://Example.COM/%7e", e["schema"]);
        Assert.Equal(CloudEventAttributeType.Uri, e.GetAttribute("schema")!.Type);
    }

    [Fact]
    public void Clone_IsIndependent()
    {
        var e = TestEvents.WithExtensions();

        CloudEvent copy = e.Clone();
        copy.Id = "other";
        copy["extbool"] = false;

        Assert.Equal("1", e.Id);
        Assert.Equal(true, e["extbool"]);
        TestEvents.AssertEqual(TestEvents.WithExtensions(), e);
    }

    [Fact]
    public void Time_DateTimeWithUnspecifiedKind_Rejected()
    {
        var e = TestEvents.Minimal();

        Assert.Throws<CloudEventFormatException>(() => e["time"] = new DateTime(2024, 1, 1));
        e["time"] = new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc);
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero), e.Time);
    }

    [Fact]
    public void PreciseTime_Nanoseconds_TimeIsTheTickViewAndIndexerTheWholeValue()
    {
        var e = TestEvents.Minimal();
        CloudEventTimestamp time = CloudEventTimestamp.Parse("2026-12-01T13:00:00.123456789+01:00");

        e.PreciseTime = time;

        Assert.True(time.EqualsExact(e.PreciseTime!.Value));
        Assert.True(new DateTimeOffset(2026, 12, 1, 13, 0, 0, TimeSpan.FromHours(1)).AddTicks(1234567).EqualsExact(e.Time!.Value));
        Assert.Equal(time, Assert.IsType<CloudEventTimestamp>(e["time"]));
        Assert.Equal("2026-12-01T12:00:00.123456789Z", CloudEventAttributes.Time.Format(e["time"]!));
        Assert.Equal(time, e.Clone().PreciseTime);
    }

    [Fact]
    public void Time_Set_ReplacesSubTickNanoseconds()
    {
        var e = TestEvents.Minimal();
        e.PreciseTime = CloudEventTimestamp.Parse("2026-12-01T12:00:00.123456789Z");

        e.Time = e.Time;

        Assert.Equal("2026-12-01T12:00:00.1234567Z", e.PreciseTime.ToString());
        e.Time = null;
        Assert.Null(e.PreciseTime);
        Assert.Null(e["time"]);
    }

    [Theory]
    [InlineData("time")]
    [InlineData("exttime")]
    public void Indexer_TimestampFromString_KeepsNanoseconds(string name)
    {
        var e = TestEvents.Minimal();
        e.SetAttribute(CloudEventAttributes.GetCore(name) ?? CloudEventAttribute.CreateExtension(name, CloudEventAttributeType.Timestamp),
            "2026-12-01T12:00:00.000000001Z");

        var value = Assert.IsType<CloudEventTimestamp>(e[name]);

        Assert.Equal(1, value.SubTickNanoseconds);
        Assert.Equal("2026-12-01T12:00:00.000000001Z", value.ToString());
    }

    [Fact]
    public void Indexer_DateTimeOffsetOrTimestampExtension_ReadBackAsTimestamp()
    {
        var e = TestEvents.Minimal();
        var offset = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.FromHours(-7));

        e["fromdto"] = offset;
        e["fromtimestamp"] = CloudEventTimestamp.FromUnixTime(0, 5);

        Assert.Equal(CloudEventAttributeType.Timestamp, e.GetAttribute("fromdto")!.Type);
        Assert.Equal(CloudEventAttributeType.Timestamp, e.GetAttribute("fromtimestamp")!.Type);
        Assert.True(new CloudEventTimestamp(offset).EqualsExact(Assert.IsType<CloudEventTimestamp>(e["fromdto"])));
        Assert.Equal(5, Assert.IsType<CloudEventTimestamp>(e["fromtimestamp"]).SubTickNanoseconds);
    }

    [Fact]
    public void Data_SetNull_Throws()
    {
        var e = TestEvents.Minimal();

        Assert.Throws<ArgumentNullException>(() => e.Data = null!);
        Assert.Same(CloudEventData.None, e.Data);
    }
}
