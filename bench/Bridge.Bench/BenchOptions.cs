using System.Globalization;

namespace Bridge.Bench;

/// <summary>Command-line settings of a benchmark run.</summary>
internal sealed record BenchOptions(
    HashSet<string> Only,
    TimeSpan Duration,
    TimeSpan Warmup,
    int Connections,
    int Threads,
    int LingerMs,
    int Events)
{
    public static readonly string[] Names = ["ingress", "publish", "e2e", "notifier", "audit"];

    public bool Runs(string name) => Only.Count == 0 || Only.Contains(name);

    public static BenchOptions Parse(string[] args)
    {
        var only = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var duration = TimeSpan.FromSeconds(10);
        var warmup = TimeSpan.FromSeconds(3);
        var connections = 64;
        var threads = 2;
        var linger = 1;
        var events = 50_000;
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int NextInt() => int.Parse(Next(), NumberStyles.None, CultureInfo.InvariantCulture);
            switch (args[i])
            {
                case "--only":
                    foreach (var name in Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        if (!Names.Contains(name, StringComparer.OrdinalIgnoreCase))
                        {
                            throw new ArgumentException($"--only: unknown benchmark '{name}' (known: {string.Join(", ", Names)})");
                        }

                        only.Add(name);
                    }

                    break;
                case "--duration": duration = TimeSpan.FromSeconds(NextInt()); break;
                case "--warmup": warmup = TimeSpan.FromSeconds(NextInt()); break;
                case "--connections": connections = NextInt(); break;
                case "--threads": threads = NextInt(); break;
                case "--linger-ms": linger = NextInt(); break;
                case "--events": events = NextInt(); break;
                default: throw new ArgumentException($"unknown argument '{args[i]}' (known: --only, --duration, --warmup, --connections, --threads, --linger-ms, --events)");
            }
        }

        return new BenchOptions(only, duration, warmup, connections, threads, linger, events);
    }
}
