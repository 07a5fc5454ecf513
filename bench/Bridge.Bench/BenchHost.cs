using System.Globalization;
using Bridge.Server.GrpcApi;
using Bridge.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Bridge.Bench;

/// <summary>The real bridge, composed as `make run` composes it, on 127.0.0.1 with free ports and its embedded Kafka.</summary>
internal static class BenchHost
{
    public static async Task<WebApplication> StartBridgeAsync(BenchOptions options)
    {
        var app = BridgeHost.Build([], builder => builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Ingress:Port"] = "0",
            ["Ingress:BindAddress"] = "127.0.0.1",
            ["Grpc:Port"] = "0",
            ["Grpc:BindAddress"] = "127.0.0.1",
            ["Kafka:LingerMs"] = options.LingerMs.ToString(CultureInfo.InvariantCulture),
            // A spool of its own per run, outside the repository; it stays empty while Kafka answers.
            ["Spool:Directory"] = Directory.CreateTempSubdirectory("bridge-bench-spool-").FullName,
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Bridge.Server.Kafka"] = "Warning",
        }));
        await app.StartAsync();
        return app;
    }

    public static Uri IngressAddress(WebApplication app) => app.Services.GetRequiredService<BridgeEndpoints>().Ingress;

    public static Uri GrpcAddress(WebApplication app) =>
        app.Services.GetRequiredService<BridgeEndpoints>().GetAddress(GrpcKestrelSetup.EndpointName);
}
