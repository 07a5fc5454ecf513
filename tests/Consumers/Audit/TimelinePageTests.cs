using Bridge.Audit.Tests.Browser;
using Microsoft.Playwright;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace Bridge.Audit.Tests;

/// <summary>
/// The timeline page in a real browser (Debian's Chromium through Playwright) against a real bridge and audit service:
/// a rollout posted to the bridge as Flagger posts it must appear on the open page and render its whole timeline.
/// </summary>
public sealed class TimelinePageTests : IClassFixture<AuditStack>
{
    // Through the bridge, Kafka, the subscriber, the database and the stream; generous for a loaded 2-core machine.
    private const float Timeout = 30_000;

    private readonly AuditStack _stack;
    private readonly ITestOutputHelper _output;

    public TimelinePageTests(AuditStack stack, ITestOutputHelper output)
    {
        _stack = stack;
        _output = output;
        SetDefaultExpectTimeout(Timeout);
    }

    [Fact]
    public async Task Page_RolloutPostedWhileOpen_ShowsCanaryPhaseWeightStepsChecksGateAndEnd()
    {
        await using var chromium = await ChromiumSession.StartAsync();
        var page = chromium.Page;
        try
        {
            // Arrange: the page is open and live before Flagger says anything about this canary.
            await page.GotoAsync(new Uri(_stack.AuditAddress, $"/?token={AuditStack.Token}").ToString());
            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
            Assert.DoesNotContain("token=", page.Url, StringComparison.Ordinal);
            var canary = page.Locator("li.canary[data-canary='shop/checkout']");
            await Expect(canary).ToHaveCountAsync(0);

            // Act
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            foreach (var request in FlaggerRollouts.Promoted("checkout", "shop", "7c2f1a9e", DateTimeOffset.UtcNow.AddMinutes(-5)))
            {
                await _stack.PostAsync(http, request);
            }

            // Assert: the canary with its phase, the rollout in the list, and its timeline.
            await Expect(canary).ToHaveAttributeAsync("data-phase", "Succeeded");
            await Expect(canary.Locator(".phase")).ToHaveTextAsync("Succeeded");
            var rollout = page.Locator("#rollouts li.rollout", new PageLocatorOptions { HasText = "shop/checkout" });
            await Expect(rollout).ToHaveAttributeAsync("data-status", "promoted");
            await rollout.GetByRole(AriaRole.Link).ClickAsync();
            await Expect(rollout.GetByRole(AriaRole.Link)).ToHaveAttributeAsync("aria-current", "true");

            var timeline = page.Locator("#timeline .rollout-detail[data-status='promoted']");
            await Expect(timeline.Locator("h3")).ToContainTextAsync("shop/checkout");
            await Expect(timeline.Locator(".weight-steps li .weight")).ToHaveTextAsync(["10%", "20%", "30%"]);
            await Expect(timeline.Locator("svg.weight-chart .weight-point")).ToHaveCountAsync(3);
            await Expect(timeline.Locator("svg.weight-chart .check-failed")).ToHaveCountAsync(1);
            await Expect(timeline.Locator("svg.weight-chart")).ToHaveAttributeAsync("aria-label", "Traffic to the new revision over 1m 05s: 10%, 20%, 30%, then 100% (promoted).");

            await Expect(timeline.Locator(".checks li[data-result='passed']")).ToHaveCountAsync(2);
            var failedCheck = timeline.Locator(".checks li[data-result='failed']");
            await Expect(failedCheck).ToContainTextAsync("Halt checkout.shop advancement <b>request-success-rate</b> 90.00% < 99%");
            await Expect(timeline.Locator(".checks b")).ToHaveCountAsync(0);

            var gate = timeline.Locator(".gates li[data-hook='confirm-promotion']");
            await Expect(gate).ToHaveAttributeAsync("data-approved", "true");
            await Expect(gate.Locator(".approver")).ToHaveTextAsync("alice");

            var end = timeline.Locator(".part-end .end");
            await Expect(end).ToHaveAttributeAsync("data-outcome", "promoted");
            await Expect(end.Locator(".outcome")).ToHaveTextAsync("Promoted");
            await Expect(end.Locator(".duration")).ToHaveTextAsync("1m 05s");
            await Expect(page.Locator("#announcer")).ToContainTextAsync("shop/checkout");

            await SaveScreenshotAsync(page, "timeline.png");

            // The same page as a browser in dark mode shows it: the colours follow the system setting.
            var lightBackground = await BackgroundOfAsync(page);
            await page.EmulateMediaAsync(new PageEmulateMediaOptions { ColorScheme = ColorScheme.Dark });
            Assert.NotEqual(lightBackground, await BackgroundOfAsync(page));
            await SaveScreenshotAsync(page, "timeline-dark.png");
            Assert.DoesNotContain(chromium.Console, l => l.StartsWith("page error:", StringComparison.Ordinal));

            // Works offline: the page, its styles, scripts and data all come from the audit service.
            var origin = _stack.AuditAddress.GetLeftPart(UriPartial.Authority);
            Assert.Contains(chromium.Requests, r => r.Contains("/js/app.js", StringComparison.Ordinal));
            Assert.All(chromium.Requests.Where(r => !r.StartsWith("data:", StringComparison.Ordinal)),
                r => Assert.StartsWith(origin + "/", r, StringComparison.Ordinal));
            Assert.DoesNotContain(chromium.Console, l => l.Contains("404", StringComparison.Ordinal));
        }
        catch
        {
            Report(chromium);
            throw;
        }
    }

    [Fact]
    public async Task Page_AuditServiceKilledAndRestarted_ReconnectsByItselfAndShowsWhatHappenedMeanwhile()
    {
        await using var chromium = await ChromiumSession.StartAsync();
        var page = chromium.Page;
        try
        {
            await page.GotoAsync(new Uri(_stack.AuditAddress, $"/?token={AuditStack.Token}").ToString());
            var connection = page.Locator("#connection");
            await Expect(connection).ToHaveAttributeAsync("data-state", "live");

            // The service goes away mid-stream; Flagger carries on meanwhile (the bridge keeps the events in Kafka).
            await _stack.KillAuditAsync();
            await Expect(connection).ToHaveAttributeAsync("data-state", "reconnecting");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            foreach (var request in FlaggerRollouts.RolledBack("cart", "shop", "0d4e5b6a", DateTimeOffset.UtcNow.AddMinutes(-2)))
            {
                await _stack.PostAsync(http, request);
            }

            await _stack.StartAuditAsync();

            // No reload: the page reconnects by itself and catches up from the API.
            await Expect(connection).ToHaveAttributeAsync("data-state", "live");
            var canary = page.Locator("li.canary[data-canary='shop/cart']");
            await Expect(canary).ToHaveAttributeAsync("data-phase", "Failed");
            var rollout = page.Locator("#rollouts li.rollout", new PageLocatorOptions { HasText = "shop/cart" });
            await Expect(rollout).ToHaveAttributeAsync("data-status", "rolledback");

            await rollout.GetByRole(AriaRole.Link).ClickAsync();
            Assert.EndsWith("#rollout=" + await rollout.GetAttributeAsync("data-rollout-id"), page.Url, StringComparison.Ordinal);
            var timeline = page.Locator("#timeline .rollout-detail[data-status='rolledback']");
            await Expect(timeline.Locator(".weight-steps li .weight")).ToHaveTextAsync(["10%"]);
            await Expect(timeline.Locator(".checks li[data-result='failed']")).ToHaveCountAsync(2);
            await Expect(timeline.Locator(".part-end .end .outcome")).ToHaveTextAsync("Rolled back");
            await Expect(timeline.Locator("svg.weight-chart")).ToHaveAttributeAsync("aria-label", "Traffic to the new revision over 20s: 10%, then 0%.");
        }
        catch
        {
            Report(chromium);
            throw;
        }
    }

    [Fact]
    public async Task Page_WithoutToken_AsksForOneRefusesAWrongOneAndGoesLiveWithTheRightOne()
    {
        await using var chromium = await ChromiumSession.StartAsync();
        var page = chromium.Page;
        try
        {
            await page.GotoAsync(_stack.AuditAddress.ToString());
            var form = page.Locator("#token-form");
            await Expect(form).ToBeVisibleAsync();
            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "signed-out");

            await page.GetByLabel("Token").FillAsync("not-the-token-of-this-service");
            await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Use token" }).ClickAsync();
            await Expect(page.Locator("#token-reason")).ToHaveTextAsync("The token is not valid.");
            await Expect(form).ToBeVisibleAsync();

            await page.GetByLabel("Token").FillAsync(AuditStack.Token);
            await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Use token" }).ClickAsync();
            await Expect(page.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");
            await Expect(form).ToBeHiddenAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new PageGetByRoleOptions { Name = "Canaries" })).ToBeVisibleAsync();
        }
        catch
        {
            Report(chromium);
            throw;
        }
    }

    private async Task SaveScreenshotAsync(IPage page, string name)
    {
        var path = Path.Combine(ChromiumSession.ArtifactsDirectory(), name);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = true });
        _output.WriteLine($"Screenshot of the timeline page: {path}");
        Assert.True(new FileInfo(path).Length > 0, $"The screenshot {path} is empty.");
    }

    private static Task<string> BackgroundOfAsync(IPage page) =>
        page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");

    private void Report(ChromiumSession chromium)
    {
        foreach (var line in chromium.Console)
        {
            _output.WriteLine($"browser {line}");
        }

        _output.WriteLine(_stack.Transcript);
    }
}
