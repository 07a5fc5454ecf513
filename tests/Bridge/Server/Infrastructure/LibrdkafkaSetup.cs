using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using Bridge.Server.Kafka;

namespace Bridge.Server.Tests.Infrastructure;

/// <summary>Binds Confluent.Kafka to the redist's librdkafka before any test builds a client of its own.</summary>
internal static class LibrdkafkaSetup
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255", Justification = "Tests build Confluent clients directly, with no bridge code to load librdkafka first; the first native call binds the library for the whole process.")]
    internal static void Initialize()
    {
        try
        {
            KafkaNativeLibrary.Load();
        }
        catch (InvalidOperationException)
        {
            // The same error is thrown, with its explanation, by every test that uses Kafka.
        }
    }
}
