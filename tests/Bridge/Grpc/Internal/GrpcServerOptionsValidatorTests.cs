using Bridge.Grpc.Internal;

namespace Bridge.Grpc.Tests.Internal;

public class GrpcServerOptionsValidatorTests
{
    private readonly GrpcServerOptionsValidator _validator = new();

    [Fact]
    public void Validate_Defaults_Succeeds()
    {
        Assert.True(_validator.Validate(null, new GrpcServerOptions()).Succeeded);
    }

    [Theory]
    [InlineData("Port", "Grpc:Port")]
    [InlineData("MaxReceiveMessageSize", "Grpc:MaxReceiveMessageSize")]
    [InlineData("MaxSendMessageSize", "Grpc:MaxSendMessageSize")]
    [InlineData("MaxStreamsPerConnection", "Grpc:MaxStreamsPerConnection")]
    [InlineData("KeepAlivePingDelay", "Grpc:KeepAlivePingDelay")]
    [InlineData("KeepAlivePingTimeout", "Grpc:KeepAlivePingTimeout")]
    [InlineData("CertificatePath", "Grpc:CertificatePath")]
    [InlineData("CertificateKeyPath", "Grpc:CertificateKeyPath")]
    public void Validate_BadValue_FailsNamingTheKey(string property, string key)
    {
        var options = new GrpcServerOptions();
        switch (property)
        {
            case "Port": options.Port = 70000; break;
            case "MaxReceiveMessageSize": options.MaxReceiveMessageSize = 0; break;
            case "MaxSendMessageSize": options.MaxSendMessageSize = -1; break;
            case "MaxStreamsPerConnection": options.MaxStreamsPerConnection = 0; break;
            case "KeepAlivePingDelay": options.KeepAlivePingDelay = TimeSpan.Zero; break;
            case "KeepAlivePingTimeout": options.KeepAlivePingTimeout = TimeSpan.FromSeconds(-2); break;
            case "CertificatePath": options.CertificatePath = "/nonexistent/cert.pfx"; break;
            case "CertificateKeyPath": options.CertificateKeyPath = "/tmp/key.pem"; break;
        }

        var result = _validator.Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(key, result.FailureMessage, StringComparison.Ordinal);
    }
}
