using Imago.Core.Buckets;
using Imago.Core.Common;
using Imago.Core.Errors;
using Imago.Core.ImageCreation;
using Imago.Core.Ids;
using Imago.Core.Regions;
using Imago.Core.Snapshots;
using Imago.Core.Tasks;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Importing;

/// <summary>
/// ImportImage: validates the parameters, checks every object exists in the region's buckets, then saves the image
/// (Creating, 0%), its disks (each with its source object, no snapshot yet, 0%), its tags and its ImportImage task in
/// one transaction; <see cref="ImportImageTaskHandler"/> streams the objects through the format engine into the block
/// store, moving each disk's Progress, and makes the image Available.
/// </summary>
public sealed class ImageImportService(ImagoDatabase database, IBucketStore buckets, RegionCatalog regions, TaskRunner tasks, TimeProvider time)
    : IDisposable
{
    private const string Action = "ImportImage";

    /// <summary>Quota and name-uniqueness checks and the insert are one critical section (this service is one process).</summary>
    private readonly SemaphoreSlim _gate = new(1, 1);

    public sealed record Result(string ImageId, string TaskId);

    public async Task<Result> ImportAsync(Caller caller, ImportImageRequest request, CancellationToken cancellationToken)
    {
        regions.Require(request.RegionId);
        var disks = ImportImageRules.Plan(request.RegionId, request.Disks, ResourceIds.NewSnapshotId);
        var attributes = ImportImageRules.Attributes(request);
        var tags = TagRules.Check(request.Tags ?? []);
        var token = Idempotency.Validate(request.ClientToken);
        var hash = Idempotency.Hash(request with { ClientToken = null, Tags = tags.ToArray(), Disks = request.Disks.ToArray() });
        foreach (var disk in disks)
        {
            await RequireObjectAsync(caller, request.RegionId, disk, cancellationToken).ConfigureAwait(false);
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using var db = database.CreateContext();
            if (token is not null && await Idempotency.FindAsync<Result>(db, caller, Action, token, hash, cancellationToken).ConfigureAwait(false) is { } earlier)
            {
                return earlier;
            }

            await ImageLimits.CheckAsync(db, caller, request.RegionId, request.ImageName, cancellationToken).ConfigureAwait(false);
            if (request.DryRun)
            {
                throw EcsErrors.DryRunPassed();
            }

            var now = time.GetUtcNow().UtcDateTime;
            var image = new ImageEntity
            {
                RegionId = request.RegionId,
                Id = ResourceIds.NewImageId(request.RegionId),
                OwnerAccountId = caller.AccountId,
                Kind = ImageKinds.Custom,
                Name = request.ImageName ?? "",
                Description = request.Description ?? "",
                Status = ImageStatuses.Creating,
                Progress = 0,
                OSType = attributes.OSType,
                Platform = attributes.Platform,
                Architecture = attributes.Architecture,
                BootMode = attributes.BootMode,
                LicenseType = attributes.LicenseType,
                IsSupportCloudinit = true,
                IsSupportIoOptimized = true,
                CreatedAt = now,
            };
            var task = tasks.Prepare(ImportErrors.TaskKind, new ImportImagePayload(image.Id, disks), new TaskScope(caller.AccountId, request.RegionId, image.Id));
            image.TaskId = task.Id;
            db.Images.Add(image);
            db.ImageDiskMappings.AddRange(disks.Select(d => ImportImageTaskHandler.PendingDisk(request.RegionId, image.Id, d)));
            db.Tags.AddRange(TagRules.Rows(ImageCreationService.TagResourceType, image.Id, request.RegionId, tags));
            db.Tasks.Add(task);
            var result = new Result(image.Id, task.Id);
            if (token is not null)
            {
                Idempotency.Record(db, caller, Action, token, hash, result, now);
            }

            await db.SaveChangesAsync(CancellationToken.None).ConfigureAwait(false);
            tasks.Schedule(task.Id);
            return result;
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>
    /// The object must exist in a bucket of the SAME region (the import reads it there later) that the caller may
    /// use (<see cref="BucketAccess"/>: another account's bucket is answered as a missing one).
    /// </summary>
    private async Task RequireObjectAsync(Caller caller, string regionId, ImportDiskPlan disk, CancellationToken cancellationToken)
    {
        try
        {
            await BucketAccess.RequireAsync(buckets, caller, regionId, disk.Bucket, cancellationToken).ConfigureAwait(false);
            await buckets.StatObjectAsync(regionId, disk.Bucket, disk.Key, cancellationToken).ConfigureAwait(false);
        }
        catch (BucketException error)
        {
            throw error.Code switch
            {
                "InvalidOSSObject.NotFound" => ImportErrors.ObjectNotFound(disk.Key),
                "InvalidObjectName" => ImportErrors.ObjectMalformed(disk.Index),
                // A malformed bucket name cannot name an existing bucket.
                _ => ImportErrors.BucketNotFound(disk.Bucket),
            };
        }
    }
}
