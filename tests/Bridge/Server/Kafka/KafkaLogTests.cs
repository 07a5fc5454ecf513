using Bridge.Server.Kafka;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace Bridge.Server.Tests.Kafka;

public sealed class KafkaLogTests
{
    [Theory]
    [InlineData("FAIL", "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after 0ms in state CONNECT)")]
    [InlineData("FAIL", "kafka:9092/bootstrap: Failed to resolve 'kafka:9092': Name or service not known (after 2ms in state CONNECT)")]
    [InlineData("REQTMOUT", "kafka:9092/1: Timed out 1 in-flight, 0 retry-queued, 0 out-queue, 0 partially-sent requests")]
    public void Forward_BrokerConnectionFailure_LoggedAtDebugWhateverLibrdkafkasLevel(string facility, string text)
    {
        var logs = new LogCollector();

        KafkaLog.Forward(logs.CreateLogger<KafkaLogTests>(), new LogMessage("rdkafka#producer-1", SyslogLevel.Error, facility, text));

        var entry = Assert.Single(logs.Entries);
        Assert.Equal(LogLevel.Debug, entry.Level);
        Assert.Equal($"librdkafka {facility}: {text}", entry.Message);
    }

    [Theory]
    [InlineData(SyslogLevel.Error, LogLevel.Error)]
    [InlineData(SyslogLevel.Critical, LogLevel.Critical)]
    [InlineData(SyslogLevel.Warning, LogLevel.Warning)]
    [InlineData(SyslogLevel.Notice, LogLevel.Information)]
    [InlineData(SyslogLevel.Debug, LogLevel.Debug)]
    public void Forward_OtherLines_KeepLibrdkafkasLevel(SyslogLevel level, LogLevel expected)
    {
        var logs = new LogCollector();

        KafkaLog.Forward(logs.CreateLogger<KafkaLogTests>(), new LogMessage("rdkafka#producer-1", level, "CONFWARN", "Configuration property x is deprecated"));

        Assert.Equal(expected, Assert.Single(logs.Entries).Level);
    }

    [Theory]
    [InlineData(ErrorCode.Local_Transport, LogLevel.Debug, 1015)]
    [InlineData(ErrorCode.Local_AllBrokersDown, LogLevel.Debug, 1015)]
    [InlineData(ErrorCode.Local_Resolve, LogLevel.Debug, 1015)]
    [InlineData(ErrorCode.Local_TimedOut, LogLevel.Debug, 1015)]
    [InlineData(ErrorCode.NetworkException, LogLevel.Debug, 1015)]
    [InlineData(ErrorCode.Local_Authentication, LogLevel.Warning, 1011)]
    [InlineData(ErrorCode.SaslAuthenticationFailed, LogLevel.Warning, 1011)]
    [InlineData(ErrorCode.Local_Ssl, LogLevel.Warning, 1011)]
    [InlineData(ErrorCode.TopicAuthorizationFailed, LogLevel.Warning, 1011)]
    public void ClientError_ConnectivityAtDebugGenuineErrorsAtWarning(ErrorCode code, LogLevel level, int eventId)
    {
        var logs = new LogCollector();

        KafkaLog.ClientError(logs.CreateLogger<KafkaLogTests>(), new Error(code, "the reason"));

        var entry = Assert.Single(logs.Entries);
        Assert.Equal(level, entry.Level);
        Assert.Equal(eventId, entry.EventId.Id);
        Assert.EndsWith($"{code}: the reason", entry.Message, StringComparison.Ordinal);
    }
}
