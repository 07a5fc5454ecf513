using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Bridge.Deploy.Tests;

/// <summary>Starts a bridge process and checks, over its HTTP port, that it serves: /readyz and Flagger's examples.</summary>
internal static partial class BridgeProbe
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    [GeneratedRegex(@"Ingress listening on http://[^\s:]+:(\d+)")]
    private static partial Regex IngressLine();

    /// <summary>The port the ingress announced in its log.</summary>
    public static async Task<int> IngressPortAsync(ScriptProcess bridge)
    {
        var line = await bridge.WaitForLineAsync(l => IngressLine().IsMatch(l), StartTimeout);
        return int.Parse(IngressLine().Match(line).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Waits for /readyz to answer 200, then posts every examples/flagger event (202) and the confirm-promotion hook (200).</summary>
    public static async Task ServesFlaggerAsync(ScriptProcess bridge, int port)
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };
        var ready = false;
        var lastAnswer = "no answer yet";
        var deadline = DateTime.UtcNow + StartTimeout;
        while (!ready)
        {
            Assert.False(bridge.HasExited, "The bridge exited before it was ready.\n" + bridge.Transcript);
            Assert.True(DateTime.UtcNow < deadline, $"/readyz did not answer 200 within {StartTimeout}; last: {lastAnswer}\n{bridge.Transcript}");
            try
            {
                using var response = await http.GetAsync(new Uri("/readyz", UriKind.Relative));
                ready = response.StatusCode == HttpStatusCode.OK;
                lastAnswer = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (HttpRequestException e)
            {
                lastAnswer = e.Message;
            }

            if (!ready)
            {
                await Task.Delay(100);
            }
        }

        var events = Directory.GetFiles(Repo.PathOf("examples", "flagger"), "event-*.json");
        Assert.NotEmpty(events);
        foreach (var file in events)
        {
            using var body = new StringContent(await File.ReadAllTextAsync(file), Encoding.UTF8, "application/json");
            using var response = await http.PostAsync(new Uri("/v1/flagger/events", UriKind.Relative), body);
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted,
                $"POST {Repo.Relative(file)}: {(int)response.StatusCode} {text}\n{bridge.Transcript}");
        }

        using var hook = new StringContent(await File.ReadAllTextAsync(Repo.PathOf("examples", "flagger", "hook-confirm-promotion.json")), Encoding.UTF8, "application/json");
        using var gate = await http.PostAsync(new Uri("/v1/flagger/hooks/confirm-promotion", UriKind.Relative), hook);
        Assert.True(gate.StatusCode == HttpStatusCode.OK, $"confirm-promotion: {(int)gate.StatusCode} {await gate.Content.ReadAsStringAsync()}");
    }
}
