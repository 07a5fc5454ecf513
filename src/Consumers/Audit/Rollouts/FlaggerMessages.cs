using System.Globalization;
using System.Text.RegularExpressions;

namespace Bridge.Audit.Rollouts;

/// <summary>
/// Reads what Flagger only says in words: the weight and iteration of <c>weight.advanced</c>, the gate and webhook of
/// <c>approval.waiting</c> and <c>check.passed</c> (templates in docs/events.md).
/// </summary>
internal static partial class FlaggerMessages
{
    /// <summary>The canary weight, or the iteration and iteration count, or the primary weight of an advance message.</summary>
    public static (int? Weight, int? Iteration, int? Iterations, bool Primary) ParseAdvance(string? message)
    {
        if (message is null)
        {
            return (null, null, null, false);
        }

        if (CanaryWeight().Match(message) is { Success: true } canary)
        {
            return (Int(canary.Groups[1].Value), null, null, false);
        }

        if (PrimaryWeight().Match(message) is { Success: true } primary)
        {
            return (Int(primary.Groups[1].Value), null, null, true);
        }

        if (Iteration().Match(message) is { Success: true } iteration)
        {
            return (null, Int(iteration.Groups[1].Value), Int(iteration.Groups[2].Value), false);
        }

        return (null, null, null, false);
    }

    /// <summary>The gate (hook type) and webhook name Flagger waits for: "... waiting for promotion approval X".</summary>
    public static (string Hook, string? Webhook)? ParseWaiting(string? message)
    {
        if (message is null || Waiting().Match(message) is not { Success: true } match)
        {
            return null;
        }

        var hook = match.Groups[1].Value switch
        {
            "promotion " => "confirm-promotion",
            "traffic increase " => "confirm-traffic-increase",
            _ => "confirm-rollout",
        };
        var webhook = match.Groups[2].Value.Trim();
        return (hook, webhook.Length == 0 ? null : webhook);
    }

    /// <summary>The gate and webhook of a passed check: "Confirm-promotion check X passed"; null for other checks.</summary>
    public static (string Hook, string Webhook)? ParsePassedGate(string? message)
    {
        if (message is null || PassedGate().Match(message) is not { Success: true } match)
        {
            return null;
        }

        return ("c" + match.Groups[1].Value[1..], match.Groups[2].Value);
    }

    private static int? Int(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : null;

    [GeneratedRegex(@"^Advance \S+ canary weight (\d{1,9})$")]
    private static partial Regex CanaryWeight();

    [GeneratedRegex(@"^Advance \S+ primary weight (\d{1,9})$")]
    private static partial Regex PrimaryWeight();

    [GeneratedRegex(@"^Advance \S+ canary iteration (\d{1,9})/(\d{1,9})$")]
    private static partial Regex Iteration();

    [GeneratedRegex(@"^Halt \S+ advancement waiting for (promotion |traffic increase )?approval(.*)$")]
    private static partial Regex Waiting();

    [GeneratedRegex(@"^(Confirm-rollout|Confirm-promotion|Confirm-traffic-increase) check (.+) passed$")]
    private static partial Regex PassedGate();
}
