namespace Bridge.Server.Tests.Infrastructure;

public sealed class TestKafkaTests
{
    [Theory]
    [InlineData("kafka-0:9092", true, TestKafkaKind.External)]
    [InlineData("kafka-0:9092", false, TestKafkaKind.External)]
    [InlineData(null, true, TestKafkaKind.Container)]
    [InlineData(" ", true, TestKafkaKind.Container)]
    [InlineData(null, false, TestKafkaKind.Embedded)]
    [InlineData("", false, TestKafkaKind.Embedded)]
    public void Choose_BootstrapServersThenDockerThenEmbedded(string? bootstrapServers, bool dockerAnswers, TestKafkaKind expected)
    {
        Assert.Equal(expected, TestKafka.Choose(bootstrapServers, dockerAnswers));
    }

    [Fact]
    public void Kind_ThisRun_FollowsTheRuleAndSaysWhy()
    {
        var configured = Environment.GetEnvironmentVariable(TestKafka.BootstrapServersVariable);

        var kind = TestKafka.Kind;

        Assert.Equal(TestKafka.Choose(configured, kind == TestKafkaKind.Container), kind);
        Assert.StartsWith(TestKafka.BootstrapServersVariable + (kind == TestKafkaKind.External ? " is set" : " is unset"), TestKafka.Reason, StringComparison.Ordinal);
    }
}
