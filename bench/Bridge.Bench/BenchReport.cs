using System.Globalization;

namespace Bridge.Bench;

/// <summary>Collects result rows and prints them as Markdown with the machine they were taken on.</summary>
internal sealed class BenchReport(BenchOptions options)
{
    private readonly List<string[]> _rows = [];
    private readonly List<string> _notes = [];

    public bool Failed { get; private set; }

    public void Add(string benchmark, string metric, string value) => _rows.Add([benchmark, metric, value]);

    public void Note(string note) => _notes.Add(note);

    public void Fail(string message)
    {
        Failed = true;
        _notes.Add("FAILED: " + message);
    }

    public void Print(TextWriter output)
    {
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"## Benchmark results ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}, .NET {Environment.Version})"));
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Settings: duration {options.Duration.TotalSeconds:0} s after {options.Warmup.TotalSeconds:0} s warm-up, {options.Connections} connections, linger.ms {options.LingerMs}."));
        output.WriteLine();
        output.WriteLine("| benchmark | metric | value |");
        output.WriteLine("|---|---|---|");
        foreach (var row in _rows)
        {
            output.WriteLine($"| {row[0]} | {row[1]} | {row[2]} |");
        }

        foreach (var note in _notes)
        {
            output.WriteLine();
            output.WriteLine("- " + note);
        }
    }
}
