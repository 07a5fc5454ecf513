using Bridge.Server.Flagger;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Bridge.Server.Tests.Flagger;

public sealed class FlaggerServiceCollectionExtensionsTests
{
    private static ServiceProvider Build(Dictionary<string, string?> settings, TimeProvider? timeProvider = null)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        if (timeProvider is not null)
        {
            services.AddSingleton(timeProvider);
        }

        services.AddFlaggerMapping();
        services.AddFlaggerMapping();
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    [Fact]
    public void AddFlaggerMapping_Configuration_BoundIntoMapperAndDeduplicator()
    {
        var clock = new ManualTimeProvider();
        using var provider = Build(
            new()
            {
                ["Flagger:Source"] = "https://flagger.example.com",
                ["Flagger:ClusterName"] = "prod-eu",
                ["Flagger:DeduplicationCapacity"] = "2",
                ["Flagger:DeduplicationTtl"] = "00:10:00",
            },
            clock);

        var mapper = provider.GetRequiredService<FlaggerEventMapper>();
        var deduplicator = provider.GetRequiredService<GatePollDeduplicator>();

        Assert.Equal("https://flagger.example.com/clusters/prod-eu", mapper.Source);
        Assert.Same(mapper, provider.GetRequiredService<FlaggerEventMapper>());
        Assert.Same(deduplicator, provider.GetRequiredService<GatePollDeduplicator>());
        deduplicator.MarkPublished("a");
        deduplicator.MarkPublished("b");
        deduplicator.MarkPublished("c");
        Assert.Equal(2, deduplicator.Count);
        clock.Advance(TimeSpan.FromMinutes(10));
        Assert.False(deduplicator.WasPublished("c"));
    }

    [Fact]
    public void AddFlaggerMapping_NoConfiguration_Defaults()
    {
        using var provider = Build([]);

        Assert.Equal("/flagger", provider.GetRequiredService<FlaggerEventMapper>().Source);
        Assert.Single(provider.GetServices<IValidateOptions<FlaggerOptions>>());
    }

    [Fact]
    public void AddFlaggerMapping_InvalidConfiguration_FailsNamingKeys()
    {
        using var provider = Build(new() { ["Flagger:Source"] = "not a uri", ["Flagger:DeduplicationCapacity"] = "0" });

        var ex = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<FlaggerOptions>>().Value);

        Assert.Contains(ex.Failures, f => f.StartsWith("Flagger:Source 'not a uri'", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.StartsWith("Flagger:DeduplicationCapacity", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AddFlaggerMapping_InvalidConfiguration_HostFailsAtStart()
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Flagger:ClusterName"] = "a/b" });
        builder.Services.AddFlaggerMapping();
        using var host = builder.Build();

        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync());

        Assert.Contains(ex.Failures, f => f.StartsWith("Flagger:ClusterName 'a/b' is invalid", StringComparison.Ordinal));
    }
}
