using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bridge.Grpc.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Bridge.Grpc.Tests;

public sealed class GrpcKestrelExtensionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("grpc-tls-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task ListenGrpc_PemCertificate_ServesHttp2OverTls()
    {
        // Arrange: a self-signed certificate for 127.0.0.1 as PEM files.
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        string certPath = Path.Combine(_dir, "tls.crt");
        string keyPath = Path.Combine(_dir, "tls.key");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, key.ExportPkcs8PrivateKeyPem());

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpcServer().AddService<TestService>().ListenOnKestrel(IPAddress.Loopback);
        builder.Services.Configure<GrpcServerOptions>(o =>
        {
            o.Port = 0;
            o.CertificatePath = certPath;
            o.CertificateKeyPath = keyPath;
        });
        await using WebApplication app = builder.Build();
        app.UseGrpc();
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        using GrpcChannel channel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            ConfigureHandler = h => h.SslOptions.RemoteCertificateValidationCallback = (_, cert, _, _) =>
                cert is not null && cert.GetCertHashString() == certificate.GetCertHashString(),
        });

        // Act
        string response = await channel.UnaryAsync(TestService.Echo, "over tls");

        // Assert
        Assert.StartsWith("https://", address, StringComparison.Ordinal);
        Assert.Equal("over tls", response);
        await app.StopAsync();
    }

    [Fact]
    public async Task AddGrpcServer_InvalidOptions_StartFailsNamingKey()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddGrpcServer().ListenOnKestrel(IPAddress.Loopback);
        builder.Services.Configure<GrpcServerOptions>(o => o.MaxStreamsPerConnection = 0);

        // Kestrel reads the options while the application is built, so the failure may come from Build or Start.
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using WebApplication app = builder.Build();
            app.UseGrpc();
            await app.StartAsync();
        });

        Assert.Contains("Grpc:MaxStreamsPerConnection", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UseGrpc_WithoutAddGrpcServer_ThrowsClearMessage()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        using var app = (IDisposable)builder.Build();

        var ex = Assert.Throws<InvalidOperationException>(() => ((WebApplication)app).UseGrpc());

        Assert.Contains("AddGrpcServer", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddService_MethodRegisteredTwice_ThrowsNamingMethod()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostApplicationLifetime, FakeLifetime>();
        services.AddSingleton<Microsoft.Extensions.Configuration.IConfiguration>(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build());
        services.AddGrpcServer().AddService<TestService>();
        services.AddSingleton<IGrpcService>(new TestService());
        using ServiceProvider provider = services.BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<Bridge.Grpc.Internal.Server.GrpcMethodTable>());

        Assert.Contains("/test.Test/", ex.Message, StringComparison.Ordinal);
    }

    private sealed class FakeLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
