using System.Net;
using Microsoft.Extensions.Options;

namespace Bridge.Server.GrpcApi;

/// <summary>
/// Where the gRPC endpoint binds, in section <c>Grpc</c> next to the gRPC server's own settings (port,
/// TLS, message sizes: <see cref="Bridge.Grpc.GrpcServerOptions"/>).
/// </summary>
/// <example><code>"Grpc": { "Port": 8081, "BindAddress": "0.0.0.0" }</code></example>
internal sealed class GrpcEndpointOptions
{
    public const string SectionName = Bridge.Grpc.GrpcServerOptions.SectionName;

    /// <summary>IP address the gRPC port binds to. Default <c>0.0.0.0</c> (every IPv4 interface).</summary>
    public string BindAddress { get; set; } = "0.0.0.0";
}

/// <summary>Checks <see cref="GrpcEndpointOptions"/> at start.</summary>
internal sealed class GrpcEndpointOptionsValidator : IValidateOptions<GrpcEndpointOptions>
{
    public ValidateOptionsResult Validate(string? name, GrpcEndpointOptions options) =>
        IPAddress.TryParse(options.BindAddress, out _)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"{GrpcEndpointOptions.SectionName}:BindAddress is '{options.BindAddress}'; use an IP address such as 0.0.0.0, :: or 127.0.0.1.");
}
