using Microsoft.Playwright;

namespace Bridge.Audit.Tests.Browser;

/// <summary>
/// Debian's Chromium driven by Playwright for .NET. Playwright's driver (node and its JavaScript package) ships in the
/// NuGet package and is copied next to the test assembly (.playwright/), so nothing is downloaded; the browser is
/// Debian's (<c>apt-get install chromium</c>, in the Makefile's TEST_DEBS), never one Playwright would install.
/// </summary>
public sealed class ChromiumSession : IAsyncDisposable
{
    public const string ExecutablePath = "/usr/bin/chromium";

    private readonly List<string> _console = [];
    private readonly List<string> _requests = [];

    private ChromiumSession(IPlaywright playwright, IBrowser browser, IBrowserContext context, IPage page)
    {
        Playwright = playwright;
        Browser = browser;
        Context = context;
        Page = page;
        page.Console += (_, message) =>
        {
            lock (_console)
            {
                _console.Add($"{message.Type}: {message.Text}");
            }
        };
        page.Request += (_, request) =>
        {
            lock (_requests)
            {
                _requests.Add(request.Url);
            }
        };
        page.PageError += (_, error) =>
        {
            lock (_console)
            {
                _console.Add($"page error: {error}");
            }
        };
    }

    public IPlaywright Playwright { get; }
    public IBrowser Browser { get; }
    public IBrowserContext Context { get; }
    public IPage Page { get; }

    /// <summary>What the page wrote to its console and the errors it threw.</summary>
    public IReadOnlyList<string> Console
    {
        get
        {
            lock (_console)
            {
                return [.. _console];
            }
        }
    }

    /// <summary>The address of every request the page made.</summary>
    public IReadOnlyList<string> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    /// <summary>Starts headless Chromium with one page; fails the test, saying what to install, when Chromium is missing.</summary>
    public static async Task<ChromiumSession> StartAsync()
    {
        Assert.True(File.Exists(ExecutablePath),
            $"Debian's Chromium is not installed ({ExecutablePath} is missing): run 'apt-get install chromium' (make test installs it with TEST_DEBS).");

        var playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
            {
                ExecutablePath = ExecutablePath,
                Headless = true,

                // Chromium's sandbox cannot start as root (containers, CI); small /dev/shm in containers; nothing online.
                Args = Environment.UserName == "root"
                    ? ["--no-sandbox", "--disable-dev-shm-usage", "--disable-background-networking"]
                    : ["--disable-dev-shm-usage", "--disable-background-networking"],
                Timeout = 60_000,
            });
            var context = await browser.NewContextAsync(new BrowserNewContextOptions
            {
                ViewportSize = new ViewportSize { Width = 1280, Height = 900 },
                Locale = "en-GB",
                TimezoneId = "UTC",
            });
            var page = await context.NewPageAsync();
            return new ChromiumSession(playwright, browser, context, page);
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Where screenshots are kept: TestResults/artifacts at the repository's root (what CI collects, next to the test
    /// results), or artifacts/ beside the test assembly when the tests run outside the repository.
    /// </summary>
    public static string ArtifactsDirectory()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Bridge.sln")))
            {
                return Directory.CreateDirectory(Path.Combine(dir.FullName, "TestResults", "artifacts")).FullName;
            }
        }

        return Directory.CreateDirectory(Path.Combine(AppContext.BaseDirectory, "artifacts")).FullName;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.CloseAsync();
        await Browser.CloseAsync();
        Playwright.Dispose();
    }
}
