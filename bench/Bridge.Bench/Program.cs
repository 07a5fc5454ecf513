using Bridge.Bench;

// `make bench` (BENCH_ARGS="--only ingress --duration 10" to narrow it down). Prints a Markdown report.
var options = BenchOptions.Parse(args);
var report = new BenchReport(options);
try
{
    if (options.Runs("ingress"))
    {
        await IngressBench.RunAsync(options, report);
    }

    if (options.Runs("publish"))
    {
        await PublishBench.RunAsync(options, report);
    }

    if (options.Runs("e2e"))
    {
        await EndToEndBench.RunAsync(options, report);
    }

    if (options.Runs("notifier"))
    {
        await NotifierBench.RunAsync(options, report);
    }

    if (options.Runs("audit"))
    {
        await AuditBench.RunAsync(options, report);
    }
}
finally
{
    report.Print(Console.Out);
}

return report.Failed ? 1 : 0;
