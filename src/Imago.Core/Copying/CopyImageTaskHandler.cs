using Imago.Core.Common;
using Imago.Core.ImageCreation;
using Imago.Core.Snapshots;
using Imago.Core.Storage;
using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Storage;
using Imago.Storage.Metadata;
using Imago.Storage.Replication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

namespace Imago.Core.Copying;

/// <summary>
/// Runs a CopyImage task (region = the destination): waits for a copy slot of the destination region (image
/// Waiting), then (image Creating) replicates each source snapshot into the destination store under its new id,
/// sending only the chunks that store lacks, with the image's and each mapping's Progress and RemainTime moving;
/// finally saves the snapshot rows, the mappings' snapshot ids and the image as Available in one transaction
/// (bytes before rows). Runs outside the task workers, so long copies never hold up other tasks.
/// </summary>
/// <remarks>
/// Resumable: after a restart it simply runs again; the replicator asks the destination before sending each chunk,
/// so what arrived before the interruption is not sent again. Cancelled: the partial copy disappears (image row,
/// mappings, tags; the destination store snapshots are discarded and their chunks left to garbage collection).
/// Failed: the image becomes CreateFailed and the destination store snapshots are discarded.
/// </remarks>
public sealed class CopyImageTaskHandler(
    ImagoDatabase database,
    RegionStores stores,
    CopySlots slots,
    TransferThrottle throttle,
    CopyCounters counters,
    TimeProvider time,
    ILogger<CopyImageTaskHandler> logger) : ITaskHandler
{
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    public string Kind => CopyErrors.TaskKind;

    public bool SupportsCancel => true;

    public bool ResumeAfterRestart => true;

    public bool RunsOutsideWorkers => true;

    public async Task RunAsync(TaskExecution task, CancellationToken cancellationToken)
    {
        var payload = task.PayloadAs<CopyImagePayload>();
        var status = await ImageStatusAsync(task.RegionId, payload.ImageId, cancellationToken).ConfigureAwait(false);
        if (status == ImageStatuses.Available)
        {
            return; // an earlier run committed everything and was interrupted before the task was marked finished
        }

        if (status is not (ImageStatuses.Waiting or ImageStatuses.Creating))
        {
            throw CopyErrors.Failed($"The image {payload.ImageId} is no longer being copied.");
        }

        using var slot = await EnterSlotAsync(task, payload, cancellationToken).ConfigureAwait(false);
        if (!await SetStatusAsync(task.RegionId, payload.ImageId, ImageStatuses.Waiting, ImageStatuses.Creating, cancellationToken).ConfigureAwait(false)
            && await ImageStatusAsync(task.RegionId, payload.ImageId, cancellationToken).ConfigureAwait(false) != ImageStatuses.Creating)
        {
            throw CopyErrors.Failed($"The image {payload.ImageId} is no longer being copied.");
        }

        var source = stores[payload.SourceRegionId];
        var disks = payload.Disks.Where(d => d.SourceSnapshotId is not null && d.SnapshotId is not null).ToList();
        var totals = new List<long>();
        foreach (var disk in disks)
        {
            var info = await source.GetInfoAsync(VersionKind.Snapshot, disk.SourceSnapshotId!, cancellationToken).ConfigureAwait(false);
            totals.Add(info.UniqueBytes / Math.Max(1, source.ChunkSize) + info.MetadataPages);
        }

        var tracker = new CopyProgressTracker(totals, time);
        var transfer = TransferAsync(payload, disks, tracker, stores[task.RegionId], cancellationToken);
        while (!transfer.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAny(transfer, Task.Delay(ProgressInterval, time, cancellationToken)).ConfigureAwait(false);
            if (!transfer.IsCompleted)
            {
                await ReportAsync(task, payload, disks, tracker, cancellationToken).ConfigureAwait(false);
            }
        }

        var moved = await transfer.ConfigureAwait(false);
        await CommitAsync(task, payload, disks, cancellationToken).ConfigureAwait(false);
        counters.AddFinished();
        logger.LogInformation(
            "CopyImage {ImageId} ({SourceRegionId}/{SourceImageId} to {RegionId}) finished: {ChunksSent} chunks ({BytesSent} bytes) sent, {ChunksSkipped} chunks skipped",
            payload.ImageId, payload.SourceRegionId, payload.SourceImageId, task.RegionId, moved.ChunksSent, moved.BytesSent, moved.ChunksSkipped);
    }

    public async Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken)
    {
        var payload = task.PayloadAs<CopyImagePayload>();
        await using (var db = database.CreateContext())
        {
            await db.Images.Where(i => i.RegionId == task.RegionId && i.Id == payload.ImageId
                    && (i.Status == ImageStatuses.Creating || i.Status == ImageStatuses.Waiting))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Status, ImageStatuses.CreateFailed)
                    .SetProperty(i => i.Version, i => i.Version + 1), cancellationToken)
                .ConfigureAwait(false);
            await db.ImageDiskMappings.Where(m => m.RegionId == task.RegionId && m.ImageId == payload.ImageId)
                .ExecuteUpdateAsync(s => s.SetProperty(m => m.RemainTimeSeconds, 0), cancellationToken)
                .ConfigureAwait(false);
        }

        // Rows are only written by the final commit, which makes the image Available: a failed copy has none.
        if (await ImageStatusAsync(task.RegionId, payload.ImageId, cancellationToken).ConfigureAwait(false) != ImageStatuses.Available)
        {
            await DiscardAsync(task, payload).ConfigureAwait(false);
        }
    }

    /// <summary>CancelCopyImage or CancelTask: the partial copy disappears (rows first, then the store snapshots).</summary>
    public async Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken)
    {
        var payload = task.PayloadAs<CopyImagePayload>();
        await using (var db = database.CreateContext())
        {
            var image = await db.Images.Include(i => i.DiskMappings)
                .FirstOrDefaultAsync(i => i.RegionId == task.RegionId && i.Id == payload.ImageId, cancellationToken).ConfigureAwait(false);
            if (image is null or { Status: ImageStatuses.Available })
            {
                return; // the copy finished just before the cancel reached it: it stays
            }

            db.Images.Remove(image);
            db.Tags.RemoveRange(await db.Tags
                .Where(t => t.ResourceType == ImageCreationService.TagResourceType && t.RegionId == task.RegionId && t.ResourceId == payload.ImageId)
                .ToListAsync(cancellationToken).ConfigureAwait(false));
            await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        }

        await DiscardAsync(task, payload).ConfigureAwait(false);
    }

    public IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId) => [new("ImageId", resourceId)];

    /// <summary>A slot of the destination region: at once if one is free, else the image shows Waiting until one is.</summary>
    private async Task<CopySlots.Slot> EnterSlotAsync(TaskExecution task, CopyImagePayload payload, CancellationToken cancellationToken)
    {
        if (slots.TryEnter(task.RegionId) is { } free)
        {
            return free;
        }

        // A resumed copy may have been Creating when the service stopped: it queues again like a new one.
        await SetStatusAsync(task.RegionId, payload.ImageId, ImageStatuses.Creating, ImageStatuses.Waiting, cancellationToken).ConfigureAwait(false);
        return await slots.EnterAsync(task.RegionId, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Replicates every disk in turn; returns what crossed to the destination in this run.</summary>
    private async Task<ReplicationResult> TransferAsync(CopyImagePayload payload, IReadOnlyList<CopyDiskPlan> disks, CopyProgressTracker tracker,
        BlockStore destination, CancellationToken cancellationToken)
    {
        var source = stores[payload.SourceRegionId];
        long sent = 0, skipped = 0, bytes = 0;
        foreach (var (disk, position) in disks.Select((d, i) => (d, i)))
        {
            var transport = new RenamingChunkTransport(
                new MeteredChunkTransport(new LocalChunkTransport(destination), throttle, counters), disk.SourceSnapshotId!, disk.SnapshotId!);
            await using (transport.ConfigureAwait(false))
            {
                var result = await SnapshotReplicator.ReplicateAsync(source, disk.SourceSnapshotId!, transport, tracker.For(position), cancellationToken)
                    .ConfigureAwait(false);
                sent += result.ChunksSent;
                skipped += result.ChunksSkipped;
                bytes += result.BytesSent;
            }

            tracker.Complete(position);
        }

        return new ReplicationResult(sent, skipped, bytes, AlreadyPresent: false);
    }

    /// <summary>The image's Progress, each mapping's Progress and RemainTime, and the task's TaskProcess.</summary>
    private async Task ReportAsync(TaskExecution task, CopyImagePayload payload, IReadOnlyList<CopyDiskPlan> disks, CopyProgressTracker tracker,
        CancellationToken cancellationToken)
    {
        var overall = tracker.OverallPercent();
        await using (var db = database.CreateContext())
        {
            foreach (var (disk, position) in disks.Select((d, i) => (d, i)))
            {
                var percent = tracker.DiskPercent(position);
                var remain = tracker.RemainSeconds(position);
                await db.ImageDiskMappings.Where(m => m.RegionId == task.RegionId && m.ImageId == payload.ImageId && m.Index == disk.Index)
                    .ExecuteUpdateAsync(s => s.SetProperty(m => m.Progress, percent).SetProperty(m => m.RemainTimeSeconds, remain), cancellationToken)
                    .ConfigureAwait(false);
            }
        }

        await CreatingImages.ReportProgressAsync(database, task, payload.ImageId, overall, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Snapshot rows, the mappings' snapshot ids and the image's Available status in one transaction, after all bytes exist.</summary>
    private async Task CommitAsync(TaskExecution task, CopyImagePayload payload, IReadOnlyList<CopyDiskPlan> disks, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var destination = stores[task.RegionId];
        await using var db = database.CreateContext();
        var sourceIds = disks.Select(d => d.SourceSnapshotId!).ToList();
        var sourceRows = await db.Snapshots.AsNoTracking().Where(s => s.RegionId == payload.SourceRegionId && sourceIds.Contains(s.Id))
            .ToDictionaryAsync(s => s.Id, StringComparer.Ordinal, cancellationToken).ConfigureAwait(false);
        var mappings = await db.ImageDiskMappings.AsNoTracking().Where(m => m.RegionId == task.RegionId && m.ImageId == payload.ImageId)
            .ToDictionaryAsync(m => m.Index, cancellationToken).ConfigureAwait(false);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var disk in disks)
        {
            var info = await destination.GetInfoAsync(VersionKind.Snapshot, disk.SnapshotId!, cancellationToken).ConfigureAwait(false);
            var sourceRow = sourceRows.GetValueOrDefault(disk.SourceSnapshotId!);
            var mapping = mappings.GetValueOrDefault(disk.Index);
            db.Snapshots.Add(new SnapshotEntity
            {
                Id = disk.SnapshotId!,
                AccountId = task.AccountId,
                RegionId = task.RegionId,
                Description = $"Created by CopyImage for {payload.ImageId} from {payload.SourceRegionId}/{disk.SourceSnapshotId}.",
                Status = SnapshotStatuses.Accomplished,
                Progress = 100,
                SourceDiskType = mapping?.Type ?? sourceRow?.SourceDiskType ?? "system",
                SourceDiskSizeGiB = sourceRow?.SourceDiskSizeGiB ?? mapping?.SizeGiB ?? 0,
                SnapshotType = "user",
                ProductCode = sourceRow?.ProductCode ?? "",
                DiskImageId = payload.ImageId,
                StoredBytes = info.UniqueBytes,
                SourceRegionId = payload.SourceRegionId,
                SourceSnapshotId = disk.SourceSnapshotId,
                CreatedAt = now,
            });
        }

        await Imago.Core.Billing.UsageRecorder.RecordChangesAsync(db, now, cancellationToken).ConfigureAwait(false); // billing: same transaction
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        foreach (var disk in disks)
        {
            await db.ImageDiskMappings.Where(m => m.RegionId == task.RegionId && m.ImageId == payload.ImageId && m.Index == disk.Index)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(m => m.SnapshotId, disk.SnapshotId)
                    .SetProperty(m => m.Progress, 100)
                    .SetProperty(m => m.RemainTimeSeconds, 0), cancellationToken)
                .ConfigureAwait(false);
        }

        var changed = await db.Images.Where(i => i.RegionId == task.RegionId && i.Id == payload.ImageId && i.Status == ImageStatuses.Creating)
            .ExecuteUpdateAsync(s => s
                .SetProperty(i => i.Status, ImageStatuses.Available)
                .SetProperty(i => i.Progress, 100)
                .SetProperty(i => i.Version, i => i.Version + 1), cancellationToken)
            .ConfigureAwait(false);
        if (changed != 1)
        {
            throw CopyErrors.Failed($"The image {payload.ImageId} is no longer being copied.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private Task DiscardAsync(TaskExecution task, CopyImagePayload payload) =>
        DiskSnapshots.DiscardAsync(stores[task.RegionId], payload.Disks.Select(d => d.SnapshotId).OfType<string>());

    private async Task<bool> SetStatusAsync(string regionId, string imageId, string from, string to, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.Images.Where(i => i.RegionId == regionId && i.Id == imageId && i.Status == from)
            .ExecuteUpdateAsync(s => s.SetProperty(i => i.Status, to).SetProperty(i => i.Version, i => i.Version + 1), cancellationToken)
            .ConfigureAwait(false) == 1;
    }

    private async Task<string?> ImageStatusAsync(string regionId, string imageId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.Images.Where(i => i.RegionId == regionId && i.Id == imageId).Select(i => i.Status)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }
}
