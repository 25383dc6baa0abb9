using Imago.Core.Tasks;
using Imago.Core.Tests.Snapshots;
using Imago.Data.Entities;
using Imago.Formats.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Tests.Tasks;

/// <summary>
/// Tasks whose handler runs outside the workers (long copies): they hold no worker, so other tasks keep running
/// however many of them block; each still runs once (even when ids overflow the queue and are fetched again from
/// the database), can be cancelled, and stays Processing when the runner stops.
/// </summary>
public sealed class OutsideWorkersTests
{
    private static readonly Caller Owner = new(1_000_000_000_000_042);

    private static TaskScope Scope(string resourceId) => new(Owner.AccountId, SnapshotHarness.Region, resourceId);

    [Fact]
    public async Task BlockedLongTasksDoNotStarveOthersAndEachRunsOnce()
    {
        using var dir = new TempDirectory();
        var slow = new OutsideHandler();
        var quick = new QuickHandler();
        string[] slowIds;
        await using (var env = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false, slow, quick))
        {
            // More ids than the queue holds (8): some wait in the database and are fetched when it drains.
            slowIds = [.. await Task.WhenAll(Enumerable.Range(0, 12).Select(i =>
                env.Runner.EnqueueAsync(slow.Kind, new { }, Scope($"m-slow-{i}"), CancellationToken.None)))];
            var quickIds = await Task.WhenAll(Enumerable.Range(0, 20).Select(i =>
                env.Runner.EnqueueAsync(quick.Kind, new QuickPayload(Fail: false), Scope($"m-quick-{i}"), CancellationToken.None)));
            await env.Runner.StartAsync(CancellationToken.None);

            await SnapshotHarness.WaitUntilAsync(async () =>
            {
                await using var db = env.Database.CreateContext();
                return await db.Tasks.CountAsync(t => quickIds.Contains(t.Id) && t.Status == TaskStatuses.Finished) == 20;
            }, "every quick task finished while 12 long ones block");
            await SnapshotHarness.WaitUntilAsync(() => Task.FromResult(slow.Runs == 12), "every long task started");

            await env.Runner.CancelAsync(Owner, SnapshotHarness.Region, slowIds[0], CancellationToken.None);
            Assert.Equal(TaskStatuses.Cancelled, (await env.FindTaskAsync(slowIds[0]))!.Status);
            Assert.Equal(12, slow.Runs); // never a second run of the same task
        }

        // Stopped: the others were interrupted and stay Processing for the next start.
        await using var reopened = await SnapshotHarness.OpenAsync(dir.Path, startRunner: false);
        foreach (var id in slowIds.Skip(1))
        {
            Assert.Equal(TaskStatuses.Processing, (await reopened.FindTaskAsync(id))!.Status);
        }
    }

    /// <summary>Runs outside the workers and blocks until cancelled or stopped; counts its runs.</summary>
    private sealed class OutsideHandler : ITaskHandler
    {
        private int _runs;

        public string Kind => "CopyImage";

        public bool SupportsCancel => true;

        public bool ResumeAfterRestart => true;

        public bool RunsOutsideWorkers => true;

        public int Runs => Volatile.Read(ref _runs);

        public async Task RunAsync(TaskExecution task, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _runs);
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }

        public Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken) => Task.CompletedTask;

        public Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
