namespace Bridge.CloudEvents.Http;

/// <summary>
/// How a Knative-style sender treats a subscriber's HTTP status (Knative eventing data-plane contract).
/// </summary>
/// <remarks>
/// 2xx is delivered. 404 (not ready), 408, 409 (in progress), 429 (overloaded) and 5xx are retried.
/// 1xx, 3xx (redirects are never followed) and other 4xx fail without retry. Codes outside 100-599, which the
/// contract does not list, are retried.
/// </remarks>
public static class KnativeDelivery
{
    /// <summary>Whether the event counts as delivered (any 2xx).</summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <returns>True for 200-299.</returns>
    public static bool IsDelivered(int statusCode) => statusCode is >= 200 and <= 299;

    /// <summary>Whether a failed delivery should be retried.</summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <returns>True for 404, 408, 409, 429, 5xx and codes outside 100-599; false for delivered codes and other failures.</returns>
    public static bool ShouldRetry(int statusCode) =>
        statusCode is 404 or 408 or 409 or 429 or (>= 500 and <= 599) or < 100 or > 599;

    /// <summary>
    /// Whether a response may be treated as a reply event: only 200 carries one. A 202 is never a reply, even when
    /// its body parses as an event.
    /// </summary>
    /// <param name="statusCode">The HTTP status code.</param>
    /// <returns>True for 200.</returns>
    public static bool MayCarryReply(int statusCode) => statusCode == 200;
}
