using Imago.Core.Errors;
using Imago.Core.Snapshots;
using Imago.Core.Storage;
using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.ImageCreation;

/// <summary>
/// Brings an image from Creating to Available: finishes the snapshots taken for it (measuring their bytes),
/// checks the mapped snapshots' bytes exist, and moves Progress along the way. Every step is idempotent, so a
/// task interrupted by a restart simply runs again; a failure leaves the image CreateFailed. Not cancellable.
/// </summary>
public sealed class CreateImageTaskHandler(ImagoDatabase database, RegionStores stores, SnapshotFinalizer snapshots) : ITaskHandler
{
    public string Kind => SnapshotKinds.CreateImageTask;

    public bool SupportsCancel => false;

    public bool ResumeAfterRestart => true;

    public async Task RunAsync(TaskExecution task, CancellationToken cancellationToken)
    {
        var payload = task.PayloadAs<CreateImagePayload>();
        var steps = payload.NewSnapshotIds.Count + 1;
        for (var i = 0; i < payload.NewSnapshotIds.Count; i++)
        {
            await snapshots.FinalizeAsync(task.RegionId, payload.NewSnapshotIds[i], cancellationToken).ConfigureAwait(false);
            await CreatingImages.ReportProgressAsync(database, task, payload.ImageId, (i + 1) * 100 / steps, cancellationToken).ConfigureAwait(false);
        }

        var store = stores[task.RegionId];
        if (payload.MappedSnapshotIds.FirstOrDefault(id => !store.SnapshotExists(id)) is { } missing)
        {
            throw new EcsException("InvalidSnapshotId.NotFound", $"The bytes of snapshot {missing} are missing from the store.", 404);
        }

        await using var db = database.CreateContext();
        await db.ImageDiskMappings.Where(m => m.RegionId == task.RegionId && m.ImageId == payload.ImageId)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.Progress, 100), cancellationToken).ConfigureAwait(false);
        await db.Images.Where(i => i.RegionId == task.RegionId && i.Id == payload.ImageId && i.Status == ImageStatuses.Creating)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, ImageStatuses.Available)
                .SetProperty(i => i.Progress, 100)
                .SetProperty(i => i.Version, i => i.Version + 1), cancellationToken)
            .ConfigureAwait(false);
    }

    public async Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken)
    {
        var payload = task.PayloadAs<CreateImagePayload>();
        await snapshots.FailAsync(payload.NewSnapshotIds.ToList(), cancellationToken).ConfigureAwait(false);
        await CreatingImages.FailAsync(database, task.RegionId, payload.ImageId, cancellationToken).ConfigureAwait(false);
    }

    public Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken) => OnFailedAsync(task, "cancelled", cancellationToken);

    public IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId) => [new("ImageId", resourceId)];
}
