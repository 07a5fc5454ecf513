using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Bridge.Client;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bridge.Ctl;

/// <summary><c>bridgectl publish</c>: CloudEvents in the JSON format, from a file or stdin, through gRPC <c>Publish</c>.</summary>
internal static partial class PublishCommand
{
    public const string Summary = "publish CloudEvents (JSON format, single or batch) from a file or stdin";

    public static readonly string Help = $"""
        Usage: bridgectl publish [options] FILE|-

        Reads one CloudEvent (a JSON object) or a batch (a JSON array of them) in the CloudEvents JSON
        format from FILE, or from stdin with -, and publishes them with the Publish RPC. Prints the id of
        each accepted event, followed by "spooled" when the bridge spooled it because Kafka did not answer.
        A file that is not valid is refused before anything is sent, naming the problem and where it is.
        Exits 1 when the bridge refused any event (each refusal is printed on stderr).

        Options:
        {Connection.Help}
          --timeout SECONDS    how long to wait for the bridge's answer (default 30)
          -h, --help           show this help
        """;

    public static readonly string[] Options = [.. Connection.Options, "--timeout"];

    /// <summary>Largest input read; the bridge's own request limit is far below it.</summary>
    private const int MaxInputBytes = 64 * 1024 * 1024;

    public static async Task<int> RunAsync(Arguments arguments, CtlConsole console, CancellationToken cancellationToken)
    {
        arguments.ExpectPositionals(1, 1, "a FILE to publish, or - for stdin");
        string file = arguments.Positionals[0];
        TimeSpan timeout = Timeout(arguments.Value("--timeout"));
        Connection connection = Connection.From(arguments, console);
        IReadOnlyList<CloudEvent> events = Decode(await ReadAsync(file, console, cancellationToken), file == "-" ? "stdin" : file);
        if (events.Count == 0)
        {
            throw CtlException.Usage($"{(file == "-" ? "stdin" : file)} holds an empty batch: nothing to publish");
        }

        using GrpcChannel channel = connection.OpenChannel();
        using var client = new EventBridgeClient(channel, new EventBridgeClientOptions { Token = connection.Token });
        PublishResponse response;
        try
        {
            response = await client.PublishAsync(events, new CallOptions(deadline: DateTime.UtcNow + timeout, cancellationToken: cancellationToken));
        }
        catch (RpcException e)
        {
            throw connection.Describe(e, "publish");
        }

        int refused = 0;
        for (int i = 0; i < response.Results.Count; i++)
        {
            PublishResult result = response.Results[i];
            if (result.OutcomeCase == PublishResult.OutcomeOneofCase.Accepted)
            {
                await console.Out.WriteLineAsync(result.Accepted.Spooled ? $"{result.Id} spooled" : result.Id);
            }
            else
            {
                refused++;
                string reason = result.Error is null ? "no outcome given" : $"{Connection.OneLine(result.Error.Message)} (code {result.Error.Code})";
                await console.Error.WriteLineAsync($"bridgectl: event {i} (id '{result.Id}') refused: {reason}");
            }
        }

        return refused == 0 ? ExitCodes.Success : throw CtlException.Failure($"the bridge refused {refused} of {response.Results.Count} event(s)");
    }

    /// <summary>An object is one event, an array a batch, as the JSON format's two media types define them.</summary>
    internal static IReadOnlyList<CloudEvent> Decode(byte[] utf8Json, string name)
    {
        ReadOnlySpan<byte> content = utf8Json.AsSpan();
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..];
        }

        ReadOnlySpan<byte> trimmed = content.TrimStart(" \t\r\n"u8);
        if (trimmed.IsEmpty)
        {
            throw CtlException.Usage($"{name} is empty: expected a CloudEvent (JSON object) or a batch (JSON array)");
        }

        try
        {
            return trimmed[0] == (byte)'[' ? JsonEventFormat.DecodeBatch(content) : [JsonEventFormat.Decode(content)];
        }
        catch (CloudEventFormatException e)
        {
            throw CtlException.Usage($"{name} is not a valid CloudEvent in the JSON format: {Connection.OneLine(e.Message)}{Where(e.Message, content)}");
        }
    }

    /// <summary>
    /// The decoder names positions as byte offsets; an operator editing the file needs its line and column, so the
    /// last offset the message names is translated (JSON syntax errors already name the line).
    /// </summary>
    internal static string Where(string message, ReadOnlySpan<byte> content)
    {
        Match match = ByteOffset().Match(message);
        if (!match.Success || !int.TryParse(match.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out int offset)
            || offset < 0 || offset > content.Length)
        {
            return string.Empty;
        }

        ReadOnlySpan<byte> before = content[..offset];
        int line = before.Count((byte)'\n') + 1;
        int lineStart = before.LastIndexOf((byte)'\n') + 1;
        int column = Encoding.UTF8.GetCharCount(before[lineStart..]) + 1;
        return $" (line {line}, column {column})";
    }

    [GeneratedRegex(@"\bbyte (\d+)(?! of the line)", RegexOptions.RightToLeft | RegexOptions.CultureInvariant)]
    private static partial Regex ByteOffset();

    private static async Task<byte[]> ReadAsync(string file, CtlConsole console, CancellationToken cancellationToken)
    {
        try
        {
            await using Stream stream = file == "-" ? console.OpenInput() : File.OpenRead(file);
            using var buffer = new MemoryStream();
            byte[] chunk = new byte[81920];
            int read;
            while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (buffer.Length + read > MaxInputBytes)
                {
                    throw CtlException.Usage($"{(file == "-" ? "stdin" : file)} is larger than {MaxInputBytes / (1024 * 1024)} MiB");
                }

                buffer.Write(chunk, 0, read);
            }

            return buffer.ToArray();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw CtlException.Usage($"cannot read '{file}': {e.Message}");
        }
    }

    private static TimeSpan Timeout(string? text)
    {
        if (text is null)
        {
            return TimeSpan.FromSeconds(30);
        }

        return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double seconds)
            && seconds > 0 && seconds <= 3600
            ? TimeSpan.FromSeconds(seconds)
            : throw CtlException.Usage($"invalid --timeout '{text}': expected a number of seconds between 0 and 3600, such as 30");
    }
}
