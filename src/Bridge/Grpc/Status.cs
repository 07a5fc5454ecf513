using System.Globalization;

namespace Bridge.Grpc;

/// <summary>The outcome of a call: a <see cref="StatusCode"/> plus a human-readable detail.</summary>
public readonly record struct Status
{
    /// <summary>The status of a successful call.</summary>
    public static readonly Status DefaultSuccess = new(StatusCode.OK, string.Empty);

    /// <summary>The status of a call cancelled by the client.</summary>
    public static readonly Status DefaultCancelled = new(StatusCode.Cancelled, string.Empty);

    /// <summary>Creates a status.</summary>
    /// <param name="statusCode">The code.</param>
    /// <param name="detail">The detail message. May be null (treated as empty).</param>
    public Status(StatusCode statusCode, string? detail)
    {
        StatusCode = statusCode;
        Detail = detail ?? string.Empty;
    }

    /// <summary>The status code.</summary>
    public StatusCode StatusCode { get; }

    /// <summary>The detail message; never null, empty when there is none.</summary>
    public string Detail { get; }

    /// <inheritdoc />
    public override string ToString() =>
        string.Format(CultureInfo.InvariantCulture, "Status(StatusCode=\"{0}\", Detail=\"{1}\")", StatusCode, Detail);
}
