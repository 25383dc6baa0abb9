using Imago.Core.Errors;
using Imago.Core.Regions;
using Imago.Data;
using Imago.Data.Entities;
using Imago.Storage;
using Imago.Storage.Metadata;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.Compute;

/// <summary>
/// Validates a <see cref="LaunchRequest"/> and resolves it into a <see cref="LaunchPlan"/>: the image, the
/// instance type, the zone and every disk with its size, category, device and source snapshot. Reads only; the
/// first error found is thrown, so nothing has been created when a request is refused.
/// </summary>
internal sealed class LaunchPlanner(RegionCatalog regions, InstanceTypeCatalog instanceTypes, Storage.RegionStores stores)
{
    private const int MaxDataDisks = 16;

    /// <summary>Checks that need no database (parameter shapes and ranges).</summary>
    public static void CheckShape(LaunchRequest request)
    {
        if (request.Amount is < 1 or > 100)
        {
            throw EcsErrors.InvalidParameter("Amount", "It must be from 1 to 100.");
        }

        if (request.MinAmount is { } min && (min < 1 || min > request.Amount))
        {
            throw EcsErrors.InvalidParameter("MinAmount", "It must be from 1 to Amount.");
        }

        CheckText(request.InstanceName, 2, 128, "InvalidInstanceName.Malformed", "InstanceName");
        CheckText(request.HostName, 2, 64, "InvalidHostName.Malformed", "HostName");
        CheckText(request.Description, 0, 256, "InvalidDescription.Malformed", "Description");
        CheckText(request.SystemDisk.DiskName, 2, 128, "InvalidSystemDiskName.Malformed", "SystemDisk.DiskName");
        CheckText(request.SystemDisk.Description, 0, 256, "InvalidSystemDiskDescription.Malformed", "SystemDisk.Description");
        if (request.SystemDisk.Category is { } category && !DiskCategories.IsValid(category))
        {
            throw ComputeErrors.SystemDiskCategoryNotSupported();
        }

        if (request.DataDisks.Count > MaxDataDisks)
        {
            throw EcsErrors.InvalidParameter("DataDisk", $"At most {MaxDataDisks} data disks are allowed.");
        }

        foreach (var disk in request.DataDisks)
        {
            CheckText(disk.DiskName, 2, 128, "InvalidDataDiskName.Malformed", $"DataDisk.{disk.Index}.DiskName");
            CheckText(disk.Description, 0, 256, "InvalidDataDiskDescription.Malformed", $"DataDisk.{disk.Index}.Description");
            if (disk.Category is { } dataCategory && !DiskCategories.IsValid(dataCategory))
            {
                throw ComputeErrors.DataDiskCategoryNotSupported(disk.Index);
            }
        }

        Snapshots.TagRules.Check(request.Tags);
        if (request.InstanceType is null)
        {
            throw EcsErrors.MissingParameter("InstanceType");
        }

        if (request.ImageId is null && request.ImageFamily is null)
        {
            throw EcsErrors.MissingParameter("ImageId");
        }
    }

    public async Task<LaunchPlan> PlanAsync(ImagoDbContext db, Caller caller, LaunchRequest request, CancellationToken cancellationToken)
    {
        var region = regions.Require(request.RegionId);
        CheckShape(request);
        var zoneId = request.ZoneId ?? region.Zones[0].ZoneId;
        if (region.Zones.All(z => z.ZoneId != zoneId))
        {
            throw ComputeErrors.ZoneNotFound();
        }

        var type = instanceTypes.Find(request.InstanceType!) ?? throw ComputeErrors.InstanceTypeNotSupported();
        var store = stores[region.RegionId];
        var image = await UsableImages.ResolveAsync(db, caller, region.RegionId, request.ImageId, request.ImageFamily, cancellationToken).ConfigureAwait(false);
        UsableImages.CheckRunsOn(image, type);

        var (systemSnapshot, systemBytes) = await UsableImages.SystemSnapshotAsync(image, store, cancellationToken).ConfigureAwait(false);
        var disks = new List<DiskPlan>
        {
            new(DiskTypes.System, request.SystemDisk.Category ?? DiskCategories.SystemDefault,
                SystemDiskSize(request.SystemDisk.SizeGiB, UsableImages.SizeGiB(image, systemBytes)), DiskCategories.Device(0),
                systemSnapshot, image.Id, true, request.SystemDisk.DiskName ?? "", request.SystemDisk.Description ?? "", image.ProductCode),
        };

        disks.AddRange(await DataDisksAsync(db, caller, region.RegionId, store, image, request.DataDisks, cancellationToken).ConfigureAwait(false));
        return new LaunchPlan(image, type, zoneId, disks);
    }

    /// <summary>SystemDisk.Size: default max(20, image size); at least the image size and 20 GiB, at most 2 TiB.</summary>
    public static int SystemDiskSize(int? requested, int imageSizeGiB)
    {
        if (requested is not { } size)
        {
            return Math.Max(DiskCategories.MinSystemDiskGiB, imageSizeGiB);
        }

        if (size < imageSizeGiB)
        {
            throw ComputeErrors.SystemDiskLessThanImageSize();
        }

        if (size < DiskCategories.MinSystemDiskGiB)
        {
            throw ComputeErrors.SystemDiskLessThanMinSize();
        }

        return size <= DiskCategories.MaxSystemDiskGiB ? size : throw ComputeErrors.SystemDiskSizeNotSupported();
    }

    /// <summary>
    /// The image's data disks (each adjustable through a DataDisk.N whose Device names it), then every other
    /// DataDisk.N: a clone of the caller's snapshot, or an empty disk of its Size.
    /// </summary>
    private static async Task<IReadOnlyList<DiskPlan>> DataDisksAsync(ImagoDbContext db, Caller caller, string regionId, BlockStore store,
        ImageEntity image, IReadOnlyList<DataDiskOptions> requested, CancellationToken cancellationToken)
    {
        var plans = new List<DiskPlan>();
        var overrides = new Dictionary<string, DataDiskOptions>(StringComparer.Ordinal);
        var mappings = UsableImages.DataMappings(image).ToList();
        foreach (var disk in requested.Where(d => d.Device is not null))
        {
            if (mappings.All(m => m.Device != disk.Device) || disk.SnapshotId is not null || !overrides.TryAdd(disk.Device!, disk))
            {
                throw EcsErrors.InvalidParameter($"DataDisk.{disk.Index}.Device",
                    "A device names one data disk of the image (its size, category and name may be changed, not its snapshot).");
            }
        }

        foreach (var mapping in mappings)
        {
            long? bytes = null;
            if (mapping.SnapshotId is { } snapshotId)
            {
                bytes = VersionId.IsValid(snapshotId)
                    ? (await store.TryGetSnapshotRecordAsync(snapshotId, cancellationToken).ConfigureAwait(false))?.Size
                    : null;
                if (bytes is null)
                {
                    throw ComputeErrors.ImageNotValid();
                }
            }

            var imageSize = Math.Max(mapping.SizeGiB, bytes is { } b ? DiskCategories.GiB(b) : 1);
            var options = overrides.GetValueOrDefault(mapping.Device);
            var size = options?.SizeGiB ?? imageSize;
            if (size < imageSize)
            {
                throw ComputeErrors.DiskSizeTooSmall();
            }

            var category = options?.Category ?? DiskCategories.DataDefault;
            if (size > DiskCategories.DataDiskSizeRange(category).Max)
            {
                throw ComputeErrors.DataDiskSizeNotSupported(options?.Index ?? mapping.Index);
            }

            plans.Add(new DiskPlan(DiskTypes.Data, category, size, mapping.Device, mapping.SnapshotId, image.Id,
                options?.DeleteWithInstance ?? true, options?.DiskName ?? "", options?.Description ?? "", image.ProductCode));
        }

        var devices = new HashSet<string>(plans.Select(p => p.Device), StringComparer.Ordinal);
        foreach (var disk in requested.Where(d => d.Device is null))
        {
            var device = Enumerable.Range(1, MaxDataDisks).Select(DiskCategories.Device).FirstOrDefault(devices.Add)
                ?? throw EcsErrors.InvalidParameter("DataDisk", $"At most {MaxDataDisks} data disks are allowed.");
            plans.Add(await RequestedDataDiskAsync(db, caller, regionId, store, disk, device, cancellationToken).ConfigureAwait(false));
        }

        return plans;
    }

    private static async Task<DiskPlan> RequestedDataDiskAsync(ImagoDbContext db, Caller caller, string regionId, BlockStore store,
        DataDiskOptions disk, string device, CancellationToken cancellationToken)
    {
        var category = disk.Category ?? DiskCategories.DataDefault;
        var (min, max) = DiskCategories.DataDiskSizeRange(category);
        if (disk.SnapshotId is not { } snapshotId)
        {
            var size = disk.SizeGiB ?? throw EcsErrors.MissingParameter($"DataDisk.{disk.Index}.Size");
            return size >= min && size <= max
                ? new DiskPlan(DiskTypes.Data, category, size, device, null, "", disk.DeleteWithInstance ?? true, disk.DiskName ?? "", disk.Description ?? "")
                : throw ComputeErrors.DataDiskSizeNotSupported(disk.Index);
        }

        var snapshot = await db.Snapshots.AsNoTracking()
            .FirstOrDefaultAsync(s => s.Id == snapshotId && s.AccountId == caller.AccountId && s.RegionId == regionId, cancellationToken)
            .ConfigureAwait(false) ?? throw ComputeErrors.DataDiskSnapshotNotFound(disk.Index);
        if (snapshot.Status != SnapshotStatuses.Accomplished)
        {
            throw ComputeErrors.SnapshotNotReady();
        }

        var record = VersionId.IsValid(snapshotId)
            ? await store.TryGetSnapshotRecordAsync(snapshotId, cancellationToken).ConfigureAwait(false)
            : null;
        if (record is null)
        {
            throw ComputeErrors.DataDiskSnapshotNotFound(disk.Index);
        }

        var snapshotSize = DiskCategories.GiB(record.Size);
        var sizeGiB = disk.SizeGiB ?? snapshotSize;
        if (sizeGiB < snapshotSize)
        {
            throw ComputeErrors.DiskSizeTooSmall();
        }

        return sizeGiB <= max
            ? new DiskPlan(DiskTypes.Data, category, sizeGiB, device, snapshotId, "", disk.DeleteWithInstance ?? true, disk.DiskName ?? "", disk.Description ?? "",
                snapshot.ProductCode)
            : throw ComputeErrors.DataDiskSizeNotSupported(disk.Index);
    }

    private static void CheckText(string? value, int min, int max, string code, string parameter)
    {
        if (value is null)
        {
            return;
        }

        if (value.Length < min || value.Length > max || value.Any(char.IsControl)
            || value.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
        {
            throw ComputeErrors.Malformed(code, parameter);
        }
    }
}

/// <summary>DiskEntity.Type values.</summary>
public static class DiskTypes
{
    public const string System = "system";
    public const string Data = "data";
}
