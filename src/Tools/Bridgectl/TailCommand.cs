using System.Text;
using Bridge.Client;
using Bridge.Client.V1;
using Bridge.CloudEvents;
using Grpc.Core;
using Grpc.Net.Client;

namespace Bridge.Ctl;

/// <summary><c>bridgectl tail</c>: follows the bridge's events live over <c>Watch</c>.</summary>
internal static class TailCommand
{
    public const string Summary = "follow events live (Watch), as CloudEvents JSON lines or text";

    public static readonly string Help = $"""
        Usage: bridgectl tail [options]

        Follows the bridge's events as they arrive, with the Watch RPC: each event counts as delivered once
        the bridge wrote it to this stream (at most once), so tailing never holds back or replays anything
        for the bridge's real subscribers. The Watch is unnamed: nothing is committed, nothing stays in Kafka.
        Stops after --count events, on Ctrl-C (exit 0), or when the bridge ends the stream (exit 1).

        Options:
        {Connection.Help}
          --type PREFIX        only event types starting with PREFIX (repeatable: any of them),
                               e.g. app.flagger.canary.rollout.
          --namespace NS       only events of canary namespace NS (repeatable: any of them)
          --severity LEVEL     only events of severity LEVEL or above: info, warn or error
          --output FORMAT      json (one CloudEvents JSON object per line, the default) or text
                               (time, severity, subject, type, message)
          --count N            stop after N events
          --start POSITION     latest (the default), earliest, or an RFC 3339 time such as 2026-12-01T10:00:00Z
          -h, --help           show this help
        """;

    public static readonly string[] Options = [.. Connection.Options, "--type", "--namespace", "--severity", "--output", "--count", "--start"];

    public static readonly string[] Repeatable = ["--type", "--namespace"];

    private static readonly string[] Severities = ["info", "warn", "error"];

    public static async Task<int> RunAsync(Arguments arguments, CtlConsole console, CancellationToken cancellationToken)
    {
        arguments.ExpectPositionals(0, 0, "no arguments");
        OpenSubscription open = BuildOpen(arguments);
        bool json = Format(arguments.Value("--output"));
        long count = Count(arguments.Value("--count"));
        Connection connection = Connection.From(arguments, console);

        using GrpcChannel channel = connection.OpenChannel();
        var client = new EventBridge.EventBridgeClient(channel);
        long written = 0;
        try
        {
            using AsyncServerStreamingCall<SubscribeResponse> call = client.Watch(open, connection.Headers(), cancellationToken: cancellationToken);
            await call.ResponseHeadersAsync.ConfigureAwait(false);
            await console.Error.WriteLineAsync($"bridgectl: watching {connection.Address} (Ctrl-C to stop)");
            await foreach (SubscribeResponse response in call.ResponseStream.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                if (response.Event is null)
                {
                    continue;
                }

                CloudEvent cloudEvent = ProtobufEventFormat.FromProto(response.Event);
                await console.Out.WriteLineAsync(json ? Encoding.UTF8.GetString(JsonEventFormat.Encode(cloudEvent)) : EventText.Line(cloudEvent));
                await console.Out.FlushAsync(cancellationToken);
                if (++written == count)
                {
                    return ExitCodes.Success;
                }
            }
        }
        catch (RpcException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Success;
        }
        catch (RpcException e)
        {
            throw connection.Describe(e, "watch events");
        }

        throw CtlException.Failure($"the bridge at {connection.Address} ended the stream after {written} event(s)");
    }

    internal static OpenSubscription BuildOpen(Arguments arguments)
    {
        // Unnamed: the bridge makes up a group for the call and commits nothing, so no tail leaves offsets behind.
        var open = new OpenSubscription();
        string? start = arguments.Value("--start");
        if (start is not null)
        {
            open.Start = StartPositions.TryParse(start, out StartPosition? position)
                ? position
                : throw CtlException.Usage($"invalid --start '{start}': expected latest, earliest or an RFC 3339 time such as 2026-12-01T10:00:00Z");
        }
        else
        {
            open.Start = StartPositions.Latest();
        }

        IReadOnlyList<string> types = arguments.Values("--type");
        foreach (string type in types.Where(t => t.Length == 0))
        {
            throw CtlException.Usage($"invalid --type '{type}': the prefix must not be empty");
        }

        AddAny(open, types.Select(t => Filters.Prefix("type", t)));

        IReadOnlyList<string> namespaces = arguments.Values("--namespace");
        foreach (string ns in namespaces.Where(n => n.Length == 0 || n.Any(char.IsWhiteSpace)))
        {
            throw CtlException.Usage($"invalid --namespace '{ns}': expected a Kubernetes namespace such as prod-eu");
        }

        AddAny(open, namespaces.Select(n => Filters.Exact("namespace", n)));

        string? severity = arguments.Value("--severity");
        if (severity is not null)
        {
            int level = Array.IndexOf(Severities, severity.Trim().ToLowerInvariant());
            if (level < 0)
            {
                throw CtlException.Usage($"invalid --severity '{severity}': expected info, warn or error");
            }

            // Every event has a severity, so "info and above" selects everything and needs no filter.
            if (level > 0)
            {
                AddAny(open, Severities.Skip(level).Select(s => Filters.Exact("severity", s)));
            }
        }

        return open;
    }

    private static void AddAny(OpenSubscription open, IEnumerable<Filter> alternatives)
    {
        Filter[] filters = [.. alternatives];
        if (filters.Length == 1)
        {
            open.Filters.Add(filters[0]);
        }
        else if (filters.Length > 1)
        {
            open.Filters.Add(Filters.Any(filters));
        }
    }

    private static bool Format(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        null or "json" => true,
        "text" => false,
        _ => throw CtlException.Usage($"invalid --output '{text}': expected json or text"),
    };

    private static long Count(string? text)
    {
        if (text is null)
        {
            return -1;
        }

        return long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long count) && count > 0
            ? count
            : throw CtlException.Usage($"invalid --count '{text}': expected a whole number of events greater than 0");
    }
}
