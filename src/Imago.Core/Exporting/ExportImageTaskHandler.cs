using System.Text.Json;
using Imago.Core.Buckets;
using Imago.Core.Common;
using Imago.Core.Errors;
using Imago.Core.Storage;
using Imago.Core.Tasks;
using Imago.Formats;
using Imago.Formats.IO;
using Imago.Storage;

namespace Imago.Core.Exporting;

/// <summary>
/// Runs an ExportImage task: per disk, reads the image's store snapshot and writes it into the bucket as one
/// object in the chosen format. raw goes straight from the snapshot into the put (by parts at once, its unstored
/// chunks skipped, when the store offers <see cref="IPartedPutBucketStore"/>; as a stream otherwise); qcow2 and VHD are
/// written by the format engine's writers into a staging file (<see cref="ExportStaging"/>), which then becomes the
/// object (moved in when the bucket store can take a file, <see cref="IStagedFileBucketStore"/>; put as a stream
/// otherwise). Either way an object over 1 MiB gets a multipart ETag (docs/buckets.md). Every put is atomic, so
/// an object is either absent or whole; when the task fails or is cancelled, the objects it already put are
/// deleted, so a bucket never holds part of a failed export. After a restart the task runs again from scratch
/// (puts replace objects, so running twice gives the same objects).
/// </summary>
/// <remarks>
/// What a put reads passes the service's <see cref="TransferThrottle"/> (<c>--transfer-rate</c>), when one is given.
/// Exports run on the task runner's workers, as imports do.
/// </remarks>
public sealed class ExportImageTaskHandler(RegionStores stores, IBucketStore buckets, ExportStaging staging, TimeProvider time,
    TransferThrottle? throttle = null) : ITaskHandler
{
    public string Kind => ExportErrors.TaskKind;

    public bool SupportsCancel => true;

    public bool ResumeAfterRestart => true;

    public async Task RunAsync(TaskExecution task, CancellationToken cancellationToken)
    {
        var payload = task.PayloadAs<ExportImagePayload>();
        var store = stores[task.RegionId];
        var progress = new ExportProgress(task, payload.Disks.Count, time);
        var stored = new List<string>();
        try
        {
            var directory = payload.Format == "raw" ? null : staging.Prepare(task.TaskId);
            foreach (var (disk, position) in payload.Disks.Select((d, i) => (d, i)))
            {
                progress.StartDisk(position);
                await progress.RunAsync(() => directory is null
                    ? StreamRawAsync(task.RegionId, payload.Bucket, disk, store, progress, stored, cancellationToken)
                    : StageAndPutAsync(task.RegionId, payload, disk, Path.Combine(directory, $"disk-{position}.{payload.Format}"), store, progress, stored,
                        cancellationToken), cancellationToken).ConfigureAwait(false);
            }
        }
        catch
        {
            await DeleteAsync(task.RegionId, payload.Bucket, stored).ConfigureAwait(false);
            throw;
        }
        finally
        {
            staging.Discard(task.TaskId);
        }
    }

    public Task OnFailedAsync(TaskExecution task, string reason, CancellationToken cancellationToken)
    {
        staging.Discard(task.TaskId);
        return Task.CompletedTask;
    }

    public Task OnCancelledAsync(TaskExecution task, CancellationToken cancellationToken) => OnFailedAsync(task, "cancelled", cancellationToken);

    public IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId) => [new("ImageId", resourceId)];

    /// <summary>The image, the bucket, each object and the format, as the reference's DescribeTaskAttribute example shows them.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> RelatedItems(string resourceId, string payload)
    {
        ExportImagePayload? export;
        try
        {
            export = JsonSerializer.Deserialize<ExportImagePayload>(payload);
        }
        catch (JsonException)
        {
            export = null;
        }

        return export is null
            ? RelatedItems(resourceId)
            : [new("ImageId", resourceId), new("OSSBucket", export.Bucket), .. export.Disks.Select(d => new KeyValuePair<string, string>("OSSObject", d.Key)),
                new("ImageFormat", export.Format)];
    }

    /// <summary>raw: the snapshot's bytes are the object's bytes; the put reads them in order, a buffer at a time.</summary>
    private async Task StreamRawAsync(string regionId, string bucket, ExportDiskPlan disk, BlockStore store, ExportProgress progress, List<string> stored,
        CancellationToken cancellationToken)
    {
        var device = await OpenSnapshotAsync(store, disk.SnapshotId, cancellationToken).ConfigureAwait(false);
        await using (device.ConfigureAwait(false))
        {
            if (buckets is IPartedPutBucketStore parted && throttle is not { IsLimited: true })
            {
                // Hashed by parts on every core, the snapshot's unstored chunks skipped (the ETag is a multipart one).
                await PutPartsAsync(parted, regionId, bucket, disk.Key, new BlockDeviceObjectContent(device), progress.Upload(device.Size, 0), stored,
                    cancellationToken).ConfigureAwait(false);
                return;
            }

            // A throttled export streams the device in order, so that the throttle paces what the put reads.
            await PutAsync(regionId, bucket, disk.Key, new BlockDeviceByteSource(device), progress.Upload(device.Size, 0), stored, cancellationToken)
                .ConfigureAwait(false);
        }
    }

    /// <summary>qcow2 and VHD: the converter writes the staging file (skipping what is unallocated), which is then put and removed.</summary>
    private async Task StageAndPutAsync(string regionId, ExportImagePayload payload, ExportDiskPlan disk, string file, BlockStore store,
        ExportProgress progress, List<string> stored, CancellationToken cancellationToken)
    {
        // VHD keeps the exact size (force_size) instead of rounding up to a CHS geometry. No fsync: the put makes the object durable.
        var options = new ImageCreateOptions { ForceSize = true, FlushToStableStorage = false };
        try
        {
            await store.ExportAsync(disk.SnapshotId, file, ExportImageRules.EngineFormat(payload.Format),
                payload.Format == "vhd" ? options : options with { ForceSize = false }, progress.Conversion(), cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException error)
        {
            throw ExportErrors.Failed($"The snapshot {disk.SnapshotId} of the image cannot be read: {error.Message}");
        }

        var upload = progress.Upload(new FileInfo(file).Length, ExportProgress.StagedShare * 100);
        if (buckets is IStagedFileBucketStore staged && throttle is not { IsLimited: true })
        {
            // The file becomes the object without a second write of its bytes (only hashed).
            await PutStagedAsync(staged, regionId, payload.Bucket, disk.Key, file, upload, stored, cancellationToken).ConfigureAwait(false);
            return;
        }

        // A throttled export streams the file, so that the throttle paces what the put reads.
        await PutAsync(regionId, payload.Bucket, disk.Key, FileByteSource.Open(file), upload, stored, cancellationToken).ConfigureAwait(false);
        File.Delete(file);
    }

    private static async Task<IBlockDevice> OpenSnapshotAsync(BlockStore store, string snapshotId, CancellationToken cancellationToken)
    {
        try
        {
            return await store.OpenSnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException error)
        {
            throw ExportErrors.Failed($"The snapshot {snapshotId} of the image cannot be read: {error.Message}");
        }
    }

    /// <summary>Puts <paramref name="source"/> (which it disposes) as the object <paramref name="key"/>, read in order to its end.</summary>
    private async Task PutAsync(string regionId, string bucket, string key, IByteSource source, IProgress<long> progress, List<string> stored,
        CancellationToken cancellationToken)
    {
        try
        {
            await using var content = new ByteSourceStream(throttle is { IsLimited: true } ? new ThrottledByteSource(source, throttle) : source);
            await buckets.PutObjectAsync(regionId, bucket, key, content, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (BucketException error)
        {
            throw Translate(error, bucket);
        }

        stored.Add(key);
    }

    /// <summary>Puts <paramref name="content"/> as the object <paramref name="key"/>, its parts read at once.</summary>
    private static async Task PutPartsAsync(IPartedPutBucketStore parted, string regionId, string bucket, string key, IObjectContent content,
        IProgress<long> progress, List<string> stored, CancellationToken cancellationToken)
    {
        try
        {
            await parted.PutPartsAsync(regionId, bucket, key, content, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (BucketException error)
        {
            throw Translate(error, bucket);
        }

        stored.Add(key);
    }

    /// <summary>Moves the staged <paramref name="file"/> into the bucket as the object <paramref name="key"/>.</summary>
    private static async Task PutStagedAsync(IStagedFileBucketStore staged, string regionId, string bucket, string key, string file, IProgress<long> progress,
        List<string> stored, CancellationToken cancellationToken)
    {
        try
        {
            await staged.PutStagedFileAsync(regionId, bucket, key, file, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (BucketException error)
        {
            throw Translate(error, bucket);
        }

        stored.Add(key);
    }

    private static EcsException Translate(BucketException error, string bucket) =>
        error.Code == "InvalidOSSBucket.NotFound" ? ExportErrors.BucketNotFound(bucket) : ExportErrors.Failed(error.Message);

    /// <summary>Removes the objects a failed or cancelled run stored (best effort: one that cannot be removed stays whole).</summary>
    private async Task DeleteAsync(string regionId, string bucket, IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            try
            {
                await buckets.DeleteObjectAsync(regionId, bucket, key, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception e) when (e is BucketException or IOException or UnauthorizedAccessException)
            {
                // Already gone (or the bucket is): nothing of this export is left to see.
            }
        }
    }
}
