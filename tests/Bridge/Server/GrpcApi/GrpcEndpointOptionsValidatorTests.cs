using Bridge.Server.GrpcApi;

namespace Bridge.Server.Tests.GrpcApi;

public sealed class GrpcEndpointOptionsValidatorTests
{
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
}
