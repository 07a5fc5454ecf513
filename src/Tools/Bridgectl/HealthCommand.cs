using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Ctl;

/// <summary><c>bridgectl health</c>: the gRPC health of the whole bridge and of its event service.</summary>
internal static class HealthCommand
{
    public const string Summary = "check the bridge's gRPC health (exit 0 only when SERVING)";

    public static readonly string Help = $"""
        Usage: bridgectl health [options]

        Asks the bridge's grpc.health.v1.Health service for the status of the whole server and of
        bridge.v1.EventBridge, and prints both. Exits 0 only when both are SERVING, 1 otherwise
        (not serving, unreachable, no answer in time), so it works as an exec probe or in scripts.

        Options:
        {Connection.Help}
          --timeout SECONDS    how long to wait for each answer (default 5)
          -h, --help           show this help
        """;

    internal static readonly string[] Services = ["", "bridge.v1.EventBridge"];

    public static async Task<int> RunAsync(Arguments arguments, CtlConsole console, CancellationToken cancellationToken)
    {
        arguments.ExpectPositionals(0, 0, "no arguments");
        TimeSpan timeout = Timeout(arguments.Value("--timeout"));
        Connection connection = Connection.From(arguments, console);
        using GrpcChannel channel = connection.OpenChannel();
        var client = new Health.HealthClient(channel);
        bool serving = true;
        foreach (string service in Services)
        {
            string name = service.Length == 0 ? "overall" : service;
            ServingStatus status;
            try
            {
                HealthCheckResponse response = await client.CheckAsync(new HealthCheckRequest { Service = service },
                    connection.Headers(), DateTime.UtcNow + timeout, cancellationToken);
                status = response.Status;
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
            {
                await console.Out.WriteLineAsync($"{name,-22} UNKNOWN (not registered)");
                serving = false;
                continue;
            }
            catch (RpcException e)
            {
                throw connection.Describe(e, "check health");
            }

            await console.Out.WriteLineAsync($"{name,-22} {Name(status)}");
            serving &= status == ServingStatus.Serving;
        }

        if (!serving)
        {
            throw CtlException.Failure($"the bridge at {connection.Address} is not serving");
        }

        return ExitCodes.Success;
    }

    private static TimeSpan Timeout(string? text)
    {
        if (text is null)
        {
            return TimeSpan.FromSeconds(5);
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds)
            && seconds > 0 && seconds <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw CtlException.Usage($"invalid --timeout '{text}': expected a number of seconds between 0 and 3600, such as 5 or 0.5");
    }

    private static string Name(ServingStatus status) => status switch
    {
        ServingStatus.Serving => "SERVING",
        ServingStatus.NotServing => "NOT_SERVING",
        ServingStatus.ServiceUnknown => "SERVICE_UNKNOWN",
        _ => "UNKNOWN",
    };
}
