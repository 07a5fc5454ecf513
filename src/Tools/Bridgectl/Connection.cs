using Grpc.Core;
using Grpc.Net.Client;

namespace Bridge.Ctl;

/// <summary>Where the bridge's gRPC port is and the token to call it with: the options every remote command shares.</summary>
internal sealed class Connection
{
    public const string DefaultAddress = "http://127.0.0.1:8081";
    public const string AddressVariable = "BRIDGE_ADDRESS";
    public const string TokenVariable = "BRIDGE_TOKEN";

    public static readonly string[] Options = ["--address", "--token-file"];

    public const string Help = """
          --address URI        the bridge's gRPC port (default $BRIDGE_ADDRESS, else http://127.0.0.1:8081)
          --token-file PATH    file holding the bearer token (default: the token in $BRIDGE_TOKEN, else none)
        """;

    private Connection(Uri address, string? token) => (Address, Token) = (address, token);

    public Uri Address { get; }

    public string? Token { get; }

    /// <exception cref="CtlException">The address is not an absolute http(s) URI, or the token file cannot be read or is empty.</exception>
    public static Connection From(Arguments arguments, CtlConsole console)
    {
        string? text = arguments.Value("--address");
        string source = "--address";
        if (text is null)
        {
            text = console.Environment(AddressVariable);
            source = AddressVariable;
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            (text, source) = (DefaultAddress, "the default address");
        }

        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out Uri? address)
            || (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(address.Host))
        {
            throw CtlException.Usage($"invalid address '{text}' ({source}): expected an absolute http:// or https:// URI such as {DefaultAddress}");
        }

        return new Connection(address, ReadToken(arguments, console));
    }

    private static string? ReadToken(Arguments arguments, CtlConsole console)
    {
        string? path = arguments.Value("--token-file");
        if (path is null)
        {
            string? fromEnvironment = console.Environment(TokenVariable)?.Trim();
            return string.IsNullOrEmpty(fromEnvironment) ? null : fromEnvironment;
        }

        string token;
        try
        {
            token = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw CtlException.Usage($"cannot read the token file '{path}': {e.Message}");
        }

        return token.Length == 0 ? throw CtlException.Usage($"the token file '{path}' is empty") : token;
    }

    public GrpcChannel OpenChannel() => GrpcChannel.ForAddress(Address, new GrpcChannelOptions
    {
        // A deployment may allow Kafka records above the client's 4 MiB default; tail must still print those events.
        MaxReceiveMessageSize = 16 * 1024 * 1024,
    });

    public Metadata Headers()
    {
        var headers = new Metadata();
        if (Token is not null)
        {
            headers.Add("authorization", "Bearer " + Token);
        }

        return headers;
    }

    /// <summary>Turns a failed call into one line naming the bridge and what went wrong.</summary>
    public CtlException Describe(RpcException e, string action)
    {
        string detail = OneLine(e.Status.Detail);
        if (e.Status.DebugException is { } inner && !detail.Contains(inner.Message, StringComparison.Ordinal))
        {
            detail = $"{detail} ({OneLine(inner.InnerException?.Message ?? inner.Message)})";
        }

        return e.StatusCode switch
        {
            StatusCode.Unavailable => CtlException.Failure($"cannot {action}: the bridge at {Address} is unavailable: {detail}"),
            StatusCode.DeadlineExceeded => CtlException.Failure($"cannot {action}: the bridge at {Address} did not answer in time"),
            StatusCode.Unauthenticated => CtlException.Failure($"cannot {action}: the bridge at {Address} refused the token ({detail}); set --token-file or {TokenVariable}"),
            StatusCode.PermissionDenied => CtlException.Failure($"cannot {action}: the token may not do this at {Address}: {detail}"),
            StatusCode.InvalidArgument => CtlException.Usage($"cannot {action}: the bridge refused the request: {detail}"),
            _ => CtlException.Failure($"cannot {action}: the bridge at {Address} answered {e.StatusCode}: {detail}"),
        };
    }

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();
}
