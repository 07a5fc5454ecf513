namespace Bridge.Server.Subscriptions;

/// <summary>An open request the bridge cannot serve; the message names the field and the problem (INVALID_ARGUMENT).</summary>
internal sealed class InvalidSubscriptionException(string message) : Exception(message);
