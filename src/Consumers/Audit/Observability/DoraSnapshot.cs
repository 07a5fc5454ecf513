using Bridge.Audit.Rollouts;
using Bridge.Audit.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Bridge.Audit.Observability;

/// <summary>
/// The DORA figures per canary over the last 30 days, recomputed in the background when a rollout ends (and every minute,
/// as the window moves), so that a scrape never queries the database.
/// </summary>
internal sealed class DoraSnapshot(AuditStore store, TimeProvider time, ILogger<DoraSnapshot> logger) : BackgroundService
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(30);
    private static readonly TimeSpan Refresh = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _changed = new(0, 1);
    private volatile IReadOnlyList<DoraFigures> _current = [];

    public IReadOnlyList<DoraFigures> Current => _current;

    /// <summary>Asks for a recomputation (a rollout ended).</summary>
    public void Invalidate()
    {
        try
        {
            _changed.Release();
        }
        catch (SemaphoreFullException)
        {
            // A recomputation is already due.
        }
    }

    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var to = time.GetUtcNow();
        var outcomes = await store.GetOutcomesAsync(null, null, null, cancellationToken);
        _current = outcomes
            .GroupBy(o => (o.Namespace, o.Canary))
            .Select(g => Dora.Compute(g.ToList(), to - Window, to, g.Key.Namespace, g.Key.Canary))
            .ToList();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                AuditLog.DoraRefreshFailed(logger, e);
            }

            try
            {
                await _changed.WaitAsync(Refresh, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public override void Dispose()
    {
        _changed.Dispose();
        base.Dispose();
    }
}
