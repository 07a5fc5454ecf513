using Bridge.Server.GrpcApi;

namespace Bridge.Server.Tests.GrpcApi;

public sealed class GrpcEndpointOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeeds() =>
        Assert.True(new GrpcEndpointOptionsValidator().Validate(null, new GrpcEndpointOptions()).Succeeded);

    [Theory]
    [InlineData("0.0.0.0")]
    [InlineData("127.0.0.1")]
    [InlineData("::")]
    public void Validate_IpAddress_Succeeds(string address) =>
        Assert.True(new GrpcEndpointOptionsValidator().Validate(null, new GrpcEndpointOptions { BindAddress = address }).Succeeded);

    [Theory]
    [InlineData("localhost")]
    [InlineData("")]
    [InlineData("300.1.1.1")]
    public void Validate_NotAnIpAddress_FailsNamingTheKey(string address)
    {
        var result = new GrpcEndpointOptionsValidator().Validate(null, new GrpcEndpointOptions { BindAddress = address });

        Assert.True(result.Failed);
        Assert.Contains("Grpc:BindAddress", result.FailureMessage, StringComparison.Ordinal);
    }

    private static readonly Action<GrpcEndpointOptions>[] Changes =
    [
        o => o.Port = 70000,
        o => o.MaxReceiveMessageSize = 0,
        o => o.MaxSendMessageSize = -1,
        o => o.MaxStreamsPerConnection = 0,
        o => o.KeepAlivePingDelay = TimeSpan.Zero,
        o => o.KeepAlivePingTimeout = TimeSpan.FromSeconds(-1),
        o => o.CertificateKeyPath = "/tls/tls.key",
        o => o.CertificatePath = "/no/such/cert.pem",
        o => o.CorsOrigins = ["https://ops.example.com/page"],
        o => o.CorsOrigins = ["ops.example.com"],
        o => o.ResponseCompression = "brotli",
    ];

    [Theory]
    [InlineData(0, "Grpc:Port")]
    [InlineData(1, "Grpc:MaxReceiveMessageSize")]
    [InlineData(2, "Grpc:MaxSendMessageSize")]
    [InlineData(3, "Grpc:MaxStreamsPerConnection")]
    [InlineData(4, "Grpc:KeepAlivePingDelay")]
    [InlineData(5, "Grpc:KeepAlivePingTimeout")]
    [InlineData(6, "Grpc:CertificateKeyPath")]
    [InlineData(7, "Grpc:CertificatePath")]
    [InlineData(8, "Grpc:CorsOrigins:0")]
    [InlineData(9, "Grpc:CorsOrigins:0")]
    [InlineData(10, "Grpc:ResponseCompression")]
    public void Validate_BadValue_FailsNamingTheKey(int change, string key)
    {
        var options = new GrpcEndpointOptions();
        Changes[change](options);

        var result = new GrpcEndpointOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("*")]
    [InlineData("https://ops.example.com")]
    [InlineData("http://localhost:3000")]
    public void Validate_CorsOrigin_Succeeds(string origin) =>
        Assert.True(new GrpcEndpointOptionsValidator().Validate(null, new GrpcEndpointOptions { CorsOrigins = [origin] }).Succeeded);
}
