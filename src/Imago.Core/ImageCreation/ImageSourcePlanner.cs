using System.Globalization;
using Imago.Core.Errors;
using Imago.Data;
using Imago.Data.Entities;
using Microsoft.EntityFrameworkCore;

namespace Imago.Core.ImageCreation;

/// <summary>
/// Resolves CreateImage's source (priority InstanceId &gt; DiskDeviceMapping &gt; SnapshotId) into an
/// <see cref="ImagePlan"/>, checking everything the source must satisfy. Reads only; writes nothing.
/// </summary>
internal sealed class ImageSourcePlanner(ImagoDbContext db, Caller caller, string regionId)
{
    private const int MaxDataDisks = 16;
    private const int MinEmptyDiskGiB = 20;
    private const int MaxDiskGiB = 32768;

    public Task<ImagePlan> PlanAsync(CreateImageRequest request, CancellationToken cancellationToken) =>
        request.InstanceId is { } instanceId ? FromInstanceAsync(instanceId, cancellationToken)
        : request.DiskDeviceMappings is { Count: > 0 } mappings ? FromMappingsAsync(mappings, cancellationToken)
        : request.SnapshotId is { } snapshotId ? FromSnapshotAsync(snapshotId, cancellationToken)
        : throw ImageCreationErrors.NoSource();

    private async Task<ImagePlan> FromInstanceAsync(string instanceId, CancellationToken cancellationToken)
    {
        var instance = await db.Instances.AsNoTracking()
            .FirstOrDefaultAsync(i => i.Id == instanceId && i.AccountId == caller.AccountId && i.RegionId == regionId, cancellationToken)
            .ConfigureAwait(false) ?? throw EcsErrors.InstanceNotFound(instanceId);
        if (instance.Status is not (InstanceStatuses.Running or InstanceStatuses.Stopped))
        {
            throw ImageCreationErrors.IncorrectInstanceStatus();
        }

        var disks = await db.Disks.AsNoTracking().Where(d => d.InstanceId == instanceId && d.AccountId == caller.AccountId)
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        var system = disks.SingleOrDefault(d => d.Type == "system") ?? throw ImageCreationErrors.IncorrectInstanceStatus();
        var data = disks.Where(d => d.Type != "system").OrderBy(d => d.Device, StringComparer.Ordinal).ThenBy(d => d.CreatedAt).ToList();
        if (data.Count > MaxDataDisks)
        {
            throw new EcsException("OperationDenied", $"An image holds at most {MaxDataDisks} data disks.", 403);
        }

        if (disks.Any(d => !Snapshots.DiskSnapshots.CanSnapshot(d)))
        {
            throw Snapshots.SnapshotErrors.IncorrectDiskStatus();
        }

        var mappings = new List<PlannedMapping> { new("system", DeviceName(0), system.SizeGiB, null, system) };
        mappings.AddRange(data.Select((d, i) => new PlannedMapping("data", DeviceName(i + 1), d.SizeGiB, null, d)));
        var parent = await FindImageAsync(string.IsNullOrEmpty(system.ImageId) ? instance.ImageId : system.ImageId, cancellationToken).ConfigureAwait(false);
        return new ImagePlan(mappings, [], parent, Lineage(system.ProductCode, parent));
    }

    private async Task<ImagePlan> FromSnapshotAsync(string snapshotId, CancellationToken cancellationToken)
    {
        var snapshot = await FindReadySnapshotAsync(snapshotId, cancellationToken).ConfigureAwait(false);
        if (snapshot.SourceDiskType != "system")
        {
            throw ImageCreationErrors.NotSystemSnapshot();
        }

        var parent = await LineageOfAsync(snapshot, cancellationToken).ConfigureAwait(false);
        return new ImagePlan([new("system", DeviceName(0), snapshot.SourceDiskSizeGiB, snapshot.Id, null)], [snapshot], parent,
            Lineage(snapshot.ProductCode, parent));
    }

    private async Task<ImagePlan> FromMappingsAsync(IReadOnlyList<DiskMappingRequest> requested, CancellationToken cancellationToken)
    {
        var malformed = requested.FirstOrDefault(m => m.Device is { } device && !IsDeviceName(device));
        if (malformed is not null)
        {
            throw ImageCreationErrors.DeviceMalformed($"DiskDeviceMapping.{malformed.Index}.Device");
        }

        var typed = requested.Select((m, position) => (Mapping: m, Type: TypeOf(m, position))).ToList();
        if (typed.Count(t => t.Type == "system") != 1 || typed.Single(t => t.Type == "system").Mapping.SnapshotId is null)
        {
            throw ImageCreationErrors.SystemMappingCount();
        }

        if (typed.Count - 1 > MaxDataDisks)
        {
            throw new EcsException("OperationDenied", $"An image holds at most {MaxDataDisks} data disks.", 403);
        }

        var used = new HashSet<string>(StringComparer.Ordinal) { DeviceName(0) };
        var devices = new Dictionary<DiskMappingRequest, string>();
        foreach (var (mapping, type) in typed.Where(t => t.Mapping.Device is not null))
        {
            var name = $"DiskDeviceMapping.{mapping.Index}.Device";
            var device = mapping.Device!;
            var isSystemDevice = device == DeviceName(0);
            if (isSystemDevice != (type == "system"))
            {
                throw ImageCreationErrors.DeviceMalformed(name);
            }

            if (!isSystemDevice && !used.Add(device))
            {
                throw ImageCreationErrors.DeviceInUse(name);
            }

            devices[mapping] = device;
        }

        var snapshots = new Dictionary<string, SnapshotEntity>(StringComparer.Ordinal);
        var planned = new List<PlannedMapping>();
        foreach (var (mapping, type) in typed.OrderBy(t => t.Type == "system" ? 0 : 1))
        {
            SnapshotEntity? snapshot = null;
            if (mapping.SnapshotId is { } id && !snapshots.TryGetValue(id, out snapshot))
            {
                snapshot = snapshots[id] = await FindReadySnapshotAsync(id, cancellationToken).ConfigureAwait(false);
            }

            var device = type == "system" ? DeviceName(0) : devices.GetValueOrDefault(mapping) ?? NextFreeDevice(used);
            planned.Add(new PlannedMapping(type, device, SizeOf(mapping, snapshot), snapshot?.Id, null));
        }

        var systemSnapshot = snapshots[planned[0].SnapshotId!];
        var parent = await LineageOfAsync(systemSnapshot, cancellationToken).ConfigureAwait(false);
        var ordered = planned.Take(1).Concat(planned.Skip(1).OrderBy(p => p.Device, StringComparer.Ordinal)).ToList();
        return new ImagePlan(ordered, [.. snapshots.Values], parent, Lineage(systemSnapshot.ProductCode, parent));
    }

    /// <summary>
    /// The Marketplace product of the new image: the one recorded on the system disk or snapshot (it survives the
    /// deletion of the image it came from), else the parent image's.
    /// </summary>
    private static string Lineage(string recorded, ImageEntity? parent) => recorded.Length > 0 ? recorded : parent?.ProductCode ?? "";

    /// <summary>DiskType, or when absent: system for /dev/xvda or for a first mapping without a device; data otherwise.</summary>
    private static string TypeOf(DiskMappingRequest mapping, int position)
    {
        if (mapping.DiskType is { } type)
        {
            return type.ToLowerInvariant() is "system" or "data" ? type.ToLowerInvariant()
                : throw ImageCreationErrors.DiskTypeNotSupported($"DiskDeviceMapping.{mapping.Index}.DiskType");
        }

        return mapping.Device == DeviceName(0) || (mapping.Device is null && position == 0) ? "system" : "data";
    }

    private static int SizeOf(DiskMappingRequest mapping, SnapshotEntity? snapshot)
    {
        var name = $"DiskDeviceMapping.{mapping.Index}.Size";
        if (mapping.Size is null)
        {
            return snapshot?.SourceDiskSizeGiB ?? MinEmptyDiskGiB;
        }

        if (!int.TryParse(mapping.Size, NumberStyles.None, CultureInfo.InvariantCulture, out var size)
            || size > MaxDiskGiB || size < (snapshot?.SourceDiskSizeGiB ?? MinEmptyDiskGiB))
        {
            throw ImageCreationErrors.SizeNotSupported(name);
        }

        return size;
    }

    /// <summary>The caller's snapshot in the region, accomplished; tracked, so the image's save can bump its Version.</summary>
    private async Task<SnapshotEntity> FindReadySnapshotAsync(string snapshotId, CancellationToken cancellationToken)
    {
        var snapshot = await db.Snapshots
            .FirstOrDefaultAsync(s => s.Id == snapshotId && s.AccountId == caller.AccountId && s.RegionId == regionId, cancellationToken)
            .ConfigureAwait(false) ?? throw EcsErrors.SnapshotNotFound(snapshotId);
        return snapshot.Status == SnapshotStatuses.Accomplished ? snapshot : throw ImageCreationErrors.SnapshotNotReady();
    }

    /// <summary>The image the snapshot's source disk came from (recorded on the snapshot, else on the disk if it still exists).</summary>
    private async Task<ImageEntity?> LineageOfAsync(SnapshotEntity snapshot, CancellationToken cancellationToken)
    {
        var imageId = snapshot.DiskImageId;
        if (string.IsNullOrEmpty(imageId))
        {
            imageId = await db.Disks.AsNoTracking().Where(d => d.Id == snapshot.SourceDiskId).Select(d => d.ImageId)
                .FirstOrDefaultAsync(cancellationToken).ConfigureAwait(false);
        }

        return await FindImageAsync(imageId, cancellationToken).ConfigureAwait(false);
    }

    private async Task<ImageEntity?> FindImageAsync(string? imageId, CancellationToken cancellationToken) =>
        string.IsNullOrEmpty(imageId) ? null
        : await db.Images.AsNoTracking().FirstOrDefaultAsync(i => i.RegionId == regionId && i.Id == imageId, cancellationToken).ConfigureAwait(false);

    internal static string DeviceName(int index) => "/dev/xvd" + (char)('a' + index);

    private static bool IsDeviceName(string device) => device.Length == 9 && device.StartsWith("/dev/xvd", StringComparison.Ordinal) && device[8] is >= 'a' and <= 'z';

    private static string NextFreeDevice(HashSet<string> used)
    {
        for (var i = 1; i < 26; i++)
        {
            if (used.Add(DeviceName(i)))
            {
                return DeviceName(i);
            }
        }

        throw new EcsException("OperationDenied", $"An image holds at most {MaxDataDisks} data disks.", 403);
    }
}
