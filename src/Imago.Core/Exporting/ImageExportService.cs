using Imago.Core.Buckets;
using Imago.Core.Errors;
using Imago.Core.Images;
using Imago.Core.Regions;
using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Exporting;

/// <summary>
/// ExportImage: checks the parameters, the image (the caller's own Available custom image, not from the image
/// market, not being exported already) and the bucket, then saves an ExportImage task on the image;
/// <see cref="ExportImageTaskHandler"/> writes one object per disk into the bucket.
/// </summary>
public sealed class ImageExportService(ImagoDatabase database, IBucketStore buckets, RegionCatalog regions, TaskRunner tasks) : IDisposable
{
    /// <summary>"Not being exported already" and the insert are one critical section (this service is one process).</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<string> ExportAsync(Caller caller, ExportImageRequest request, CancellationToken cancellationToken)
    {
        regions.Require(request.RegionId);
        var prefix = ExportImageRules.Prefix(request.OssPrefix);
        var format = ExportImageRules.Format(request.ImageFormat);
        IReadOnlyList<ExportDiskPlan> disks;
        await using (var db = database.CreateContext())
        {
            disks = await PlanAsync(db, caller, request, prefix, format, cancellationToken).ConfigureAwait(false);
        }

        await RequireBucketAsync(caller, request.RegionId, request.OssBucket, cancellationToken).ConfigureAwait(false);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = database.CreateContext();
            if (await IsExportingAsync(db, request.RegionId, request.ImageId, cancellationToken).ConfigureAwait(false))
            {
                throw ExportErrors.IsExporting();
            }

            if (request.DryRun)
            {
                throw EcsErrors.DryRunPassed();
            }

            var task = tasks.Prepare(ExportErrors.TaskKind, new ExportImagePayload(request.ImageId, request.OssBucket, format, disks),
                new TaskScope(caller.AccountId, request.RegionId, request.ImageId));
            db.Tasks.Add(task);
            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            tasks.Schedule(task.Id);
            return task.Id;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// Only the caller's own custom images: a public image, one shared with the caller, another account's or an
    /// unknown id all answer InvalidImageId.NotFound (as DeleteImage and sharing do).
    /// </summary>
    private static async Task<IReadOnlyList<ExportDiskPlan>> PlanAsync(ImagoDbContext db, Caller caller, ExportImageRequest request, string? prefix,
        string format, CancellationToken cancellationToken)
    {
        var image = await ImageAccess.FindOwnAsync(db, caller, request.RegionId, request.ImageId, cancellationToken).ConfigureAwait(false);
        if (image is not { Kind: ImageKinds.Custom })
        {
            throw EcsErrors.ImageNotFound(request.ImageId);
        }

        if (image.ProductCode.Length > 0)
        {
            throw ExportErrors.MarketplaceImage();
        }

        if (image.Status != ImageStatuses.Available)
        {
            throw ExportErrors.IncorrectStatus();
        }

        return ExportImageRules.Plan(image, prefix, format);
    }

    /// <summary>The bucket gate: a missing bucket, a malformed name or another account's bucket is InvalidOSSBucket.NotFound.</summary>
    private async Task RequireBucketAsync(Caller caller, string regionId, string bucket, CancellationToken cancellationToken)
    {
        try
        {
            await BucketAccess.RequireAsync(buckets, caller, regionId, bucket, cancellationToken).ConfigureAwait(false);
        }
        catch (BucketException)
        {
            throw ExportErrors.BucketNotFound(bucket);
        }
    }

    private static Task<bool> IsExportingAsync(ImagoDbContext db, string regionId, string imageId, CancellationToken cancellationToken) =>
        db.Tasks.AnyAsync(t => t.RegionId == regionId && t.ResourceId == imageId && t.Action == ExportErrors.TaskKind
            && t.Status == TaskStatuses.Processing, cancellationToken);
}
