using Confluent.Kafka;

namespace Bridge.Server.Kafka;

/// <summary>
/// Tells the failures of the way to Kafka (refused or reset connections, name resolution, timeouts, every broker
/// down) from genuine errors (authentication, TLS, authorization, fatal client errors). librdkafka retries the
/// former by itself, reporting each retry; the bridge's connection state summarises them in one line per change,
/// so clients log them at Debug while genuine errors stay visible.
/// </summary>
internal static class KafkaErrors
{
    /// <summary>True for errors that only say a broker could not be reached or did not answer in time.</summary>
    public static bool IsConnectivity(ErrorCode code) => code is
        ErrorCode.Local_Transport
        or ErrorCode.Local_AllBrokersDown
        or ErrorCode.Local_Resolve
        or ErrorCode.Local_TimedOut
        or ErrorCode.Local_TimedOutQueue
        or ErrorCode.BrokerNotAvailable
        or ErrorCode.NetworkException
        or ErrorCode.RequestTimedOut;

    /// <summary>
    /// True for librdkafka log lines about broker connections failing or timing out. The same failures reach the
    /// clients' error handlers with their error codes, where authentication and TLS failures are told apart.
    /// </summary>
    public static bool IsConnectivityLog(LogMessage message) => message.Facility is "FAIL" or "REQTMOUT" or "BROKERFAIL";
}
