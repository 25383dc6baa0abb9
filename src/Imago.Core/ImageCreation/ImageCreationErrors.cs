using Imago.Core.Errors;

namespace Imago.Core.ImageCreation;

/// <summary>CreateImage's own errors, with the reference's codes and statuses (ecs-api.md 3.2).</summary>
public static class ImageCreationErrors
{
    public static EcsException NoSource() =>
        new("MissingParameter", "The input parameter SnapshotId or InstanceId or DiskDeviceMapping that is mandatory for processing this request is not supplied.", 400);

    public static EcsException NameDuplicated() =>
        new("InvalidImageName.Duplicated", "The specified Image name has already bean used.", 400);

    public static EcsException VersionMalformed(string detail) =>
        new("InvalidImageVersion.Malformed", $"The specified ImageVersion is wrongly formed. {detail}", 400);

    public static EcsException Quota() =>
        new("QuotaExceed.Image", "The Image Quota exceeds.", 403);

    public static EcsException SnapshotNotReady() =>
        new("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403);

    public static EcsException NotSystemSnapshot() =>
        new("OperationDenied", "The specified snapshot is not a snapshot of a system disk.", 403);

    public static EcsException SystemMappingCount() =>
        new("OperationDenied", "DiskDeviceMapping must contain exactly one system disk, with a SnapshotId.", 400);

    public static EcsException IncorrectInstanceStatus() =>
        new("IncorrectInstanceStatus", "The current status of the resource does not support this operation.", 400);

    public static EcsException DeviceMalformed(string name) =>
        new("InvalidDevice.Malformed", $"The specified parameter \"{name}\" is not valid: the system disk is /dev/xvda, data disks /dev/xvdb to /dev/xvdz.", 400);

    public static EcsException DeviceInUse(string name) =>
        new("InvalidDevice.InUse", $"The device of \"{name}\" is already used by another mapping.", 400);

    public static EcsException SizeNotSupported(string name) =>
        new("InvalidSize.ValueNotSupported", $"The specified \"{name}\" is not supported: empty disks are 20-32768 GiB, disks from a snapshot at least the snapshot's size.", 400);

    public static EcsException DiskTypeNotSupported(string name) =>
        new("InvalidDiskType.ValueNotSupported", $"The specified \"{name}\" is not supported: system or data.", 400);

    public static EcsException PlatformMalformed() =>
        new("InvalidPlatform.Malformed", "The specified Platform is not valid.", 400);

    public static EcsException ArchitectureMalformed() =>
        new("InvalidArchitecture.Malformed", "The specified Architecture is not valid: i386, x86_64 or arm64.", 400);
}
