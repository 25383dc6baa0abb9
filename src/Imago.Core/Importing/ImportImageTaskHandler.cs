using Imago.Core.Buckets;
using Imago.Core.Common;
using Imago.Core.Errors;
using Imago.Core.ImageCreation;
using Imago.Core.Importing.Detection;
using Imago.Core.Snapshots;
using Imago.Core.Storage;
using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Formats;
using Imago.Formats.Conversion;
using Imago.Formats.IO;
using Imago.Storage;
using Imago.Storage.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Importing;

/// <summary>
/// Runs an ImportImage task: per disk, opens the bucket object through the format engine (its inspector first:
/// hostile, unsupported or mismatched content is refused), streams it into a new store snapshot, and finally saves
/// the snapshot rows, the mappings and the image as Available in one transaction (bytes before rows).
/// A failure or a cancellation marks the image CreateFailed and deletes the store snapshots this task wrote.
/// After a crash the task runs again from scratch: it first deletes whatever partial snapshots the last run left.
/// </summary>
/// <remarks>Object reads pass the service's <see cref="TransferThrottle"/> (<c>--transfer-rate</c>), when one is given.</remarks>
public sealed class ImportImageTaskHandler(ImagoDatabase database, RegionStores stores, IBucketStore buckets, TimeProvider time,
    TransferThrottle? throttle = null) : ITaskHandler
{
    private const long GiB = 1L << 30;

    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(250);

    public string Kind => ImportErrors.TaskKind;

    public bool SupportsCancel => true;

    public bool ResumeAfterRestart => true;

    public async Task RunAsync(TaskExecution task, CancellationToken cancellationToken)
    {
        var payload = task.PayloadAs<ImportImagePayload>();
        var status = await ImageStatusAsync(task.RegionId, payload.ImageId, cancellationToken).ConfigureAwait(false);
        if (status == ImageStatuses.Available)
        {
            return; // an earlier run committed everything and was interrupted before the task was marked finished
        }

        if (status != ImageStatuses.Creating)
        {
            throw ImportErrors.Failed($"The image {payload.ImageId} is no longer being imported.");
        }

        var store = stores[task.RegionId];
        await DiskSnapshots.DiscardAsync(store, payload.Disks.Select(d => d.SnapshotId)).ConfigureAwait(false);
        var imported = new List<(ImportDiskPlan Disk, int VirtualGiB)>();
        foreach (var (disk, position) in payload.Disks.Select((d, i) => (d, i)))
        {
            var virtualGiB = await ImportDiskAsync(task, payload, disk, position, store, cancellationToken).ConfigureAwait(false);
            imported.Add((disk, virtualGiB));
        }

        var detection = await DetectAsync(task, payload, store, cancellationToken).ConfigureAwait(false);
        await CommitAsync(task, payload, store, imported, detection, cancellationToken).ConfigureAwait(false);
    }

    public async Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken)
    {
        var payload = task.PayloadAs<ImportImagePayload>();
        await CreatingImages.FailAsync(database, task.RegionId, payload.ImageId, cancellationToken).ConfigureAwait(false);

        // Rows are only written by the final commit, which makes the image Available: a failed image has none.
        if (await ImageStatusAsync(task.RegionId, payload.ImageId, cancellationToken).ConfigureAwait(false) != ImageStatuses.Available)
        {
            await DiskSnapshots.DiscardAsync(stores[task.RegionId], payload.Disks.Select(d => d.SnapshotId)).ConfigureAwait(false);
        }
    }

    public Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken) => OnFailedAsync(task, "cancelled", cancellationToken);

    public IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId) => [new("ImageId", resourceId)];

    /// <summary>Imports one disk into its snapshot; returns its virtual size in GiB (rounded up, at least 1).</summary>
    private async Task<int> ImportDiskAsync(TaskExecution task, ImportImagePayload payload, ImportDiskPlan disk, int position, BlockStore store,
        CancellationToken cancellationToken)
    {
        await using var image = await OpenAsync(task, disk, cancellationToken).ConfigureAwait(false);
        var virtualGiB = (int)Math.Max(1, Math.Min(int.MaxValue, (image.VirtualSize + GiB - 1) / GiB));
        if (virtualGiB > ImportErrors.MaxSizeGiB || (disk.SizeGiB is { } size && size < virtualGiB))
        {
            throw ImportErrors.SizeOutOfRange(disk.Type, disk.Index);
        }

        // The disk's size is known now that its header has been read: DescribeImages shows it while the bytes move.
        await CreatingImages.ReportDiskAsync(database, task.RegionId, payload.ImageId, disk.Index - 1, 0, disk.SizeGiB ?? virtualGiB, cancellationToken)
            .ConfigureAwait(false);
        var progress = new LatestProgress();
        var import = store.ImportAsync(image, disk.SnapshotId, progress, cancellationToken);
        var reported = -1;
        while (!import.IsCompleted && !cancellationToken.IsCancellationRequested)
        {
            await Task.WhenAny(import, Task.Delay(ProgressInterval, time, cancellationToken)).ConfigureAwait(false);
            var percent = OverallPercent(position, progress.Percent, payload.Disks.Count);
            if (percent != reported && !import.IsCompleted)
            {
                reported = percent;
                await CreatingImages.ReportDiskAsync(database, task.RegionId, payload.ImageId, disk.Index - 1, (int)Math.Min(99, progress.Percent), null,
                    cancellationToken).ConfigureAwait(false);
                await CreatingImages.ReportProgressAsync(database, task, payload.ImageId, percent, cancellationToken).ConfigureAwait(false);
            }
        }

        await import.ConfigureAwait(false);
        // This disk is in, however quickly it went: the next one starts from here.
        await CreatingImages.ReportDiskAsync(database, task.RegionId, payload.ImageId, disk.Index - 1, 100, null, cancellationToken).ConfigureAwait(false);
        await CreatingImages.ReportProgressAsync(database, task, payload.ImageId, OverallPercent(position, 100, payload.Disks.Count), cancellationToken)
            .ConfigureAwait(false);
        return virtualGiB;
    }

    /// <summary>
    /// A disk as ImportImage records it: its source object and format, no snapshot until its bytes are in, its size
    /// once known (the declared DiskImageSize, or the image's virtual size when the task has read its header).
    /// </summary>
    internal static ImageDiskMappingEntity PendingDisk(string regionId, string imageId, ImportDiskPlan disk) => new()
    {
        RegionId = regionId,
        ImageId = imageId,
        Index = disk.Index - 1,
        Type = disk.Type,
        Device = disk.Device,
        SnapshotId = null,
        SizeGiB = disk.SizeGiB ?? 0,
        Format = disk.Format ?? "",
        ImportOssBucket = disk.Bucket,
        ImportOssObject = disk.Key,
        Progress = 0,
    };

    /// <summary>0-99 across the disks in turn (100 only once everything is committed).</summary>
    private static int OverallPercent(int position, double diskPercent, int disks) => (int)((position * 100.0 + diskPercent) * 99 / (100.0 * disks));

    /// <summary>
    /// The object through the inspector; every refusal becomes the task's documented failure code. The bucket is
    /// checked again for the task's account: it may have been deleted and made again by another account since the call.
    /// </summary>
    private async Task<IDiskImage> OpenAsync(TaskExecution task, ImportDiskPlan disk, CancellationToken cancellationToken)
    {
        IByteSource source;
        var regionId = task.RegionId;
        try
        {
            await BucketAccess.RequireAsync(buckets, new Caller(task.AccountId), regionId, disk.Bucket, cancellationToken).ConfigureAwait(false);
            source = await buckets.OpenByteSourceAsync(regionId, disk.Bucket, disk.Key, cancellationToken).ConfigureAwait(false);
            source = throttle is { IsLimited: true } ? new ThrottledByteSource(source, throttle) : source;
        }
        catch (BucketException error)
        {
            throw error.Code == "InvalidOSSObject.NotFound" ? ImportErrors.ObjectNotFound(disk.Key) : ImportErrors.BucketNotFound(disk.Bucket);
        }

        try
        {
            return await DiskImages.OpenAsync(source, ImportImageRules.Format(disk.Format, disk.Index), cancellationToken).ConfigureAwait(false);
        }
        catch (ImageFormatException error)
        {
            source.Dispose();
            throw ImportErrors.Refused(disk.Index, error);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The OS check on the system disk, now in the store (docs/api.md "OS detection"): DetectionStatus shows
    /// Processing meanwhile; the findings are saved with the commit. It never fails the import.
    /// </summary>
    private async Task<ImageDetectionResult> DetectAsync(TaskExecution task, ImportImagePayload payload, BlockStore store, CancellationToken cancellationToken)
    {
        DeclaredOs declared;
        await using (var db = database.CreateContext())
        {
            var images = db.Images.Where(i => i.RegionId == task.RegionId && i.Id == payload.ImageId && i.Status == ImageStatuses.Creating);
            declared = await images.Select(i => new DeclaredOs(i.Platform, i.OSType, i.BootMode, i.Architecture)).FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false)
                ?? throw ImportErrors.Failed($"The image {payload.ImageId} is no longer being imported.");
            await images.ExecuteUpdateAsync(s => s.SetProperty(i => i.DetectionStatus, DetectionCodes.Processing), cancellationToken).ConfigureAwait(false);
        }

        var report = await ImageDetection.DetectSnapshotAsync(store, payload.Disks[0].SnapshotId, cancellationToken).ConfigureAwait(false);
        return ImageDetectionRules.Evaluate(report, declared);
    }

    /// <summary>Snapshot rows, mappings, the detection's findings and the image's Available status in one transaction, after all bytes exist.</summary>
    private async Task CommitAsync(TaskExecution task, ImportImagePayload payload, BlockStore store, IReadOnlyList<(ImportDiskPlan Disk, int VirtualGiB)> imported,
        ImageDetectionResult detection, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        await using var db = database.CreateContext();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (disk, virtualGiB) in imported)
        {
            var info = await store.GetInfoAsync(VersionKind.Snapshot, disk.SnapshotId, cancellationToken).ConfigureAwait(false);
            db.Snapshots.Add(new SnapshotEntity
            {
                Id = disk.SnapshotId,
                AccountId = task.AccountId,
                RegionId = task.RegionId,
                Description = $"Created by ImportImage for {payload.ImageId} from oss://{disk.Bucket}/{disk.Key}.",
                Status = SnapshotStatuses.Accomplished,
                Progress = 100,
                SourceDiskType = disk.Type,
                SourceDiskSizeGiB = virtualGiB,
                SnapshotType = "user",
                DiskImageId = payload.ImageId,
                StoredBytes = info.UniqueBytes,
                CreatedAt = now,
            });
            var mapping = await db.ImageDiskMappings
                .FirstOrDefaultAsync(m => m.RegionId == task.RegionId && m.ImageId == payload.ImageId && m.Index == disk.Index - 1, cancellationToken)
                .ConfigureAwait(false);
            if (mapping is null)
            {
                // A task queued by an earlier version, which recorded the disks only here.
                mapping = PendingDisk(task.RegionId, payload.ImageId, disk);
                db.ImageDiskMappings.Add(mapping);
            }

            mapping.SnapshotId = disk.SnapshotId;
            mapping.SizeGiB = disk.SizeGiB ?? virtualGiB;
            mapping.Progress = 100;
        }

        await Imago.Core.Billing.UsageRecorder.RecordChangesAsync(db, now, cancellationToken).ConfigureAwait(false); // billing: same transaction
        await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
        var systemGiB = imported[0].VirtualGiB;
        var items = detection.ItemsJson;
        var changed = await db.Images.Where(i => i.RegionId == task.RegionId && i.Id == payload.ImageId && i.Status == ImageStatuses.Creating)
            .ExecuteUpdateAsync(s =>
            {
                s.SetProperty(i => i.Status, ImageStatuses.Available)
                    .SetProperty(i => i.Progress, 100)
                    .SetProperty(i => i.SizeGiB, systemGiB)
                    .SetProperty(i => i.DetectionStatus, DetectionCodes.Finished)
                    .SetProperty(i => i.DetectionItems, items)
                    .SetProperty(i => i.Version, i => i.Version + 1);
                if (detection.Platform is { } platform)
                {
                    s.SetProperty(i => i.Platform, platform);
                }

                if (detection is { OSName: { } osName, OSNameEn: { } osNameEn })
                {
                    // Only an image the caller left unnamed: ImportImage has no OSName parameter, but keep whatever is there.
                    s.SetProperty(i => i.OSName, i => i.OSName == "" ? osName : i.OSName)
                        .SetProperty(i => i.OSNameEn, i => i.OSNameEn == "" ? osNameEn : i.OSNameEn);
                }
            }, cancellationToken)
            .ConfigureAwait(false);
        if (changed != 1)
        {
            throw ImportErrors.Failed($"The image {payload.ImageId} is no longer being imported.");
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> ImageStatusAsync(string regionId, string imageId, CancellationToken cancellationToken)
    {
        await using var db = database.CreateContext();
        return await db.Images.Where(i => i.RegionId == regionId && i.Id == imageId).Select(i => i.Status)
            .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Keeps only the latest progress of the import (written from the import's thread, read by the reporter).</summary>
    private sealed class LatestProgress : IProgress<ConvertProgress>
    {
        private double _percent;

        public double Percent => Volatile.Read(ref _percent);

        public void Report(ConvertProgress value) => Volatile.Write(ref _percent, value.Percent);
    }
}
