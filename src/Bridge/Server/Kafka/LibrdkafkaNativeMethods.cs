using System.Runtime.InteropServices;
using System.Text;

namespace Bridge.Server.Kafka;

/// <summary>
/// librdkafka entry points Confluent.Kafka does not wrap: the mock cluster API (rdkafka_mock.h of
/// librdkafka 2.16) and bare configuration objects. Strings cross as NUL-terminated UTF-8 byte arrays,
/// so no marshalling rules are involved.
/// </summary>
/// <remarks>
/// The import name resolves to the very library Confluent.Kafka uses once <see cref="KafkaNativeLibrary.Load"/>
/// has run: call it before the first of these methods.
/// </remarks>
internal static class LibrdkafkaNativeMethods
{
    private const string Library = KafkaNativeLibrary.ImportName;

    /// <summary>rd_kafka_type_t RD_KAFKA_PRODUCER.</summary>
    public const int ProducerType = 0;

    [DllImport(Library, EntryPoint = "rd_kafka_version_str")]
    public static extern IntPtr VersionString();

    [DllImport(Library, EntryPoint = "rd_kafka_conf_new")]
    public static extern IntPtr ConfNew();

    [DllImport(Library, EntryPoint = "rd_kafka_conf_set")]
    public static extern int ConfSet(IntPtr conf, byte[] name, byte[] value, byte[] errstr, UIntPtr errstrSize);

    [DllImport(Library, EntryPoint = "rd_kafka_conf_destroy")]
    public static extern void ConfDestroy(IntPtr conf);

    [DllImport(Library, EntryPoint = "rd_kafka_new")]
    public static extern IntPtr New(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

    [DllImport(Library, EntryPoint = "rd_kafka_destroy")]
    public static extern void Destroy(IntPtr rk);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_cluster_new")]
    public static extern IntPtr MockClusterNew(IntPtr rk, int brokerCount);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_cluster_destroy")]
    public static extern void MockClusterDestroy(IntPtr cluster);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_cluster_bootstraps")]
    public static extern IntPtr MockClusterBootstraps(IntPtr cluster);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_topic_create")]
    public static extern int MockTopicCreate(IntPtr cluster, byte[] topic, int partitionCount, int replicationFactor);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_topic_set_error")]
    public static extern void MockTopicSetError(IntPtr cluster, byte[] topic, int error);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_broker_set_down")]
    public static extern int MockBrokerSetDown(IntPtr cluster, int brokerId);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_broker_set_up")]
    public static extern int MockBrokerSetUp(IntPtr cluster, int brokerId);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_broker_set_rtt")]
    public static extern int MockBrokerSetRtt(IntPtr cluster, int brokerId, int rttMs);

    // The variadic rd_kafka_mock_push_request_errors cannot be called portably from .NET; this is its array twin.
    [DllImport(Library, EntryPoint = "rd_kafka_mock_push_request_errors_array")]
    public static extern void MockPushRequestErrorsArray(IntPtr cluster, short apiKey, UIntPtr count, int[] errors);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_clear_request_errors")]
    public static extern void MockClearRequestErrors(IntPtr cluster, short apiKey);

    [DllImport(Library, EntryPoint = "rd_kafka_mock_group_initial_rebalance_delay_ms")]
    public static extern void MockGroupInitialRebalanceDelayMs(IntPtr cluster, int delayMs);

    /// <summary>A NUL-terminated UTF-8 copy of <paramref name="value"/>.</summary>
    public static byte[] ToUtf8z(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }

    /// <summary>The text of an error buffer librdkafka filled (up to its first NUL).</summary>
    public static string FromUtf8z(byte[] buffer)
    {
        var length = Array.IndexOf(buffer, (byte)0);
        return Encoding.UTF8.GetString(buffer, 0, length < 0 ? buffer.Length : length);
    }
}
