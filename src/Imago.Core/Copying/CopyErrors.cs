using Imago.Core.Errors;

namespace Imago.Core.Copying;

/// <summary>CopyImage's and CancelCopyImage's documented errors (ecs-api.md 3.3, 3.4) and this service's decisions.</summary>
public static class CopyErrors
{
    public const string TaskKind = "CopyImage";

    public static EcsException DestinationRegionNotFound(string regionId) =>
        new("DestinationRegion.NotFound", $"The specified DestinationRegionId '{EcsErrors.Printable(regionId)}' does not exist.", 400);

    public static EcsException ImageNotAvailable() => new("IncorrectImageStatus", "The image not available.", 400);

    public static EcsException SharedImageSameRegionOnly() =>
        new("OperationDenied.SameRegionOnly", "The image shared from others can not be copied to another region directly.", 403);

    /// <summary>Public and marketplace images already exist in every region: there is nothing to copy.</summary>
    public static EcsException PublicImage() =>
        new("OperationDenied", "The specified image is a public or marketplace image, which is available in every region and cannot be copied.", 403);

    /// <summary>This service has no KMS: encrypted copies are refused.</summary>
    public static EcsException EncryptionNotSupported() =>
        new("InvalidParameter.EncryptedIllegal", "Encrypted copies are not supported: this service has no key management service (KMS).", 400);

    public static EcsException SourceSnapshotMissing(string snapshotId) =>
        new("InvalidSnapshotId.NotFound", $"The snapshot {EcsErrors.Printable(snapshotId)} of the source image does not exist.", 400);

    public static EcsException NameDuplicated() => new("InvalidImageName.Duplicated", "The destination image is exist.", 400);

    public static EcsException NotFromCopy() => new("ImageCreatedNotFromCopy", "The specified image is not created from copy.", 400);

    public static EcsException AlreadyCopied() => new("IncorrectImageStatus", "The image has completed copy.", 400);

    public static EcsException CopyFailed() => new("IncorrectImageStatus", "The Image copy has been failed.", 400);

    public static EcsException NotCopying() => new("IncorrectImageStatus", "The specified image is not coping.", 400);

    /// <summary>The task failed: the reason recorded on the task (FailedReason) and the image becomes CreateFailed.</summary>
    public static EcsException Failed(string detail) => new("CopyImageFailed", detail, 403);
}
