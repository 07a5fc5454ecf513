using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Bridge.Client.V1;
using Bridge.Server.Subscriptions;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using Grpc.Reflection.V1Alpha;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Bridge.Server.Tests.GrpcApi;

/// <summary>What the gRPC port serves besides the calls themselves: gRPC-Web, reflection, compression and TLS.</summary>
public sealed class GrpcEndpointTests
{
    [Fact]
    public async Task GrpcWeb_OverHttp11OnTheGrpcPort_PublishAndHealthWatchWork()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var recorder = new RecordingHandler(new SocketsHttpHandler());
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, recorder),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        var response = await new EventBridge.EventBridgeClient(channel).PublishAsync(
            new PublishRequest { Events = { GrpcBridgeHost.Event("from-a-browser") } }, deadline: DateTime.UtcNow.AddSeconds(30));
        using var watch = new Health.HealthClient(channel).Watch(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
        Assert.True(await watch.ResponseStream.MoveNext(CancellationToken.None));

        Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, Assert.Single(response.Results).OutcomeCase);
        Assert.Contains(watch.ResponseStream.Current.Status, new[] { ServingStatus.Serving, ServingStatus.NotServing });
        Assert.NotEmpty(recorder.Versions);
        Assert.All(recorder.Versions, v => Assert.Equal(HttpVersion.Version11, v));
    }

    [Fact]
    public async Task GrpcWeb_WatchOverHttp11_BrowserSubscribesAndDeliveriesAreAckedAsWritten()
    {
        await using var host = await GrpcBridgeHost.StartAsync();
        var accepted = await host.PublishAllAsync(GrpcBridgeHost.Event("w1"), GrpcBridgeHost.Event("w2"));
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWebText, new SocketsHttpHandler()),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });
        var open = new OpenSubscription { Subscription = "browser-page", Start = new StartPosition { Earliest = true } };

        var received = new List<SubscribeResponse>();
        using (var watch = new EventBridge.EventBridgeClient(channel).Watch(open, deadline: DateTime.UtcNow.AddSeconds(30)))
        {
            while (received.Count < 2 && await watch.ResponseStream.MoveNext(CancellationToken.None))
            {
                received.Add(watch.ResponseStream.Current);
            }
        }

        Assert.Equal(["w1", "w2"], received.Select(d => d.Event.Id));
        await host.WaitForCommitAsync("browser-page", accepted[1].Partition, accepted[1].Offset + 1);
    }

    [Fact]
    public async Task Watch_Unnamed_DeliversUnderAMadeUpGroupThatCommitsNothing()
    {
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Subscriptions:CommitInterval"] = "00:00:00.100" });
        var accepted = await host.PublishAllAsync(GrpcBridgeHost.Event("u1"), GrpcBridgeHost.Event("u2"));
        var client = new EventBridge.EventBridgeClient(GrpcChannel.ForAddress(host.GrpcAddress));
        var start = new StartPosition { Earliest = true };

        using var unnamed = client.Watch(new OpenSubscription { Start = start }, deadline: DateTime.UtcNow.AddSeconds(30));
        using var named = client.Watch(new OpenSubscription { Subscription = "named-reference", Start = start }, deadline: DateTime.UtcNow.AddSeconds(30));
        var received = new List<string>();
        while (received.Count < 2 && await unnamed.ResponseStream.MoveNext(CancellationToken.None))
        {
            received.Add(unnamed.ResponseStream.Current.Event.Id);
        }
        for (var i = 0; i < 2; i++)
        {
            Assert.True(await named.ResponseStream.MoveNext(CancellationToken.None));
        }
        var group = Assert.Single(host.Services.GetRequiredService<SubscriptionRegistry>().Snapshot(),
            s => s.Name.StartsWith(SubscriptionRequest.EphemeralPrefix, StringComparison.Ordinal)).Name;

        // The named Watch's commit shows that commit intervals passed with both streams open.
        await host.WaitForCommitAsync("named-reference", accepted[1].Partition, accepted[1].Offset + 1);
        Assert.Equal(["u1", "u2"], received);
        Assert.All(host.Committed(group).Values, offset => Assert.Equal(Offset.Unset.Value, offset));
    }

    [Fact]
    public async Task GrpcWeb_Disabled_Http11CallRefused()
    {
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Grpc:EnableGrpcWeb"] = "false" });
        using var channel = GrpcChannel.ForAddress(host.GrpcAddress, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, new SocketsHttpHandler()),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        var error = await Assert.ThrowsAsync<RpcException>(() => new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest()).ResponseAsync);

        Assert.NotEqual(StatusCode.OK, error.StatusCode);
    }

    [Fact]
    public async Task GrpcWeb_CorsOrigin_PreflightAllowedAndGrpcStatusExposed()
    {
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Grpc:CorsOrigins:0"] = "https://ops.example.com" });
        using var client = new HttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, new Uri(host.GrpcAddress, "/bridge.v1.EventBridge/Publish"));
        preflight.Headers.Add("Origin", "https://ops.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", "POST");
        preflight.Headers.Add("Access-Control-Request-Headers", "content-type,x-grpc-web,authorization");
        using var other = new HttpRequestMessage(HttpMethod.Options, new Uri(host.GrpcAddress, "/bridge.v1.EventBridge/Publish"));
        other.Headers.Add("Origin", "https://elsewhere.example.com");
        other.Headers.Add("Access-Control-Request-Method", "POST");

        using var allowed = await client.SendAsync(preflight);
        using var refused = await client.SendAsync(other);

        Assert.Equal("https://ops.example.com", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Fact]
    public async Task Reflection_ListServices_NamesEveryServiceOfThePort()
    {
        await using var host = await GrpcBridgeHost.StartAsync();

        var services = await ListServicesAsync(host.Channel);

        Assert.Contains("bridge.v1.EventBridge", services);
        Assert.Contains("grpc.health.v1.Health", services);
    }

    [Fact]
    public async Task Reflection_Disabled_Unimplemented()
    {
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?> { ["Grpc:EnableReflection"] = "false" });

        var error = await Assert.ThrowsAsync<RpcException>(() => ListServicesAsync(host.Channel));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Theory]
    [InlineData(true, null, "gzip")]
    [InlineData(false, null, null)]
    [InlineData(true, "identity", null)]
    public async Task ResponseCompression_ClientThatAcceptsGzip_GetsGzip(bool clientAcceptsGzip, string? setting, string? expected)
    {
        await using var host = await GrpcBridgeHost.StartAsync(setting is null ? null : new Dictionary<string, string?> { ["Grpc:ResponseCompression"] = setting });
        var recorder = new RecordingHandler(new SocketsHttpHandler());
        var options = new GrpcChannelOptions { HttpHandler = recorder };
        if (!clientAcceptsGzip)
        {
            options.CompressionProviders = [];
        }

        using var channel = GrpcChannel.ForAddress(host.GrpcAddress, options);
        var response = await new EventBridge.EventBridgeClient(channel).PublishAsync(
            new PublishRequest { Events = { GrpcBridgeHost.Event("compressed") } }, deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal(PublishResult.OutcomeOneofCase.Accepted, Assert.Single(response.Results).OutcomeCase);
        Assert.Equal(expected, Assert.Single(recorder.Encodings));
    }

    [Fact]
    public async Task Tls_PemCertificate_ServesNativeGrpcAndGrpcWebOnThePort()
    {
        using var tls = new TemporaryCertificate();
        await using var host = await GrpcBridgeHost.StartAsync(new Dictionary<string, string?>
        {
            ["Grpc:CertificatePath"] = tls.CertificatePath,
            ["Grpc:CertificateKeyPath"] = tls.KeyPath,
        });
        var address = new UriBuilder(host.GrpcAddress) { Scheme = Uri.UriSchemeHttps }.Uri;
        var native = new RecordingHandler(TrustingHandler(tls.Thumbprint));
        using var nativeChannel = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = native });
        var web = new RecordingHandler(TrustingHandler(tls.Thumbprint));
        using var webChannel = GrpcChannel.ForAddress(address, new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWeb, web),
            HttpVersion = HttpVersion.Version11,
            HttpVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        });

        await new Health.HealthClient(nativeChannel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30));
        await new Health.HealthClient(webChannel).CheckAsync(new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(30));

        Assert.Equal(HttpVersion.Version20, Assert.Single(native.Versions));
        Assert.Equal(HttpVersion.Version11, Assert.Single(web.Versions));
    }

    private static async Task<List<string>> ListServicesAsync(GrpcChannel channel)
    {
        using var call = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: DateTime.UtcNow.AddSeconds(30));
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = string.Empty });
        await call.RequestStream.CompleteAsync();
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        return call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
    }

    /// <summary>Trusts exactly the test's self-signed certificate.</summary>
    private static SocketsHttpHandler TrustingHandler(string thumbprint) => new()
    {
        SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate?.GetCertHashString() == thumbprint },
    };

    /// <summary>Records the HTTP version and <c>grpc-encoding</c> of every response.</summary>
    private sealed class RecordingHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public ConcurrentQueue<Version> Versions { get; } = new();

        public ConcurrentQueue<string?> Encodings { get; } = new();

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            Versions.Enqueue(response.Version);
            Encodings.Enqueue(response.Headers.TryGetValues("grpc-encoding", out var values) ? values.Single() : null);
            return response;
        }
    }

    /// <summary>A self-signed certificate for 127.0.0.1 in PEM files, deleted on dispose.</summary>
    private sealed class TemporaryCertificate : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("bridge-tls-").FullName;

        public TemporaryCertificate()
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddIpAddress(IPAddress.Loopback);
            request.CertificateExtensions.Add(names.Build());
            using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddHours(1));
            Thumbprint = certificate.GetCertHashString();
            File.WriteAllText(CertificatePath, certificate.ExportCertificatePem());
            File.WriteAllText(KeyPath, key.ExportPkcs8PrivateKeyPem());
        }

        public string Thumbprint { get; }

        public string CertificatePath => Path.Combine(_directory, "tls.crt");

        public string KeyPath => Path.Combine(_directory, "tls.key");

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
