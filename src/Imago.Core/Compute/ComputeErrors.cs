using Imago.Core.Errors;

namespace Imago.Core.Compute;

/// <summary>The instance and disk errors of RunInstances, ReplaceSystemDisk and friends, as ECS documents them.</summary>
public static class ComputeErrors
{
    public static EcsException ImageNotValid() =>
        new("OperationDenied.ImageNotValid", "The specified Image is disabled or is deleted.", 403);

    public static EcsException ImageFamilyHasNoImage() =>
        new("InvalidImageFamily.MissingAvailableImage", "There is no available image related to the specified image family.", 400);

    public static EcsException InstanceTypeNotSupported() =>
        new("InvalidInstanceType.ValueNotSupported", "The specified InstanceType does not exist or beyond the permitted range.", 400);

    public static EcsException ImageNotSupportInstanceType() =>
        new("ImageNotSupportInstanceType", "The specified instance type does not support this image.", 403);

    public static EcsException ZoneNotFound() =>
        new("InvalidZoneId.NotFound", "The specified zone does not exist.", 404);

    public static EcsException SystemDiskLessThanImageSize() =>
        new("InvalidSystemDiskSize.LessThanImageSize", "The specified parameter SystemDisk.Size is less than the image size.", 404);

    public static EcsException SystemDiskLessThanMinSize() =>
        new("InvalidSystemDiskSize.LessThanMinSize", "The specified parameter SystemDisk.Size is less than the min size.", 404);

    public static EcsException SystemDiskSizeNotSupported() =>
        new("InvalidSystemDiskSize.ValueNotSupported", "The specified parameter SystemDisk.Size is beyond the permitted range.", 400);

    public static EcsException SystemDiskCategoryNotSupported() =>
        new("InvalidSystemDiskCategory.ValueNotSupported", "The specified parameter SystemDisk.Category is not valid.", 400);

    public static EcsException DataDiskCategoryNotSupported(int index) =>
        new("InvalidDataDiskCategory.ValueNotSupported", $"The specified parameter DataDisk.{index}.Category is not valid.", 400);

    public static EcsException DataDiskSizeNotSupported(int index) =>
        new("InvalidDataDiskSize.ValueNotSupported", $"The specified parameter DataDisk.{index}.Size is beyond the permitted range.", 400);

    public static EcsException DiskSizeTooSmall() =>
        new("InvalidDiskSize.TooSmall", "Specified disk size is less than the size of snapshot.", 403);

    public static EcsException DataDiskSnapshotNotFound(int index) =>
        new("InvalidDataDiskSnapshotId.NotFound", $"The specified parameter DataDisk.{index}.SnapshotId is not valid.", 404);

    public static EcsException SnapshotNotReady() =>
        new("InvalidSnapshotId.NotReady", "The specified snapshot has not completed yet.", 403);

    public static EcsException IncorrectInstanceStatus() =>
        new("IncorrectInstanceStatus", "The current status of the resource does not support this operation.", 403);

    public static EcsException IncorrectDiskStatus() =>
        new("IncorrectDiskStatus", "The current disk status does not support this operation.", 403);

    public static EcsException ImageHasDataDiskSnapshots() =>
        new("OperationDenied", "The specified image contains the snapshot of the data disk,does not support this operation.", 400);

    public static EcsException Malformed(string code, string parameter) =>
        new(code, $"The specified parameter \"{parameter}\" is not valid.", 400);
}
